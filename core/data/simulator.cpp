#include "core/data/simulator.h"

#include "core/common/error.h"
#include "core/common/xoshiro.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace nym {

namespace {

// The simulator's draws: xoshiro256** (platform-independent) with the distributions it needs.
class Rng
{
public:
    explicit Rng(std::uint64_t seed)
        : m_gen(seed)
    {
    }
    std::uint64_t next() { return m_gen.starStar(); }
    double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
    double normal()
    {
        double u1 = uniform();
        while (u1 <= 0.0)
            u1 = uniform();
        return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * uniform());
    }
    std::uint64_t below(std::uint64_t n) { return static_cast<std::uint64_t>(uniform() * static_cast<double>(n)) % n; }

private:
    Xoshiro256 m_gen;
};

// Walker's alias table: O(1) draws from a fixed discrete distribution.
class AliasTable
{
public:
    explicit AliasTable(const std::vector<double> &weights)
    {
        const std::size_t n = weights.size();
        m_prob.assign(n, 0.0);
        m_alias.assign(n, 0);
        const double total = std::accumulate(weights.begin(), weights.end(), 0.0);
        std::vector<double> scaled(n);
        std::vector<std::uint32_t> small, large;
        for (std::size_t i = 0; i < n; ++i) {
            scaled[i] = weights[i] * static_cast<double>(n) / total;
            (scaled[i] < 1.0 ? small : large).push_back(static_cast<std::uint32_t>(i));
        }
        while (!small.empty() && !large.empty()) {
            const auto s = small.back(), l = large.back();
            small.pop_back();
            m_prob[s] = scaled[s];
            m_alias[s] = l;
            scaled[l] = scaled[l] + scaled[s] - 1.0;
            if (scaled[l] < 1.0) {
                large.pop_back();
                small.push_back(l);
            }
        }
        for (auto i : large)
            m_prob[i] = 1.0;
        for (auto i : small)
            m_prob[i] = 1.0;
    }
    std::uint32_t draw(Rng &rng) const
    {
        const double u = rng.uniform() * static_cast<double>(m_prob.size());
        const auto i = std::min(static_cast<std::size_t>(u), m_prob.size() - 1);
        return (u - static_cast<double>(i)) < m_prob[i] ? static_cast<std::uint32_t>(i) : m_alias[i];
    }

private:
    std::vector<double> m_prob;
    std::vector<std::uint32_t> m_alias;
};

std::string typeName(int t)
{
    return std::string("Type") + static_cast<char>('A' + t);
}

std::string pad(std::int64_t v, int width)
{
    std::string s = std::to_string(v);
    return std::string(static_cast<std::size_t>(std::max<int>(0, width - static_cast<int>(s.size()))), '0') + s;
}

}   // namespace

std::vector<SimulatedDomain> simulate(const SimulatorOptions &o, const std::function<bool(double)> &progress)
{
    if (o.types < 2 || o.types > 26)
        throw Error("simulate: the number of cell types must be between 2 and 26");
    if (o.domains < 1 || o.domains > 100)
        throw Error("simulate: the number of domains must be between 1 and 100");
    if (o.cells < o.domains || o.cells < 1)
        throw Error("simulate: need at least one cell per domain");
    if (o.genes < 2 * o.types || o.genes > 1000000)
        throw Error("simulate: the number of genes must be between 2 × types and 1,000,000");
    if (!(o.meanLibrarySize >= 1) || !(o.markerFoldChange > 0))
        throw Error("simulate: library size and marker fold change must be positive");

    const auto G = o.genes;
    const std::int64_t markers = std::clamp<std::int64_t>(
        o.markersPerType.value_or(std::max<std::int64_t>(5, G / (4 * o.types))), 1, G / o.types);
    Rng rng(o.seed);

    // Baseline expression: log-normal (sd 1.6), a few genes very high, most low, as in real data.
    std::vector<double> base(static_cast<std::size_t>(G));
    for (auto &b : base)
        b = std::exp(1.6 * rng.normal());
    // Marker programmes: disjoint gene sets, shuffled over the gene list.
    std::vector<std::int64_t> order(static_cast<std::size_t>(G));
    std::iota(order.begin(), order.end(), 0);
    for (std::int64_t i = G - 1; i > 0; --i)
        std::swap(order[i], order[rng.below(static_cast<std::uint64_t>(i + 1))]);
    std::vector<int> markerOf(static_cast<std::size_t>(G), -1);
    std::vector<std::vector<std::pair<std::int64_t, double>>> programme(static_cast<std::size_t>(o.types));
    std::vector<std::string> geneNames(static_cast<std::size_t>(G));
    for (int t = 0; t < o.types; ++t)
        for (std::int64_t k = 0; k < markers; ++k) {
            const auto g = order[static_cast<std::size_t>(t * markers + k)];
            markerOf[g] = t;
            const double fold = o.markerFoldChange * std::exp(0.3 * rng.normal());
            // Markers get at least moderate baseline so they are detectable.
            base[g] = std::max(base[g], 0.5);
            programme[t].push_back({g, fold});
            geneNames[g] = typeName(t) + "_m" + pad(k + 1, 2);
        }
    for (std::int64_t g = 0; g < G; ++g)
        if (markerOf[g] < 0)
            geneNames[g] = "Gene" + pad(g + 1, 5);

    // Domains: per-gene shift and a library-size factor; type proportions per domain.
    std::vector<std::vector<double>> shift(static_cast<std::size_t>(o.domains), std::vector<double>(base.size()));
    std::vector<double> libFactor(static_cast<std::size_t>(o.domains));
    std::vector<std::vector<double>> typeWeights(static_cast<std::size_t>(o.domains));
    std::vector<double> globalWeights(static_cast<std::size_t>(o.types));
    for (auto &w : globalWeights)
        w = std::exp(o.typeImbalance * rng.normal());
    for (int d = 0; d < o.domains; ++d) {
        for (auto &s : shift[d])
            s = std::exp(o.domainGeneShift * rng.normal());
        libFactor[d] = std::exp(o.domainLibrarySpread * rng.normal());
        for (int t = 0; t < o.types; ++t)
            typeWeights[d].push_back(globalWeights[t] * std::exp(0.2 * rng.normal()));
    }

    std::vector<SimulatedDomain> out;
    const std::int64_t totalCells = o.cells;
    std::int64_t done = 0;
    std::vector<std::uint32_t> counts(static_cast<std::size_t>(G), 0);
    std::vector<std::uint32_t> touched;
    for (int d = 0; d < o.domains; ++d) {
        const std::int64_t n = o.cells / o.domains + (d < o.cells % o.domains ? 1 : 0);
        // Per type: the background table and the marker-programme table of this domain.
        std::vector<AliasTable> background, marker;
        std::vector<double> markerShare(static_cast<std::size_t>(o.types));
        for (int t = 0; t < o.types; ++t) {
            std::vector<double> bg(base.size()), mk(base.size(), 0.0);
            for (std::int64_t g = 0; g < G; ++g)
                bg[g] = base[g] * shift[d][g];
            double mkSum = 0, bgSum = std::accumulate(bg.begin(), bg.end(), 0.0);
            for (const auto &[g, fold] : programme[t]) {
                mk[g] = base[g] * shift[d][g] * (fold - 1.0);
                mkSum += mk[g];
            }
            markerShare[t] = mkSum / (mkSum + bgSum);
            background.emplace_back(bg);
            marker.emplace_back(mk);
        }
        AliasTable typeTable(typeWeights[d]);
        Rng cellRng(o.seed * 1000003ull + static_cast<std::uint64_t>(d) * 7919ull + 17ull);

        Dataset ds;
        LargeVector<std::int64_t> indptr {0};
        LargeVector<std::int32_t> indices;
        LargeVector<float> values;
        std::vector<std::int32_t> typeCodes;
        ds.cellIds.reserve(static_cast<std::size_t>(n));
        const std::string dname = "batch" + std::to_string(d + 1);
        const double meanLog = std::log(o.meanLibrarySize * libFactor[d]);
        for (std::int64_t c = 0; c < n; ++c) {
            const int t = static_cast<int>(typeTable.draw(cellRng));
            typeCodes.push_back(t);
            const auto lib = static_cast<std::int64_t>(
                std::max(20.0, std::round(std::exp(meanLog + o.librarySizeSpread * cellRng.normal()))));
            // This cell's programme activity varies around its type's.
            const double share =
                std::clamp(markerShare[t] * std::exp(o.cellProgrammeNoise * cellRng.normal()), 0.0, 0.95);
            touched.clear();
            for (std::int64_t k = 0; k < lib; ++k) {
                const auto g = cellRng.uniform() < share ? marker[t].draw(cellRng) : background[t].draw(cellRng);
                if (counts[g]++ == 0)
                    touched.push_back(g);
            }
            std::sort(touched.begin(), touched.end());
            for (auto g : touched) {
                indices.push_back(static_cast<std::int32_t>(g));
                values.push_back(static_cast<float>(counts[g]));
                counts[g] = 0;
            }
            indptr.push_back(static_cast<std::int64_t>(indices.size()));
            ds.cellIds.push_back(dname + "_cell" + pad(c + 1, 7));
            if (progress && (++done % 4096 == 0)
                && !progress(static_cast<double>(done) / static_cast<double>(totalCells)))
                throw Error("cancelled");
        }
        ds.matrix = CellMatrix(n, G, std::move(indptr), std::move(indices), std::move(values));
        ds.geneIds = geneNames;
        ds.geneNames = geneNames;
        ds.geneNameSource = "var index";
        std::vector<std::string> types;
        for (int t = 0; t < o.types; ++t)
            types.push_back(typeName(t));
        ds.obs.push_back(ObsColumn::categorical("cell_type", types, std::move(typeCodes)));
        ds.obs.push_back(
            ObsColumn::categorical("domain", {dname}, std::vector<std::int32_t>(static_cast<std::size_t>(n), 0)));
        ds.source.format = "simulated";
        ds.source.generation = "Nym Studio simulator";
        ds.source.matrixElement = "X";
        ds.source.matrices = {"X"};
        ds.validate();
        out.push_back({dname, std::move(ds)});
    }
    if (progress)
        progress(1.0);
    return out;
}

}   // namespace nym
