#pragma once

#include "core/embed/umap.h"

#include <cstdint>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace nym::cli {

// The UMAP settings the CLI offers (`nym umap`; train and predict take the defaults with --umap).
struct UmapArgs
{
    UmapOptions options;
    int epochs = 0;   // 0: umap-learn's rule
    int pca = -1;     // -1: UmapOptions' rule
};
void addUmapOptions(CLI::App &command, UmapArgs &args);

// One cells × dims block of rows to lay out (a file's embedding), borrowed for the call.
struct EmbeddingBlock
{
    const float *values = nullptr;
    std::int64_t rows = 0;
    std::int64_t cols = 0;
    std::string name;   // the file, for messages
};

// Lays out all blocks in one map (a progress bar on a terminal) and returns each block's rows × 2 coordinates.
// `description` receives a one-line account of the run for the files' provenance. Throws nym::Error when the
// blocks' widths differ.
std::vector<std::vector<float>> jointUmap(const std::vector<EmbeddingBlock> &blocks, const UmapArgs &args,
    std::string &description);

}   // namespace nym::cli
