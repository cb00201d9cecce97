#pragma once

#include <cstdint>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

namespace nym {

// How findNeighbors searches. Defaults follow umap-learn 0.5 where it has a matching setting.
struct NeighborOptions
{
    // Neighbours per cell, the cell itself included as the first (umap-learn's n_neighbors). Default 15.
    // Larger: a more global view and slower; smaller: finer local structure. Capped at the number of cells.
    int neighbors = 15;
    // Brute-force (exact) search up to this many cells, HNSW above. nullopt: exact up to 5,000 cells (umap-learn
    // searches exactly below 4,096; exact search of 5,000 × 256 takes ≈0.1 s here, HNSW is no faster there).
    std::optional<std::int64_t> exactUpTo;
    // HNSW graph degree (hnswlib's M). Default 16 (hnswlib's). Larger: better recall, more memory and time.
    int hnswM = 16;
    // Candidate list while building (hnswlib's ef_construction). Default 64 (hnswlib's is 200: smaller builds
    // faster for a little recall; the recall against the exact search is tested).
    int efConstruction = 64;
    // Candidate list while searching; at least `neighbors`. Default 50.
    int efSearch = 50;
    std::uint64_t seed = 0;
    // Threads. 0: the hardware's (at most 8). The HNSW index is built as two shards (whatever the thread count),
    // each single-threaded and seeded, and every cell searches both: the result is the same for the same seed and
    // any thread count (a shared index built in parallel would depend on thread timing).
    int threads = 0;
};

// Each cell's nearest neighbours: row-major cells × k, the cell itself first (distance 0), then the others by
// increasing Euclidean distance (ties by index). Plain value type.
struct NeighborGraph
{
    std::int64_t cells = 0;
    int k = 0;
    std::vector<std::int32_t> index;
    std::vector<float> distance;
    std::string method;   // "exact" or "HNSW (M 16, ef 100/50, 2 shards)", for the user
};

// Finds the neighbours of every row of `data` (rows × cols, row-major, finite). Returns std::nullopt when the stop
// token fires. Throws nym::Error when there are fewer than 2 rows or more than 2^31 − 1.
std::optional<NeighborGraph> findNeighbors(const float *data, std::int64_t rows, std::int64_t cols,
    const NeighborOptions &options, std::stop_token stop = {});

}   // namespace nym
