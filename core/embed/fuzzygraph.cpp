#include "core/embed/fuzzygraph.h"

#include "core/common/parallel.h"
#include "core/embed/neighbors.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace nym {

namespace {

constexpr double kSmoothTolerance = 1e-5;   // umap-learn's SMOOTH_K_TOLERANCE
constexpr double kMinScale = 1e-3;          // umap-learn's MIN_K_DIST_SCALE

}   // namespace

LocalScales smoothKnnDistances(const NeighborGraph &graph, int threads)
{
    const std::int64_t n = graph.cells;
    const int k = graph.k;
    LocalScales scales;
    scales.rho.assign(static_cast<std::size_t>(n), 0.0f);
    scales.sigma.assign(static_cast<std::size_t>(n), 1.0f);
    if (k < 2)
        return scales;
    const double target = std::log2(static_cast<double>(k));
    double total = 0;
    for (float d : graph.distance)
        total += d;
    const double meanDistance = total / static_cast<double>(graph.distance.size());
    parallelFor(threads, n, [&](std::int64_t begin, std::int64_t end) {
        for (std::int64_t i = begin; i < end; ++i) {
            const float *d = graph.distance.data() + i * k;
            // Position 0 is the cell itself; rho is the first non-zero distance (local_connectivity 1).
            double rho = 0, rowMean = 0;
            for (int j = 1; j < k; ++j) {
                if (rho == 0 && d[j] > 0)
                    rho = d[j];
                rowMean += d[j];
            }
            rowMean /= k;   // over all k with the cell's own 0, as umap-learn's mean_ith_distances
            double lo = 0, hi = std::numeric_limits<double>::infinity(), mid = 1;
            for (int step = 0; step < 64; ++step) {
                double psum = 0;
                for (int j = 1; j < k; ++j) {
                    const double excess = d[j] - rho;
                    psum += excess > 0 ? std::exp(-excess / mid) : 1.0;
                }
                if (std::abs(psum - target) < kSmoothTolerance)
                    break;
                if (psum > target) {
                    hi = mid;
                    mid = (lo + hi) / 2;
                } else {
                    lo = mid;
                    mid = std::isinf(hi) ? mid * 2 : (lo + hi) / 2;
                }
            }
            const double floor = kMinScale * (rho > 0 ? rowMean : meanDistance);
            scales.rho[static_cast<std::size_t>(i)] = static_cast<float>(rho);
            scales.sigma[static_cast<std::size_t>(i)] = static_cast<float>(std::max(mid, floor));
        }
    });
    return scales;
}

FuzzyGraph fuzzySimplicialSet(const NeighborGraph &graph, int threads)
{
    const std::int64_t n = graph.cells;
    const int k = graph.k;
    const LocalScales scales = smoothKnnDistances(graph, threads);
    // Directed memberships; self and zero-weight entries dropped.
    std::vector<float> directed(graph.index.size(), 0.0f);
    parallelFor(threads, n, [&](std::int64_t begin, std::int64_t end) {
        for (std::int64_t i = begin; i < end; ++i) {
            const float rho = scales.rho[static_cast<std::size_t>(i)], sigma = scales.sigma[static_cast<std::size_t>(i)];
            for (int j = 0; j < k; ++j) {
                const std::size_t at = static_cast<std::size_t>(i * k + j);
                // Skip the cell itself and a padded repeat (a search that came back short).
                if (graph.index[at] == i || (j > 1 && graph.index[at] == graph.index[at - 1]))
                    continue;
                const float excess = graph.distance[at] - rho;
                directed[at] = (excess <= 0 || sigma == 0) ? 1.0f : std::exp(-excess / sigma);
            }
        }
    });
    // Each directed edge i→j goes into row i and row j; a pair present in both directions then appears twice in a
    // row (once per direction) and is merged as a + b − ab.
    std::vector<std::int64_t> count(static_cast<std::size_t>(n) + 1, 0);
    for (std::size_t at = 0; at < graph.index.size(); ++at) {
        if (directed[at] <= 0)
            continue;
        ++count[at / static_cast<std::size_t>(k) + 1];
        ++count[static_cast<std::size_t>(graph.index[at]) + 1];
    }
    std::partial_sum(count.begin(), count.end(), count.begin());
    std::vector<std::int64_t> fill(count.begin(), count.end() - 1);
    struct Entry
    {
        std::int32_t column;
        float weight;
    };
    std::vector<Entry> entries(static_cast<std::size_t>(count.back()));
    for (std::size_t at = 0; at < graph.index.size(); ++at) {
        if (directed[at] <= 0)
            continue;
        const auto i = static_cast<std::int32_t>(at / static_cast<std::size_t>(k));
        const std::int32_t j = graph.index[at];
        entries[static_cast<std::size_t>(fill[static_cast<std::size_t>(i)]++)] = {j, directed[at]};
        entries[static_cast<std::size_t>(fill[static_cast<std::size_t>(j)]++)] = {i, directed[at]};
    }
    // Merge per row; rows are independent, so sort and count in parallel, then compact.
    std::vector<std::int64_t> kept(static_cast<std::size_t>(n), 0);
    parallelFor(threads, n, [&](std::int64_t begin, std::int64_t end) {
        for (std::int64_t i = begin; i < end; ++i) {
            auto first = entries.begin() + count[static_cast<std::size_t>(i)];
            auto last = entries.begin() + count[static_cast<std::size_t>(i) + 1];
            std::sort(first, last, [](const Entry &a, const Entry &b) {
                return a.column < b.column || (a.column == b.column && a.weight < b.weight);
            });
            auto out = first;
            for (auto it = first; it != last; ++it) {
                if (out != first && (out - 1)->column == it->column) {
                    const float a = (out - 1)->weight, b = it->weight;
                    (out - 1)->weight = a + b - a * b;
                } else {
                    *out++ = *it;
                }
            }
            kept[static_cast<std::size_t>(i)] = out - first;
        }
    });
    FuzzyGraph fuzzy;
    fuzzy.cells = n;
    fuzzy.rowStart.assign(static_cast<std::size_t>(n) + 1, 0);
    for (std::int64_t i = 0; i < n; ++i)
        fuzzy.rowStart[static_cast<std::size_t>(i) + 1] = fuzzy.rowStart[static_cast<std::size_t>(i)] + kept[static_cast<std::size_t>(i)];
    fuzzy.column.resize(static_cast<std::size_t>(fuzzy.rowStart.back()));
    fuzzy.weight.resize(fuzzy.column.size());
    parallelFor(threads, n, [&](std::int64_t begin, std::int64_t end) {
        for (std::int64_t i = begin; i < end; ++i) {
            std::int64_t to = fuzzy.rowStart[static_cast<std::size_t>(i)];
            for (std::int64_t e = 0; e < kept[static_cast<std::size_t>(i)]; ++e, ++to) {
                const Entry &entry = entries[static_cast<std::size_t>(count[static_cast<std::size_t>(i)] + e)];
                fuzzy.column[static_cast<std::size_t>(to)] = entry.column;
                fuzzy.weight[static_cast<std::size_t>(to)] = entry.weight;
            }
        }
    });
    return fuzzy;
}

std::int64_t connectedComponents(const FuzzyGraph &graph)
{
    const auto n = static_cast<std::size_t>(graph.cells);
    std::vector<std::int32_t> parent(n);
    std::iota(parent.begin(), parent.end(), 0);
    auto find = [&](std::int32_t x) {
        while (parent[static_cast<std::size_t>(x)] != x) {
            parent[static_cast<std::size_t>(x)] = parent[static_cast<std::size_t>(parent[static_cast<std::size_t>(x)])];
            x = parent[static_cast<std::size_t>(x)];
        }
        return x;
    };
    std::int64_t components = graph.cells;
    for (std::size_t i = 0; i < n; ++i) {
        for (auto e = graph.rowStart[i]; e < graph.rowStart[i + 1]; ++e) {
            if (graph.weight[static_cast<std::size_t>(e)] <= 0)
                continue;
            const std::int32_t a = find(static_cast<std::int32_t>(i)), b = find(graph.column[static_cast<std::size_t>(e)]);
            if (a != b) {
                parent[static_cast<std::size_t>(std::max(a, b))] = std::min(a, b);
                --components;
            }
        }
    }
    return components;
}

}   // namespace nym
