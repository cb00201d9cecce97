// nym simulate: synthetic count data with cell types and domain shifts, one .h5ad per domain.
#include "app/nym/commands.h"
#include "app/nym/common.h"

#include "core/common/error.h"
#include "core/data/simulator.h"
#include "core/io/h5adwriter.h"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <memory>

namespace nym::cli {

namespace {

struct SimulateArgs
{
    SimulatorOptions sim;
    std::string out;
    int compression = 4;
    bool force = false;
};

int run(const SimulateArgs &a)
{
    namespace fs = std::filesystem;
    std::error_code ec;
    if (fs::exists(a.out, ec) && !fs::is_directory(a.out, ec))
        throw Error(a.out + ": exists and is not a folder");
    fs::create_directories(a.out, ec);
    if (ec)
        throw Error(a.out + ": cannot create the folder: " + ec.message());
    // Refuse before generating anything when outputs exist.
    for (int d = 0; d < a.sim.domains; ++d) {
        const auto p = fs::path(a.out) / ("batch" + std::to_string(d + 1) + ".h5ad");
        if (fs::exists(p, ec) && !a.force)
            throw Error(p.string() + ": already exists (use --force to replace it)");
    }
    ProgressBar bar("simulating");
    const auto domains = simulate(a.sim, [&](double f) {
        bar.update(f);
        return true;
    });
    bar.finish();
    for (const auto &d : domains) {
        const auto path = (fs::path(a.out) / (d.name + ".h5ad")).string();
        H5adAdditions uns;
        uns.unsGroup.clear();
        uns.uns = {{"x_is_raw_counts", "True"},
            {"source",
                "Nym Studio simulator: seed " + std::to_string(a.sim.seed) + ", " + std::to_string(a.sim.types)
                    + " types, " + std::to_string(a.sim.domains) + " domains"},
            {"domain", d.name}};
        H5adWriteOptions wo;
        wo.overwrite = a.force;
        wo.compressionLevel = a.compression;
        writeH5ad(d.data, path, uns, wo);
        std::printf("%s\t%lld cells\t%lld genes\n", path.c_str(), static_cast<long long>(d.data.cells()),
            static_cast<long long>(d.data.genes()));
    }
    return 0;
}

}   // namespace

void addSimulate(CLI::App &app, int &exitCode)
{
    auto a = std::make_shared<SimulateArgs>();
    auto *cmd = app.add_subcommand("simulate",
        "Write synthetic count data with cell types and domain shifts: "
        "DIR/batch1.h5ad, DIR/batch2.h5ad, ...");
    cmd->add_option("--cells", a->sim.cells, "Total cells over all domains")
        ->capture_default_str()
        ->check(CLI::Range(1, 100000000));
    cmd->add_option("--genes", a->sim.genes, "Genes")->capture_default_str()->check(CLI::Range(4, 1000000));
    cmd->add_option("--types", a->sim.types, "Cell types (2-26)")->capture_default_str()->check(CLI::Range(2, 26));
    cmd->add_option("--domains", a->sim.domains, "Domains, one file each")
        ->capture_default_str()
        ->check(CLI::Range(1, 100));
    cmd->add_option("--seed", a->sim.seed, "Random seed")->capture_default_str();
    cmd->add_option("--shift", a->sim.domainGeneShift, "Batch effect strength (sd of per-gene log fold change)")
        ->capture_default_str()
        ->check(CLI::Range(0.0, 5.0));
    cmd->add_option("--compression", a->compression, "gzip level of the written files (0 = uncompressed)")
        ->capture_default_str()
        ->check(CLI::Range(0, 9));
    cmd->add_option("--out", a->out, "Output folder")->required();
    cmd->add_flag("--force", a->force, "Replace existing output files");
    cmd->callback([a, &exitCode] { exitCode = guarded([&] { return run(*a); }); });
}

}   // namespace nym::cli
