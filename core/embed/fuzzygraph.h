#pragma once

#include <cstdint>
#include <vector>

namespace nym {

struct NeighborGraph;

// Each cell's local distance scale (McInnes et al. 2018, §3; umap-learn's smooth_knn_dist): rho is the distance
// to its nearest neighbour at a non-zero distance, sigma solves Σ_j exp(−max(0, d_ij − rho)/sigma) = log2(k) over
// its k − 1 neighbours (bisection, 64 steps, tolerance 1e-5), floored at 1e-3 × the mean neighbour distance as
// umap-learn does.
struct LocalScales
{
    std::vector<float> rho;
    std::vector<float> sigma;
};
LocalScales smoothKnnDistances(const NeighborGraph &graph, int threads = 1);

// The symmetric fuzzy neighbour graph UMAP lays out (umap-learn's fuzzy_simplicial_set with set_op_mix_ratio 1):
// w_ij = exp(−max(0, d_ij − rho_i)/sigma_i) for j among i's neighbours, then w ∪ wᵀ = w + wᵀ − w∘wᵀ. Stored as
// CSR with sorted columns and no self-loops. Plain value type.
struct FuzzyGraph
{
    std::int64_t cells = 0;
    std::vector<std::int64_t> rowStart;   // cells + 1
    std::vector<std::int32_t> column;
    std::vector<float> weight;

    std::int64_t edges() const { return static_cast<std::int64_t>(column.size()); }
};
FuzzyGraph fuzzySimplicialSet(const NeighborGraph &graph, int threads = 1);

// Number of connected components of the graph (edges of any weight > 0).
std::int64_t connectedComponents(const FuzzyGraph &graph);

}   // namespace nym
