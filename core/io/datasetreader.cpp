#include "core/io/datasetreader.h"

#include "core/common/error.h"
#include "core/io/h5_p.h"

namespace nym {

FileFormat detectFileFormat(const std::string &path)
{
    std::lock_guard lock(h5::libraryMutex());
    const h5::Node root = h5::openFile(path);
    if (root.has("obs"))
        return FileFormat::H5ad;
    if (root.has("matrix"))
        return FileFormat::Tenx;
    for (const auto &c : root.children()) {
        auto g = root.tryOpen(c);
        if (g && g->isGroup() && g->has("barcodes") && g->has("indptr"))
            return FileFormat::Tenx;
    }
    std::string top;
    for (const auto &c : root.children())
        top += (top.empty() ? "" : ", ") + c;
    throw Error(path + ": an HDF5 file, but neither AnnData (.h5ad: no obs) nor a 10x matrix (no /matrix); it holds: "
        + (top.empty() ? std::string("nothing") : top));
}

Dataset readDataset(const std::string &path, const DatasetReadOptions &options)
{
    return detectFileFormat(path) == FileFormat::H5ad ? readH5ad(path, options.h5ad) : readTenx(path, options.tenx);
}

}   // namespace nym
