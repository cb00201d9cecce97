// nym: the Nym Studio engine on the command line.
#include "app/nym/commands.h"

#include "core/io/libraryversions.h"

#include <CLI/CLI.hpp>
#include <cstdio>

int main(int argc, char **argv)
{
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
