// nym convert IN OUT.h5ad: a 10x .h5 (or any readable file) to an .h5ad.
#include "app/nym/commands.h"
#include "app/nym/common.h"

#include "core/io/datasetreader.h"
#include "core/io/h5adwriter.h"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>

namespace nym::cli {

namespace {

struct ConvertArgs
{
    std::string in, out, genome;
    bool allFeatures = false, perProbe = false, force = false;
};

int run(const ConvertArgs &a)
{
    DatasetReadOptions o;
    if (!a.genome.empty())
        o.tenx.genome = a.genome;
    if (a.allFeatures)
        o.tenx.featureTypes.clear();
    o.tenx.aggregateProbes = !a.perProbe;
    const Dataset ds = readDataset(a.in, o);
    H5adAdditions add;
    add.uns = {{"source_file", a.in}, {"source_format", ds.source.format + " (" + ds.source.generation + ")"},
        {"converted_by", std::string("nym ") + NYM_VERSION}};
    H5adWriteOptions wo;
    wo.overwrite = a.force;
    writeH5ad(ds, a.out, add, wo);
    std::printf("%s\t%lld cells\t%lld genes\n", a.out.c_str(), static_cast<long long>(ds.cells()),
        static_cast<long long>(ds.genes()));
    for (const auto &n : ds.notes)
        std::fprintf(stderr, "note: %s\n", n.c_str());
    return 0;
}

}   // namespace

void addConvert(CLI::App &app, int &exitCode)
{
    auto a = std::make_shared<ConvertArgs>();
    auto *cmd = app.add_subcommand("convert", "Turn a 10x Genomics .h5 matrix into an .h5ad");
    cmd->add_option("IN", a->in, "10x .h5 file")->required();
    cmd->add_option("OUT", a->out, "Output .h5ad file")->required();
    cmd->add_option("--genome", a->genome, "Genome to read when the file holds several");
    cmd->add_flag("--all-features", a->allFeatures, "Keep every feature type, not only Gene Expression");
    cmd->add_flag("--per-probe", a->perProbe, "Probe-based files: keep one column per probe instead of per gene");
    cmd->add_flag("--force", a->force, "Replace OUT if it exists");
    cmd->callback([a, &exitCode] { exitCode = guarded([&] { return run(*a); }); });
}

}   // namespace nym::cli
