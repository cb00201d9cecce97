#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

namespace nym {

enum class UmapInit
{
    Spectral,   // eigenvectors of the fuzzy graph's Laplacian (umap-learn's default)
    Pca,        // the input's first two principal components
    Random      // uniform in [−10, 10]²
};

// UMAP's settings (McInnes, Healy & Melville 2018). Defaults are umap-learn 0.5's.
struct UmapOptions
{
    // Neighbours per cell, the cell itself included (n_neighbors). Default 15. Larger keeps more global
    // structure and costs more; smaller shows finer local structure and can split clusters.
    int neighbors = 15;
    // Smallest distance between points in the layout (min_dist). Default 0.1. Smaller packs clusters tightly;
    // larger spreads them out evenly.
    double minDist = 0.1;
    // Scale of the layout (spread); with minDist it fixes the curve parameters a, b. Default 1.
    double spread = 1.0;
    // Where the layout starts. Default spectral; when the graph is disconnected or the eigensolver does not
    // converge the start falls back to PCA (then random when the input has no variance): UmapInfo says which.
    UmapInit init = UmapInit::Spectral;
    // Optimisation epochs. nullopt: 500 up to 10,000 cells and 200 above (umap-learn's rule).
    std::optional<int> epochs;
    // Repulsive samples per attractive one (negative_sample_rate). Default 5.
    int negativeSamples = 5;
    // Initial step size (learning_rate), decreasing linearly to 0. Default 1.
    double learningRate = 1.0;
    // Weight of the repulsive term (repulsion_strength, gamma). Default 1.
    double repulsion = 1.0;
    // Reduce the input to this many principal components before the neighbour search. nullopt: 50 components
    // when the input has more than 50 columns and more than 50,000 rows (as scanpy reduces to 50 PCs), otherwise
    // none; 0: never. Saves most of the neighbour search's time on wide inputs; on scNym's 256-d embedding the
    // neighbours kept are within a few percent of the full input's (see the README's performance table).
    std::optional<int> pcaComponents;
    // Exact neighbour search up to this many cells, HNSW above (NeighborOptions::exactUpTo). nullopt: 5,000.
    std::optional<std::int64_t> exactNeighborsUpTo;
    std::uint64_t seed = 0;
    // Threads. 0: the hardware's (at most 8). The same seed gives the same layout for any thread count.
    int threads = 0;
};

// What a run did, in words and numbers, for the user and the file's provenance.
struct UmapInfo
{
    std::int64_t cells = 0;
    std::int64_t inputDims = 0;
    int pcaComponents = 0;             // 0: the input was used as it is
    std::string neighborMethod;        // "exact" or the HNSW settings
    std::string initialisation;        // "spectral", or the fallback and why
    std::int64_t components = 0;       // connected components of the neighbour graph
    std::int64_t edges = 0;            // edges the optimisation samples (after pruning)
    int epochs = 0;
    double a = 0, b = 0;               // the fitted curve 1 / (1 + a d^2b)
    double prepareSeconds = 0, epochSeconds = 0;
    double pcaSeconds = 0, neighborSeconds = 0, graphSeconds = 0, startSeconds = 0;   // parts of prepareSeconds
};

enum class UmapStage
{
    Pca,
    Neighbors,
    Graph,
    Initialisation,
    Epochs
};
const char *umapStageName(UmapStage stage);   // "principal components", "neighbours", ...

// Called on the computing thread with the stage and its fraction done (0–1).
using UmapProgress = std::function<void(UmapStage stage, double fraction)>;

// a, b of the curve 1 / (1 + a d^2b) fitted by least squares to 1 for d < minDist and exp(−(d − minDist)/spread)
// above, on 300 points of [0, 3·spread] (umap-learn's find_ab_params). Throws nym::Error for minDist < 0,
// spread <= 0 or minDist > spread.
std::pair<double, double> umapCurve(double spread, double minDist);

// One UMAP layout of the rows of a dense matrix, resumable like the Trainer: prepare() builds the neighbour
// graph and the start, runEpoch() advances the optimisation one epoch; running in pieces gives the same layout as
// in one go. Owned by one thread at a time; the stop token may fire from any thread and is honoured between
// steps. Seeded: the same input and options give the same layout (bit for bit) for any thread count: each stage
// works per cell or in blocks that do not depend on the thread count and sums in a fixed order, so the app (which
// keeps a core free) and `nym umap` (all cores) write the same map.
//
// The optimisation follows umap-learn's optimize_layout_euclidean (edge sampling by weight, negative sampling,
// clipped gradients, linearly decaying step, both ends of an edge moved). Deviation, for reproducible parallel
// runs: cells are visited in a fixed random order in small batches (1/64 of the cells); within a batch, threads
// read positions as they were when the batch began and the moves are applied in batch order afterwards, so the
// result does not depend on thread timing. umap-learn's and uwot's parallel modes race on shared positions
// instead and are not reproducible.
class Umap
{
public:
    // data: rows × cols, row-major. Throws nym::Error for NaN/infinite values (naming the cell and dimension),
    // fewer than 2 rows, no columns, or invalid options.
    Umap(std::vector<float> data, std::int64_t rows, std::int64_t cols, const UmapOptions &options = {});
    ~Umap();
    Umap(const Umap &) = delete;
    Umap &operator=(const Umap &) = delete;

    // PCA (when chosen), neighbours, fuzzy graph and the start. False when stopped (call again to start over).
    bool prepare(const UmapProgress &progress = {}, std::stop_token stop = {});
    bool prepared() const;
    int epoch() const;       // epochs done
    int numEpochs() const;
    bool finished() const;
    // One epoch (prepares first when needed). False when stopped before it ran.
    bool runEpoch(std::stop_token stop = {});
    // Prepares and runs the remaining epochs; false when stopped.
    bool run(const UmapProgress &progress = {}, std::stop_token stop = {});
    // The current layout, rows × 2 (empty before prepare()).
    const std::vector<float> &layout() const;
    const UmapInfo &info() const;
    const UmapOptions &options() const;

private:
    class Impl;
    std::unique_ptr<Impl> d;
};

}   // namespace nym
