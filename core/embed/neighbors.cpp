#include "core/embed/neighbors.h"

#include "core/common/error.h"
#include "core/common/parallel.h"

#include <Eigen/Core>
#include <hnswlib/hnswlib.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>
#include <memory>
#include <utility>

namespace nym {

namespace {

using Candidate = std::pair<float, std::int32_t>;   // squared distance, cell

// Writes row `cell` of the graph from candidates (any order, may contain the cell itself and duplicates from
// several shards): the cell first, then the k − 1 nearest others.
void writeRow(NeighborGraph &graph, std::int64_t cell, std::vector<Candidate> &candidates)
{
    std::sort(candidates.begin(), candidates.end());
    const std::size_t at = static_cast<std::size_t>(cell) * static_cast<std::size_t>(graph.k);
    graph.index[at] = static_cast<std::int32_t>(cell);
    graph.distance[at] = 0.0f;
    int filled = 1;
    std::int32_t previous = -1;
    for (const auto &[d2, other] : candidates) {
        if (filled == graph.k)
            break;
        if (other == cell || other == previous)
            continue;
        graph.index[at + static_cast<std::size_t>(filled)] = other;
        graph.distance[at + static_cast<std::size_t>(filled)] = std::sqrt(std::max(d2, 0.0f));
        previous = other;
        ++filled;
    }
    // Fewer candidates than k − 1 (only when the search came back short): repeat the farthest found.
    for (; filled < graph.k; ++filled) {
        graph.index[at + static_cast<std::size_t>(filled)] = graph.index[at + static_cast<std::size_t>(filled - 1)];
        graph.distance[at + static_cast<std::size_t>(filled)] = graph.distance[at + static_cast<std::size_t>(filled - 1)];
    }
}

bool exactSearch(const float *data, std::int64_t rows, std::int64_t cols, NeighborGraph &graph, int threads,
    const std::stop_token &stop)
{
    using Matrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    const Eigen::Map<const Matrix> x(data, rows, cols);
    const Eigen::VectorXf norms = x.rowwise().squaredNorm();
    constexpr std::int64_t kBlock = 256;
    std::atomic<bool> stopped {false};
    parallelFor(threads, (rows + kBlock - 1) / kBlock, [&](std::int64_t firstBlock, std::int64_t lastBlock) {
        std::vector<Candidate> candidates;
        for (std::int64_t b = firstBlock; b < lastBlock && !stopped; ++b) {
            if (stop.stop_requested()) {
                stopped = true;
                return;
            }
            const std::int64_t begin = b * kBlock, count = std::min(kBlock, rows - begin);
            const Matrix dots = x.middleRows(begin, count) * x.transpose();
            for (std::int64_t r = 0; r < count; ++r) {
                candidates.clear();
                candidates.reserve(static_cast<std::size_t>(rows));
                for (std::int64_t c = 0; c < rows; ++c)
                    candidates.emplace_back(norms[begin + r] + norms[c] - 2.0f * dots(r, c), static_cast<std::int32_t>(c));
                const auto keep = std::min<std::size_t>(candidates.size(), static_cast<std::size_t>(graph.k) + 1);
                std::partial_sort(candidates.begin(), candidates.begin() + static_cast<std::ptrdiff_t>(keep), candidates.end());
                candidates.resize(keep);
                writeRow(graph, begin + r, candidates);
            }
        }
    });
    return !stopped;
}

bool hnswSearch(const float *data, std::int64_t rows, std::int64_t cols, NeighborGraph &graph,
    const NeighborOptions &options, int threads, const std::stop_token &stop)
{
    // Two shards whatever the thread count (one under 2,000 cells), so the graph is the same for any thread count.
    // Every cell searches every shard and a search costs nearly as much in a small shard as in a large one, so
    // shards beyond two cost more in searching than their parallel building saves (100,000 × 50: 6.4 s with 2
    // shards on 2 threads, 9.4 s with 4, 15 s with 8; on 8 threads 2 shards are estimated as fast as 8).
    const int shards = static_cast<int>(std::clamp<std::int64_t>(rows / 1000, 1, 2));
    hnswlib::L2Space space(static_cast<std::size_t>(cols));
    std::vector<std::unique_ptr<hnswlib::HierarchicalNSW<float>>> index(static_cast<std::size_t>(shards));
    std::atomic<bool> stopped {false};
    const auto shardBegin = [&](std::int64_t s) { return rows * s / shards; };
    parallelFor(threads, shards, [&](std::int64_t firstShard, std::int64_t lastShard) {
        for (std::int64_t s = firstShard; s < lastShard; ++s) {
            const std::int64_t begin = shardBegin(s), end = shardBegin(s + 1);
            auto shard = std::make_unique<hnswlib::HierarchicalNSW<float>>(&space, static_cast<std::size_t>(end - begin),
                static_cast<std::size_t>(options.hnswM), static_cast<std::size_t>(options.efConstruction),
                static_cast<std::size_t>(options.seed + static_cast<std::uint64_t>(s) * 7919u + 100u));
            for (std::int64_t r = begin; r < end; ++r) {
                if ((r & 1023) == 0 && (stopped || stop.stop_requested())) {
                    stopped = true;
                    return;
                }
                shard->addPoint(data + r * cols, static_cast<hnswlib::labeltype>(r));
            }
            shard->setEf(static_cast<std::size_t>(std::max(options.efSearch, graph.k + 1)));
            index[static_cast<std::size_t>(s)] = std::move(shard);
        }
    });
    if (stopped)
        return false;
    parallelFor(threads, rows, [&](std::int64_t begin, std::int64_t end) {
        std::vector<Candidate> candidates;
        for (std::int64_t r = begin; r < end; ++r) {
            if ((r & 1023) == 0 && (stopped || stop.stop_requested())) {
                stopped = true;
                return;
            }
            candidates.clear();
            for (const auto &shard : index) {
                auto found = shard->searchKnn(data + r * cols, static_cast<std::size_t>(graph.k) + 1);
                for (; !found.empty(); found.pop())
                    candidates.emplace_back(found.top().first, static_cast<std::int32_t>(found.top().second));
            }
            writeRow(graph, r, candidates);
        }
    });
    if (stopped)
        return false;
    graph.method = "HNSW (M " + std::to_string(options.hnswM) + ", ef " + std::to_string(options.efConstruction) + "/" +
        std::to_string(std::max(options.efSearch, graph.k + 1)) + ", " + std::to_string(shards) +
        (shards == 1 ? " shard)" : " shards)");
    return true;
}

}   // namespace

std::optional<NeighborGraph> findNeighbors(const float *data, std::int64_t rows, std::int64_t cols,
    const NeighborOptions &options, std::stop_token stop)
{
    if (rows < 2)
        throw Error("Neighbours need at least 2 cells; the input has " + std::to_string(rows) + ".");
    if (rows > std::numeric_limits<std::int32_t>::max())
        throw Error("Neighbours: " + std::to_string(rows) + " cells is more than this build supports (2^31 − 1).");
    if (cols < 1)
        throw Error("Neighbours need at least one dimension per cell.");
    if (options.neighbors < 2)
        throw Error("The number of neighbours must be at least 2 (the cell itself and one other); it is " +
            std::to_string(options.neighbors) + ".");
    NeighborGraph graph;
    graph.cells = rows;
    graph.k = static_cast<int>(std::min<std::int64_t>(options.neighbors, rows));
    graph.index.resize(static_cast<std::size_t>(rows) * static_cast<std::size_t>(graph.k));
    graph.distance.resize(graph.index.size());
    const int threads = options.threads > 0 ? options.threads : defaultThreadCount();
    const std::int64_t exactUpTo = options.exactUpTo.value_or(5000);
    if (rows <= exactUpTo) {
        graph.method = "exact";
        if (!exactSearch(data, rows, cols, graph, threads, stop))
            return std::nullopt;
    } else if (!hnswSearch(data, rows, cols, graph, options, threads, stop)) {
        return std::nullopt;
    }
    return graph;
}

}   // namespace nym
