#include "core/data/dataset.h"

#include "core/common/error.h"

namespace nym {

const ObsColumn *Dataset::findObs(const std::string &name) const
{
    for (const auto &c : obs)
        if (c.name == name)
            return &c;
    return nullptr;
}

const DenseArray *Dataset::findObsm(const std::string &name) const
{
    for (const auto &a : obsm)
        if (a.name == name)
            return &a;
    return nullptr;
}

void Dataset::validate() const
{
    const std::string where = source.path.empty() ? std::string("dataset") : source.path;
    if (static_cast<std::int64_t>(cellIds.size()) != cells())
        throw Error(where + ": " + std::to_string(cellIds.size()) + " cell names for " + std::to_string(cells())
            + " cells in the matrix");
    if (static_cast<std::int64_t>(geneNames.size()) != genes() || geneIds.size() != geneNames.size())
        throw Error(where + ": " + std::to_string(geneNames.size()) + " gene names for " + std::to_string(genes())
            + " genes in the matrix");
    for (const auto &c : obs)
        if (c.size() != cells())
            throw Error(where + ": obs column '" + c.name + "' has " + std::to_string(c.size()) + " values for "
                + std::to_string(cells()) + " cells");
    for (const auto &a : obsm)
        if (a.rows != cells() || static_cast<std::int64_t>(a.values.size()) != a.rows * a.cols)
            throw Error(where + ": obsm array '" + a.name + "' has " + std::to_string(a.rows) + " rows for "
                + std::to_string(cells()) + " cells");
}

}   // namespace nym
