// nym: the Nym Studio engine on the command line. This executable handles the data commands itself and hands
// train / predict / explain / umap to the engine module (engine.cpp), so it starts without loading LibTorch.
#include "app/nym/commands.h"

#include "core/io/libraryversions.h"

#include <CLI/CLI.hpp>
#include <string>

int main(int argc, char **argv)
{
    if (argc >= 2 && nym::cli::isEngineCommand(argv[1]))
        return nym::cli::runEngine(argc, argv);
    CLI::App app {"nym: label single-cell RNA-seq data with the scNym method (Nym Studio's command line)"};
    app.require_subcommand(1);
    int exitCode = 0;
    const std::string version = std::string("nym ") + NYM_VERSION + " (HDF5 " + nym::hdf5Version() + ")";
    app.set_version_flag("--version", version);
    nym::cli::addInspect(app, exitCode);
    nym::cli::addSimulate(app, exitCode);
    nym::cli::addConvert(app, exitCode);
    // Listed here for --help; when options come before them ("nym --x train"), they still reach the engine.
    for (const auto &[name, summary] : {std::pair {"train", nym::cli::kTrainSummary},
             std::pair {"predict", nym::cli::kPredictSummary}, std::pair {"explain", nym::cli::kExplainSummary},
             std::pair {"umap", nym::cli::kUmapSummary}, std::pair {"review-apply", nym::cli::kReviewApplySummary}})
        app.add_subcommand(name, summary)->allow_extras()->prefix_command()->callback(
            [&exitCode, argc, argv] { exitCode = nym::cli::runEngine(argc, argv); });
    return nym::cli::runApp(app, argc, argv, exitCode);
}
