#include "app/nym/umaplayout.h"
#include "app/nym/common.h"

#include "core/common/error.h"
#include "core/common/parallel.h"

#include <CLI/CLI.hpp>

#include <cstdio>

namespace nym::cli {

void addUmapOptions(CLI::App &command, UmapArgs &args)
{
    command.add_option("--neighbors", args.options.neighbors, "Neighbours per cell, itself included (umap-learn's n_neighbors)")
        ->capture_default_str()->check(CLI::Range(2, 500));
    command.add_option("--min-dist", args.options.minDist, "Smallest distance between points in the map")
        ->capture_default_str()->check(CLI::Range(0.0, 1.0));
    command.add_option("--epochs", args.epochs, "Optimisation epochs (default: 500 up to 10,000 cells, 200 above)")
        ->check(CLI::Range(1, 100000));
    command.add_option("--pca", args.pca,
        "Principal components to search neighbours in (0: none; default: 50 for inputs wider than 50 with more "
        "than 50,000 cells)")->check(CLI::Range(0, 10000));
    command.add_option("--seed", args.options.seed, "Random seed (same seed: same map, with any thread count)")->capture_default_str();
    command.add_option("--threads", args.options.threads, "Threads (default: all cores, at most 8)")->check(CLI::Range(0, 256));
}

std::vector<std::vector<float>> jointUmap(const std::vector<EmbeddingBlock> &blocks, const UmapArgs &args,
    std::string &description)
{
    if (blocks.empty())
        throw Error("There is nothing to lay out.");
    std::int64_t rows = 0;
    const std::int64_t cols = blocks.front().cols;
    for (const auto &b : blocks) {
        if (b.cols != cols)
            throw Error(b.name + ": its embedding has " + std::to_string(b.cols) + " dimensions but " + blocks.front().name +
                "'s has " + std::to_string(cols) + "; files laid out together need the same embedding.");
        rows += b.rows;
    }
    std::vector<float> all;
    all.reserve(static_cast<std::size_t>(rows * cols));
    for (const auto &b : blocks)
        all.insert(all.end(), b.values, b.values + b.rows * b.cols);
    UmapOptions options = args.options;
    if (args.epochs > 0)
        options.epochs = args.epochs;
    if (args.pca >= 0)
        options.pcaComponents = args.pca;
    if (options.threads <= 0)
        options.threads = defaultThreadCount();
    Umap umap(std::move(all), rows, cols, options);
    ProgressBar bar("UMAP");
    umap.run([&](UmapStage stage, double fraction) {
        const double base = stage == UmapStage::Epochs ? 0.1 : 0.0;
        bar.update(base + (stage == UmapStage::Epochs ? 0.9 * fraction : 0.0), umapStageName(stage));
    });
    bar.finish();
    const UmapInfo &info = umap.info();
    char line[512];
    std::snprintf(line, sizeof line,
        "UMAP of %lld cells × %lld dims%s: %d neighbours (%s), min_dist %.3g, spread %.3g, %d epochs, %s start, seed %llu, "
        "%d threads; a %.4f, b %.4f",
        static_cast<long long>(rows), static_cast<long long>(cols),
        info.pcaComponents > 0 ? (" (" + std::to_string(info.pcaComponents) + " PCs)").c_str() : "",
        options.neighbors, info.neighborMethod.c_str(), options.minDist, options.spread, info.epochs,
        info.initialisation.c_str(), static_cast<unsigned long long>(options.seed), options.threads, info.a, info.b);
    description = line;
    std::printf("%s\n  %.1f s: PCA %.1f s, neighbours %.1f s, graph %.1f s, start %.1f s, %d epochs %.1f s\n",
        description.c_str(), info.prepareSeconds + info.epochSeconds, info.pcaSeconds, info.neighborSeconds,
        info.graphSeconds, info.startSeconds, info.epochs, info.epochSeconds);
    std::vector<std::vector<float>> out;
    std::int64_t at = 0;
    for (const auto &b : blocks) {
        out.emplace_back(umap.layout().begin() + at * 2, umap.layout().begin() + (at + b.rows) * 2);
        at += b.rows;
    }
    return out;
}

}   // namespace nym::cli
