#include "app/nym/commands.h"
#include "core/common/companiondirs.h"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <filesystem>
#include <string>
#include <system_error>

namespace nym::cli {

bool isEngineCommand(const char *name)
{
    return std::strcmp(name, "train") == 0 || std::strcmp(name, "predict") == 0 || std::strcmp(name, "explain") == 0
        || std::strcmp(name, "umap") == 0 || std::strcmp(name, "review-apply") == 0;
}

int runEngine(int argc, char **argv)
{
    namespace fs = std::filesystem;
    std::string tried;
    void *module = nullptr;
    // libgomp (LibTorch's threads) reads this when the engine loads it: a short spin at barriers, so a training
    // beside other busy programs slows 3-fold instead of 20-fold, at no cost alone (the same as nymstudio's main).
    ::setenv("GOMP_SPINCOUNT", "10000", 0);
    for (const fs::path &dir : companionDirs()) {
        const fs::path candidate = dir / "libnym_engine.so";
        module = dlopen(candidate.c_str(), RTLD_NOW | RTLD_LOCAL);
        if (module)
            break;
        const char *why = dlerror();
        tried += "\n  " + candidate.string() + ": " + (why ? why : "not found");
    }
    if (!module) {
        std::fprintf(stderr, "nym: cannot load the training engine (libnym_engine.so):%s\n", tried.c_str());
        return 1;
    }
    using Entry = int (*)(int, char **);
    auto entry = reinterpret_cast<Entry>(dlsym(module, "nym_engine_main"));
    if (!entry) {
        std::fprintf(stderr, "nym: the training engine module is damaged (no nym_engine_main).\n");
        return 1;
    }
    return entry(argc, argv);   // the module stays loaded until the process exits
}

}   // namespace nym::cli
