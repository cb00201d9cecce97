// The engine half of `nym` (libnym_engine.so): train, predict, explain, umap (which can embed with a model), which need LibTorch, and review-apply (which labels). Loaded by main.cpp
// (engineloader.cpp) only when one of these commands runs.
#include "app/nym/commands.h"

#include "core/io/libraryversions.h"
#include "core/nn/predictor.h"

#include <CLI/CLI.hpp>
#include <malloc.h>
#include <string>

extern "C" __attribute__((visibility("default"))) int nym_engine_main(int argc, char **argv)
{
    // Training allocates and frees the same few-MB tensors every step; keeping freed memory in the heap instead of
    // returning it to the system saves the page faults of re-zeroing it (≈10% of a step at 2,000 genes).
    mallopt(M_MMAP_THRESHOLD, 256 << 20);
    mallopt(M_TRIM_THRESHOLD, 512 << 20);
    CLI::App app {"nym: label single-cell RNA-seq data with the scNym method (Nym Studio's command line)"};
    app.require_subcommand(1);
    int exitCode = 0;
    const std::string version = std::string("nym ") + NYM_VERSION + " (HDF5 " + nym::hdf5Version() + ", LibTorch "
        + nym::torchVersion() + ")";
    app.set_version_flag("--version", version);
    nym::cli::addTrain(app, exitCode);
    nym::cli::addPredict(app, exitCode);
    nym::cli::addExplain(app, exitCode);
    nym::cli::addUmap(app, exitCode);
    nym::cli::addReviewApply(app, exitCode);
    return nym::cli::runApp(app, argc, argv, exitCode);
}
