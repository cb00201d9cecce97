// nym: the Nym Studio engine on the command line.
#include "app/nym/commands.h"

#include "core/io/libraryversions.h"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <malloc.h>

int main(int argc, char **argv)
{
    // Training allocates and frees the same few-MB tensors every step; keeping freed memory in the heap instead of
    // returning it to the system saves the page faults of re-zeroing it (≈10% of a step at 2,000 genes).
    mallopt(M_MMAP_THRESHOLD, 256 << 20);
    mallopt(M_TRIM_THRESHOLD, 512 << 20);
    CLI::App app {"nym: label single-cell RNA-seq data with the scNym method (Nym Studio's command line)"};
    app.require_subcommand(1);
    int exitCode = 0;
    const std::string version = std::string("nym ") + NYM_VERSION + " (HDF5 " + nym::hdf5Version() + ")";
    app.set_version_flag("--version", version);
    nym::cli::addInspect(app, exitCode);
    nym::cli::addSimulate(app, exitCode);
    nym::cli::addConvert(app, exitCode);
    nym::cli::addTrain(app, exitCode);
    nym::cli::addPredict(app, exitCode);
    nym::cli::addExplain(app, exitCode);
    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp &e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp &e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion &e) {
        return app.exit(e);
    } catch (const CLI::ParseError &e) {
        std::fprintf(stderr, "nym: %s (see nym --help)\n", e.what());
        return 2;
    }
    return exitCode;
}
