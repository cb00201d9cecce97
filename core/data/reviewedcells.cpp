#include "core/data/reviewedcells.h"

#include "core/common/error.h"
#include "core/data/trainingset.h"

namespace nym {

namespace {

template <class T>
std::vector<T> pick(const std::vector<T> &from, const std::vector<std::int64_t> &rows)
{
    if (from.empty())
        return {};
    std::vector<T> out;
    out.reserve(rows.size());
    for (std::int64_t r : rows)
        out.push_back(from[static_cast<std::size_t>(r)]);
    return out;
}

}   // namespace

Dataset subsetCells(const Dataset &dataset, const std::vector<std::int64_t> &rows)
{
    for (std::int64_t r : rows)
        if (r < 0 || r >= dataset.cells())
            throw Error("Cell " + std::to_string(r) + " is not in the dataset (it holds " + std::to_string(dataset.cells())
                + " cells).");
    Dataset out;
    out.matrix = dataset.matrix.rowBatch(rows);
    out.cellIds = pick(dataset.cellIds, rows);
    out.geneIds = dataset.geneIds;
    out.geneNames = dataset.geneNames;
    out.geneNameSource = dataset.geneNameSource;
    for (const auto &c : dataset.obs) {
        ObsColumn s = c;
        s.codes = pick(c.codes, rows);
        s.numbers = pick(c.numbers, rows);
        s.strings = pick(c.strings, rows);
        out.obs.push_back(std::move(s));
    }
    for (const auto &a : dataset.obsm) {
        DenseArray s;
        s.name = a.name;
        s.rows = static_cast<std::int64_t>(rows.size());
        s.cols = a.cols;
        s.values.reserve(rows.size() * static_cast<std::size_t>(a.cols));
        for (std::int64_t r : rows)
            s.values.insert(s.values.end(), a.values.begin() + r * a.cols, a.values.begin() + (r + 1) * a.cols);
        out.obsm.push_back(std::move(s));
    }
    out.source = dataset.source;
    out.source.path.clear();   // not a file: nothing may ever be written back to it
    out.validate();
    return out;
}

Dataset reviewedCellsAsTraining(const Dataset &target, const Annotations &annotations, const std::string &labelColumn)
{
    if (annotations.cells() != target.cells())
        throw Error("The annotations cover " + std::to_string(annotations.cells()) + " cells but the file holds "
            + std::to_string(target.cells()) + ".");
    if (labelColumn.empty())
        throw Error("Choose the label column before retraining with corrections.");
    std::vector<std::int64_t> rows;
    std::vector<std::string> labels;
    for (std::int64_t i = 0; i < annotations.cells(); ++i) {
        const LabelSource s = annotations.source(i);
        if ((s == LabelSource::Model && !annotations.reviewed(i)) || annotations.finalLabel(i) == kUnassigned)
            continue;
        rows.push_back(i);
        labels.push_back(annotations.finalLabel(i));
    }
    Dataset out = subsetCells(target, rows);
    std::erase_if(out.obs, [&](const ObsColumn &c) { return c.name == labelColumn; });
    out.obs.push_back(ObsColumn::fromLabels(labelColumn, labels, true));
    out.source.format = "reviewed cells";
    out.source.reviewedFrom = datasetDisplayName(target, 0);
    return out;
}

}   // namespace nym
