#include "core/embed/umap.h"

#include "core/common/error.h"
#include "core/common/parallel.h"
#include "core/common/xoshiro.h"
#include "core/embed/fuzzygraph.h"
#include "core/embed/neighbors.h"
#include "core/embed/pca.h"
#include "core/embed/spectral.h"
#include "core/embed/umapgradient_p.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <atomic>
#include <thread>
#include <numbers>
#include <numeric>

namespace nym {

namespace {

constexpr int kDims = 2;
constexpr std::uint64_t kPrefetch = 6;   // negative samples fetched ahead

double seconds(std::chrono::steady_clock::time_point since)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

// A barrier for a few threads that meet thousands of times per second (std::barrier sleeps in the kernel, which
// cost more than the work between two meetings at 10,000 cells): spins briefly, then yields.
class SpinBarrier
{
public:
    explicit SpinBarrier(int count) : m_count(count) { }
    void arriveAndWait()
    {
        const unsigned generation = m_generation.load(std::memory_order_acquire);
        if (m_waiting.fetch_add(1, std::memory_order_acq_rel) + 1 == m_count) {
            m_waiting.store(0, std::memory_order_relaxed);
            m_generation.fetch_add(1, std::memory_order_acq_rel);
            return;
        }
        for (int spin = 0; m_generation.load(std::memory_order_acquire) == generation; ++spin)
            if (spin > 2000)
                std::this_thread::yield();
    }

private:
    const int m_count;
    std::atomic<int> m_waiting {0};
    std::atomic<unsigned> m_generation {0};
};

// A draw in [0, n) from 64 random bits by multiply-high (a 64-bit modulo costs ≈30 cycles, several per cell).
inline std::uint64_t below(std::uint64_t bits, std::uint64_t n)
{
    __extension__ using Wide = unsigned __int128;
    return static_cast<std::uint64_t>((static_cast<Wide>(bits) * n) >> 64);
}

float clip(float v)
{
    return std::clamp(v, -4.0f, 4.0f);   // umap-learn's clip
}

// Scales a start to [0, 10] per axis (umap-learn 0.5 does this to every start). False when an axis has no range.
bool rescale(std::vector<float> &layout)
{
    for (int d = 0; d < kDims; ++d) {
        float lo = INFINITY, hi = -INFINITY;
        for (std::size_t i = static_cast<std::size_t>(d); i < layout.size(); i += kDims) {
            lo = std::min(lo, layout[i]);
            hi = std::max(hi, layout[i]);
        }
        if (!(hi - lo > 1e-12f * std::max(1.0f, std::abs(hi))))
            return false;
        for (std::size_t i = static_cast<std::size_t>(d); i < layout.size(); i += kDims)
            layout[i] = 10.0f * (layout[i] - lo) / (hi - lo);
    }
    return true;
}

// umap-learn's noisy start: scale so the largest coordinate is 10, add N(0, 1e-4) noise.
void expandWithNoise(std::vector<float> &layout, Xoshiro256 &rng)
{
    float largest = 0;
    for (float v : layout)
        largest = std::max(largest, std::abs(v));
    const float expansion = largest > 0 ? 10.0f / largest : 1.0f;
    for (std::size_t i = 0; i < layout.size(); i += 2) {
        // Box–Muller: two normals from two uniforms in (0, 1].
        const double u1 = (static_cast<double>(rng.starStar() >> 11) + 1.0) * 0x1.0p-53;
        const double u2 = static_cast<double>(rng.starStar() >> 11) * 0x1.0p-53;
        const double r = std::sqrt(-2.0 * std::log(u1)) * 1e-4;
        layout[i] = layout[i] * expansion + static_cast<float>(r * std::cos(2 * std::numbers::pi * u2));
        if (i + 1 < layout.size())
            layout[i + 1] = layout[i + 1] * expansion + static_cast<float>(r * std::sin(2 * std::numbers::pi * u2));
    }
}

}   // namespace

const char *umapStageName(UmapStage stage)
{
    switch (stage) {
    case UmapStage::Pca: return "principal components";
    case UmapStage::Neighbors: return "neighbours";
    case UmapStage::Graph: return "neighbour graph";
    case UmapStage::Initialisation: return "initial layout";
    case UmapStage::Epochs: return "layout";
    }
    return "";
}

std::pair<double, double> umapCurve(double spread, double minDist)
{
    if (!(spread > 0) || !(minDist >= 0) || minDist > spread || !std::isfinite(spread))
        throw Error("UMAP needs spread > 0 and 0 ≤ min-dist ≤ spread (spread " + std::to_string(spread) +
            ", min-dist " + std::to_string(minDist) + ").");
    // Levenberg–Marquardt on two parameters from a = b = 1 (scipy's curve_fit default start).
    constexpr int kPoints = 300;
    std::vector<double> x(kPoints), y(kPoints);
    for (int i = 0; i < kPoints; ++i) {
        x[static_cast<std::size_t>(i)] = 3.0 * spread * i / (kPoints - 1);
        y[static_cast<std::size_t>(i)] = x[static_cast<std::size_t>(i)] < minDist ? 1.0 : std::exp(-(x[static_cast<std::size_t>(i)] - minDist) / spread);
    }
    auto residual = [&](double a, double b) {
        double sum = 0;
        for (int i = 0; i < kPoints; ++i) {
            const double r = 1.0 / (1.0 + a * std::pow(x[static_cast<std::size_t>(i)], 2 * b)) - y[static_cast<std::size_t>(i)];
            sum += r * r;
        }
        return sum;
    };
    double a = 1, b = 1, lambda = 1e-3, current = residual(a, b);
    for (int iteration = 0; iteration < 500; ++iteration) {
        double jaa = 0, jab = 0, jbb = 0, ga = 0, gb = 0;
        for (int i = 0; i < kPoints; ++i) {
            const double xi = x[static_cast<std::size_t>(i)];
            if (xi <= 0)
                continue;   // the model is 1 there for every a, b: no gradient
            const double p = std::pow(xi, 2 * b), denom = 1.0 + a * p;
            const double f = 1.0 / denom, r = f - y[static_cast<std::size_t>(i)];
            const double da = -p / (denom * denom), db = -a * p * 2.0 * std::log(xi) / (denom * denom);
            jaa += da * da;
            jab += da * db;
            jbb += db * db;
            ga += da * r;
            gb += db * r;
        }
        bool improved = false;
        for (int tries = 0; tries < 30 && !improved; ++tries) {
            const double m00 = jaa * (1 + lambda), m11 = jbb * (1 + lambda), det = m00 * m11 - jab * jab;
            if (det == 0) {
                lambda *= 10;
                continue;
            }
            const double stepA = -(m11 * ga - jab * gb) / det, stepB = -(m00 * gb - jab * ga) / det;
            const double next = residual(a + stepA, b + stepB);
            if (next < current && a + stepA > 0 && b + stepB > 0) {
                const bool converged = current - next < 1e-15 * std::max(1.0, current);
                a += stepA;
                b += stepB;
                current = next;
                lambda = std::max(lambda / 10, 1e-12);
                improved = true;
                if (converged)
                    return {a, b};
            } else {
                lambda *= 10;
            }
        }
        if (!improved)
            break;
    }
    return {a, b};
}

class Umap::Impl
{
public:
    UmapOptions options;
    std::vector<float> data;
    std::int64_t rows = 0, cols = 0;
    int threads = 1;
    UmapInfo info;
    bool prepared = false;
    int epoch = 0, epochs = 0;
    std::vector<float> layout;
    // The epoch's schedule: cells in a fixed random order, in batches that move together (see optimiseEpoch).
    std::vector<std::int32_t> order;
    std::int64_t batchSize = 256;
    std::vector<float> moved;
    struct TailMove
    {
        std::int32_t cell;
        float dx, dy;
    };
    std::vector<std::vector<TailMove>> tailMoves;
    // The sampled graph, CSR by head cell, with umap-learn's per-edge schedules.
    std::vector<std::int64_t> rowStart;
    std::vector<std::int32_t> tail;
    std::vector<float> perSample, nextSample, perNegative, nextNegative;

    void prepareGraph(const FuzzyGraph &graph);
    void start(const FuzzyGraph &graph, const float *input, std::int64_t inputCols, const std::vector<float> *pcaScores, int pcaDims);
    void scheduleBatches();
    void optimiseEpoch(int n);
};

void Umap::Impl::scheduleBatches()
{
    // A random order, so that a batch rarely holds two neighbours (files are often sorted by cluster); batches of
    // 1/64 of the cells (at least 256, at most 16,384) keep positions within a batch stale for only 1.6% of the
    // neighbours, the cost of a reproducible parallel schedule.
    order.resize(static_cast<std::size_t>(rows));
    std::iota(order.begin(), order.end(), 0);
    Xoshiro256 rng(options.seed ^ 0x0bde5ull);
    for (std::size_t i = order.size(); i > 1; --i)
        std::swap(order[i - 1], order[static_cast<std::size_t>(rng.starStar() % i)]);
    batchSize = std::clamp<std::int64_t>(rows / 64, 256, 16384);
    // Within a batch, cells in index order: rows and positions are then read in increasing address order.
    for (std::int64_t first = 0; first < rows; first += batchSize)
        std::sort(order.begin() + first, order.begin() + std::min(rows, first + batchSize));
    moved.resize(static_cast<std::size_t>(batchSize) * kDims);
    tailMoves.assign(static_cast<std::size_t>(std::clamp<std::int64_t>(threads, 1, batchSize)), {});
}

void Umap::Impl::prepareGraph(const FuzzyGraph &graph)
{
    float maxWeight = 0;
    for (float w : graph.weight)
        maxWeight = std::max(maxWeight, w);
    // umap-learn drops edges below max / n_epochs: they would be sampled less than once.
    const float cut = maxWeight / static_cast<float>(epochs);
    rowStart.assign(static_cast<std::size_t>(rows) + 1, 0);
    tail.clear();
    perSample.clear();
    for (std::int64_t i = 0; i < rows; ++i) {
        for (auto e = graph.rowStart[static_cast<std::size_t>(i)]; e < graph.rowStart[static_cast<std::size_t>(i) + 1]; ++e) {
            const float w = graph.weight[static_cast<std::size_t>(e)];
            if (w < cut || !(w > 0))
                continue;
            tail.push_back(graph.column[static_cast<std::size_t>(e)]);
            perSample.push_back(maxWeight / w);   // umap-learn's epochs_per_sample
        }
        rowStart[static_cast<std::size_t>(i) + 1] = static_cast<std::int64_t>(tail.size());
    }
    nextSample = perSample;
    perNegative.resize(perSample.size());
    for (std::size_t e = 0; e < perSample.size(); ++e)
        perNegative[e] = perSample[e] / static_cast<float>(options.negativeSamples);
    nextNegative = perNegative;
    info.edges = static_cast<std::int64_t>(tail.size());
}

void Umap::Impl::start(const FuzzyGraph &graph, const float *input, std::int64_t inputCols,
    const std::vector<float> *pcaScores, int pcaDims)
{
    Xoshiro256 rng(options.seed ^ 0x5eed0f0a11a0e7ull);
    auto randomStart = [&] {
        layout.resize(static_cast<std::size_t>(rows) * kDims);
        for (float &v : layout)
            v = static_cast<float>(-10.0 + 20.0 * static_cast<double>(rng.starStar() >> 11) * 0x1.0p-53);
        rescale(layout);
    };
    auto pcaStart = [&] {
        if (pcaScores && pcaDims >= kDims) {
            layout.resize(static_cast<std::size_t>(rows) * kDims);
            for (std::int64_t i = 0; i < rows; ++i)
                for (int d = 0; d < kDims; ++d)
                    layout[static_cast<std::size_t>(i * kDims + d)] = (*pcaScores)[static_cast<std::size_t>(i * pcaDims + d)];
        } else {
            layout = principalComponents(input, rows, inputCols, kDims, threads).scores;
            layout.resize(static_cast<std::size_t>(rows) * kDims, 0.0f);   // one-column inputs: second axis 0
        }
        expandWithNoise(layout, rng);
        return rescale(layout);
    };
    info.components = connectedComponents(graph);
    if (options.init == UmapInit::Random) {
        info.initialisation = "random";
        randomStart();
        return;
    }
    std::string why;
    if (options.init == UmapInit::Spectral) {
        if (info.components > 1) {
            why = "the neighbour graph has " + std::to_string(info.components) + " disconnected parts";
        } else if (auto spectral = spectralLayout(graph, kDims, threads)) {
            layout = std::move(*spectral);
            expandWithNoise(layout, rng);
            if (rescale(layout)) {
                info.initialisation = "spectral";
                return;
            }
            why = "the spectral start was degenerate";
        } else {
            why = rows <= kDims + 1 ? "too few cells for a spectral start" : "the eigensolver did not converge";
        }
    }
    if (pcaStart()) {
        info.initialisation = why.empty() ? "PCA" : "PCA (" + why + ")";
        return;
    }
    randomStart();
    info.initialisation = "random (" + (why.empty() ? std::string() : why + "; ") + "the input has no variance)";
}

void Umap::Impl::optimiseEpoch(int n)
{
    const auto [a, b] = std::pair {static_cast<float>(info.a), static_cast<float>(info.b)};
    const float gamma = static_cast<float>(options.repulsion);
    // umap-learn updates alpha after each epoch from the epoch just run: epochs 0 and 1 both use the full rate.
    const float alpha = static_cast<float>(options.learningRate * (1.0 - std::max(0, n - 1) / static_cast<double>(epochs)));
    const float fn = static_cast<float>(n);
    const std::uint64_t epochKey = splitMix64At(options.seed ^ 0x0b5e55edull, static_cast<std::uint64_t>(n));
    const auto cells = static_cast<std::uint64_t>(rows);
    const std::int64_t batches = (rows + batchSize - 1) / batchSize;
    const int workers = static_cast<int>(std::clamp<std::int64_t>(threads, 1, batchSize));
    SpinBarrier sync(workers);
    // One batch: every head in it moves from the positions as they were when the batch began (the heads' new
    // positions go to `moved`), the tails' opposite moves are queued per worker; then the heads are written and the
    // queued moves applied in batch order, which is the order a single thread would have produced.
    runOnThreads(workers, [&](int worker) {
        for (std::int64_t batch = 0; batch < batches; ++batch) {
            const std::int64_t first = batch * batchSize, count = std::min(batchSize, rows - first);
            const std::int64_t mine = first + count * worker / workers, last = first + count * (worker + 1) / workers;
            auto &queue = tailMoves[static_cast<std::size_t>(worker)];
            queue.clear();
            for (std::int64_t position = mine; position < last; ++position) {
                const auto i = static_cast<std::size_t>(order[static_cast<std::size_t>(position)]);
                const std::uint64_t cellKey = splitMix64At(epochKey, i);
                std::uint64_t draws = 0;
                // Cells come in random order and negative samples land anywhere: fetch what comes next while this
                // cell computes (at a million cells nearly every access misses the caches).
                if (position + 2 < last)
                    __builtin_prefetch(&rowStart[static_cast<std::size_t>(order[static_cast<std::size_t>(position + 2)])]);
                if (position + 1 < last) {
                    const auto next = static_cast<std::size_t>(order[static_cast<std::size_t>(position + 1)]);
                    const auto edge = static_cast<std::size_t>(rowStart[next]);
                    __builtin_prefetch(&layout[next * kDims]);
                    __builtin_prefetch(&tail[edge]);
                    __builtin_prefetch(&nextSample[edge]);
                    __builtin_prefetch(&nextNegative[edge]);
                }
                auto negative = [&](std::uint64_t draw) { return static_cast<std::size_t>(below(splitMix64At(cellKey, draw), cells)); };
                for (std::uint64_t ahead = 0; ahead < kPrefetch; ++ahead)
                    __builtin_prefetch(&layout[negative(ahead) * kDims]);
                float cx = layout[i * kDims], cy = layout[i * kDims + 1];
                const auto rowEnd = static_cast<std::size_t>(rowStart[i + 1]);
                for (auto e = static_cast<std::size_t>(rowStart[i]); e < rowEnd; ++e) {
                    if (e + 3 < rowEnd)
                        __builtin_prefetch(&layout[static_cast<std::size_t>(tail[e + 3]) * kDims]);
                    if (nextSample[e] > fn)
                        continue;
                    const auto j = static_cast<std::size_t>(tail[e]);
                    float dx = cx - layout[j * kDims], dy = cy - layout[j * kDims + 1];
                    float d2 = dx * dx + dy * dy;
                    if (d2 > 0) {
                        const float coeff = umapgradient::attraction(d2, a, b);
                        const float gx = clip(coeff * dx) * alpha, gy = clip(coeff * dy) * alpha;
                        cx += gx;
                        cy += gy;
                        queue.push_back({static_cast<std::int32_t>(j), -gx, -gy});   // umap-learn's move_other
                    }
                    nextSample[e] += perSample[e];
                    const int negatives = static_cast<int>((fn - nextNegative[e]) / perNegative[e]);
                    for (int p = 0; p < negatives; ++p) {
                        __builtin_prefetch(&layout[negative(draws + kPrefetch) * kDims]);
                        const auto k = negative(draws++);
                        if (k == i)
                            continue;
                        dx = cx - layout[k * kDims];
                        dy = cy - layout[k * kDims + 1];
                        d2 = dx * dx + dy * dy;
                        if (d2 > 0) {
                            const float coeff = umapgradient::repulsion(d2, a, b, gamma);
                            cx += clip(coeff * dx) * alpha;
                            cy += clip(coeff * dy) * alpha;
                        } else {
                            cx += 4.0f * alpha;
                            cy += 4.0f * alpha;
                        }
                    }
                    nextNegative[e] += static_cast<float>(negatives) * perNegative[e];
                }
                moved[static_cast<std::size_t>(position - first) * kDims] = cx;
                moved[static_cast<std::size_t>(position - first) * kDims + 1] = cy;
            }
            sync.arriveAndWait();
            // Each worker writes the heads it moved, then (after every head is written) applies the queued tail
            // moves of the cells in its share of the index range, scanning the queues in batch order: each cell gets
            // its moves in the order one thread would have applied them.
            for (std::int64_t position = mine; position < last; ++position) {
                const auto i = static_cast<std::size_t>(order[static_cast<std::size_t>(position)]);
                layout[i * kDims] = moved[static_cast<std::size_t>(position - first) * kDims];
                layout[i * kDims + 1] = moved[static_cast<std::size_t>(position - first) * kDims + 1];
            }
            sync.arriveAndWait();
            const auto lowCell = static_cast<std::int32_t>(rows * worker / workers);
            const auto highCell = static_cast<std::int32_t>(rows * (worker + 1) / workers);
            for (const auto &q : tailMoves)
                for (const TailMove &m : q)
                    if (m.cell >= lowCell && m.cell < highCell) {
                        layout[static_cast<std::size_t>(m.cell) * kDims] += m.dx;
                        layout[static_cast<std::size_t>(m.cell) * kDims + 1] += m.dy;
                    }
            sync.arriveAndWait();   // before any queue is cleared for the next batch
        }
    });
}

Umap::Umap(std::vector<float> data, std::int64_t rows, std::int64_t cols, const UmapOptions &options)
    : d(std::make_unique<Impl>())
{
    if (rows < 2)
        throw Error("A UMAP layout needs at least 2 cells; the input has " + std::to_string(rows) + ".");
    if (cols < 1)
        throw Error("A UMAP layout needs at least one value per cell.");
    if (static_cast<std::int64_t>(data.size()) != rows * cols)
        throw Error("UMAP input: " + std::to_string(data.size()) + " values for " + std::to_string(rows) + " × " +
            std::to_string(cols) + ".");
    for (std::size_t at = 0; at < data.size(); ++at)
        if (!std::isfinite(data[at]))
            throw Error("UMAP input: cell " + std::to_string(at / static_cast<std::size_t>(cols) + 1) + ", dimension " +
                std::to_string(at % static_cast<std::size_t>(cols) + 1) + " is " + (std::isnan(data[at]) ? "NaN" : "infinite") +
                "; the embedding must be finite.");
    if (options.neighbors < 2)
        throw Error("UMAP needs at least 2 neighbours (the cell and one other); got " + std::to_string(options.neighbors) + ".");
    if (options.epochs && *options.epochs < 1)
        throw Error("UMAP needs at least one epoch; got " + std::to_string(*options.epochs) + ".");
    if (options.negativeSamples < 1 || !(options.learningRate > 0) || !(options.repulsion >= 0))
        throw Error("UMAP needs negative samples ≥ 1, a learning rate > 0 and a repulsion ≥ 0.");
    if (options.pcaComponents && *options.pcaComponents < 0)
        throw Error("UMAP: the number of principal components cannot be negative.");
    d->options = options;
    d->data = std::move(data);
    d->rows = rows;
    d->cols = cols;
    d->threads = options.threads > 0 ? options.threads : defaultThreadCount();
    d->epochs = options.epochs.value_or(rows <= 10000 ? 500 : 200);
    const auto [a, b] = umapCurve(options.spread, options.minDist);
    d->info.a = a;
    d->info.b = b;
    d->info.cells = rows;
    d->info.inputDims = cols;
    d->info.epochs = d->epochs;
}

Umap::~Umap() = default;

bool Umap::prepare(const UmapProgress &progress, std::stop_token stop)
{
    if (d->prepared)
        return true;
    const auto started = std::chrono::steady_clock::now();
    auto report = [&](UmapStage stage, double fraction) {
        if (progress)
            progress(stage, fraction);
    };
    const int pca = d->options.pcaComponents.value_or(d->cols > 50 && d->rows > 50000 ? 50 : 0);
    PcaResult reduced;
    const float *input = d->data.data();
    std::int64_t inputCols = d->cols;
    if (pca > 0 && pca < d->cols) {
        report(UmapStage::Pca, 0);
        const auto t = std::chrono::steady_clock::now();
        reduced = principalComponents(d->data.data(), d->rows, d->cols, pca, d->threads);
        d->info.pcaSeconds = seconds(t);
        input = reduced.scores.data();
        inputCols = reduced.components;
        d->info.pcaComponents = reduced.components;
    }
    if (stop.stop_requested())
        return false;
    report(UmapStage::Neighbors, 0);
    NeighborOptions search;
    search.neighbors = d->options.neighbors;
    search.exactUpTo = d->options.exactNeighborsUpTo;
    search.seed = d->options.seed;
    search.threads = d->threads;
    auto stage = std::chrono::steady_clock::now();
    auto neighbors = findNeighbors(input, d->rows, inputCols, search, stop);
    d->info.neighborSeconds = seconds(stage);
    if (!neighbors)
        return false;
    d->info.neighborMethod = neighbors->method;
    report(UmapStage::Graph, 0);
    stage = std::chrono::steady_clock::now();
    const FuzzyGraph graph = fuzzySimplicialSet(*neighbors, d->threads);
    neighbors.reset();
    d->info.graphSeconds = seconds(stage);
    if (stop.stop_requested())
        return false;
    report(UmapStage::Initialisation, 0);
    stage = std::chrono::steady_clock::now();
    d->prepareGraph(graph);
    d->start(graph, d->data.data(), d->cols, d->info.pcaComponents > 0 ? &reduced.scores : nullptr, d->info.pcaComponents);
    d->scheduleBatches();
    d->info.startSeconds = seconds(stage);
    // The input is no longer needed; a million 256-d cells hold 1 GB.
    std::vector<float>().swap(d->data);
    d->prepared = true;
    d->info.prepareSeconds = seconds(started);
    return true;
}

bool Umap::prepared() const
{
    return d->prepared;
}

int Umap::epoch() const
{
    return d->epoch;
}

int Umap::numEpochs() const
{
    return d->epochs;
}

bool Umap::finished() const
{
    return d->prepared && d->epoch >= d->epochs;
}

bool Umap::runEpoch(std::stop_token stop)
{
    if (!prepare({}, stop) || stop.stop_requested())
        return false;
    if (finished())
        return true;
    const auto started = std::chrono::steady_clock::now();
    d->optimiseEpoch(d->epoch);
    ++d->epoch;
    d->info.epochSeconds += seconds(started);
    return true;
}

bool Umap::run(const UmapProgress &progress, std::stop_token stop)
{
    if (!prepare(progress, stop))
        return false;
    while (!finished()) {
        if (!runEpoch(stop))
            return false;
        if (progress && (d->epoch % 5 == 0 || finished()))
            progress(UmapStage::Epochs, static_cast<double>(d->epoch) / d->epochs);
    }
    return true;
}

const std::vector<float> &Umap::layout() const
{
    return d->layout;
}

const UmapInfo &Umap::info() const
{
    return d->info;
}

const UmapOptions &Umap::options() const
{
    return d->options;
}

}   // namespace nym
