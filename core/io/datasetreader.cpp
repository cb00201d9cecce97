#include "core/io/datasetreader.h"

#include "core/common/error.h"
#include "core/io/h5_p.h"
#include "core/io/isolation_p.h"


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
    std::lock_guard lock(h5::libraryMutex());
    if (options.isolateParsing) {
        // Everything but the bulk of the matrix — format detection, object headers, links, names and annotations
        // (HDF5's global heap, where the crashes our fuzzing found live) — first runs in a child process.
        // A structure parse takes milliseconds to seconds; libhdf5 can loop forever on some damaged files
        // (seen in fuzzing), so the child gets 20 s plus 1 s per 50 MB of file.
        const int timeout = io::isolationTimeout(path, 20, std::uint64_t(50) << 20);
        io::runIsolated(
            path,
            [&] {
                if (detectFileFormat(path) == FileFormat::H5ad) {
                    H5adReadOptions o = options.h5ad;
                    o.loadMatrix = false;
                    readH5ad(path, o);
                } else {
                    TenxReadOptions o = options.tenx;
                    o.loadMatrix = false;
                    readTenx(path, o);
                }
            },
            timeout);
    }
    return detectFileFormat(path) == FileFormat::H5ad ? readH5ad(path, options.h5ad) : readTenx(path, options.tenx);
}

}   // namespace nym
