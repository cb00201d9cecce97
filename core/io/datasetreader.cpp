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

namespace {

// The read options as the structure job's arguments: key=value, one per option (feature types repeat their key).
std::vector<std::string> encodeOptions(const DatasetReadOptions &options)
{
    std::vector<std::string> a;
    a.push_back("h5ad.matrix=" + options.h5ad.matrix);
    if (options.h5ad.geneNameColumn)
        a.push_back("h5ad.gene=" + *options.h5ad.geneNameColumn);
    a.push_back(std::string("h5ad.obsm=") + (options.h5ad.loadObsm ? "1" : "0"));
    if (options.tenx.genome)
        a.push_back("tenx.genome=" + *options.tenx.genome);
    a.push_back("tenx.features");   // the list follows (possibly empty)
    for (const auto &f : options.tenx.featureTypes)
        a.push_back("tenx.feature=" + f);
    a.push_back(std::string("tenx.probes=") + (options.tenx.aggregateProbes ? "1" : "0"));
    return a;
}

DatasetReadOptions decodeOptions(const std::vector<std::string> &args)
{
    DatasetReadOptions o;
    for (const auto &arg : args) {
        const auto eq = arg.find('=');
        const std::string key = arg.substr(0, eq), value = eq == std::string::npos ? "" : arg.substr(eq + 1);
        if (key == "h5ad.matrix")
            o.h5ad.matrix = value;
        else if (key == "h5ad.gene")
            o.h5ad.geneNameColumn = value;
        else if (key == "h5ad.obsm")
            o.h5ad.loadObsm = value == "1";
        else if (key == "tenx.genome")
            o.tenx.genome = value;
        else if (key == "tenx.features")
            o.tenx.featureTypes.clear();
        else if (key == "tenx.feature")
            o.tenx.featureTypes.push_back(value);
        else if (key == "tenx.probes")
            o.tenx.aggregateProbes = value == "1";
        else
            throw io::BadJob("unknown read option '" + arg + "'");
    }
    return o;
}

}   // namespace

namespace io {

// Everything but the bulk of the matrix: format detection, object headers, links, names and annotations.
void isolatedStructureJob(const std::vector<std::string> &args)
{
    if (args.empty())
        throw BadJob("structure: no file");
    const std::string &path = args[0];
    const DatasetReadOptions options = decodeOptions({args.begin() + 1, args.end()});
    if (detectFileFormat(path) == FileFormat::H5ad) {
        H5adReadOptions o = options.h5ad;
        o.loadMatrix = false;
        readH5ad(path, o);
    } else {
        TenxReadOptions o = options.tenx;
        o.loadMatrix = false;
        readTenx(path, o);
    }
}

}   // namespace io

Dataset readDataset(const std::string &path, const DatasetReadOptions &options)
{
    std::lock_guard lock(h5::libraryMutex());
    if (options.isolateParsing) {
        // Everything but the bulk of the matrix — format detection, object headers, links, names and annotations
        // (HDF5's global heap, where the crashes our fuzzing found live) — first runs in another process.
        // A structure parse takes milliseconds to seconds; libhdf5 can loop forever on some damaged files
        // (seen in fuzzing), so the check gets 20 s plus 1 s per 50 MB of file.
        const int timeout = io::isolationTimeout(path, 20, std::uint64_t(50) << 20);
        std::vector<std::string> job {"structure", path};
        for (auto &a : encodeOptions(options))
            job.push_back(std::move(a));
        io::runIsolated(path, job, timeout);
    }
    return detectFileFormat(path) == FileFormat::H5ad ? readH5ad(path, options.h5ad) : readTenx(path, options.tenx);
}

}   // namespace nym
