// Tests of core/embed (kNN, fuzzy graph, spectral start, UMAP) and core/data's CellSelection. Expected numbers are
// hand calculations written next to them, umap-learn's formulas, brute-force oracles, or umap-learn's own figures
// on the same input (tests/embed/fixtures, written by tests/embed/make_umap_fixture.py).
#include "common/testsupport.h"

#include "core/common/error.h"
#include "core/common/xoshiro.h"
#include "core/data/cellselection.h"
#include "core/embed/fuzzygraph.h"
#include "core/embed/neighbors.h"
#include "core/embed/pca.h"
#include "core/embed/spectral.h"
#include "core/embed/umap.h"
#include "core/embed/umapgradient_p.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>
#include <cmath>
#include <set>

using namespace nym;
using nymtest::testSource;

namespace {

// Gaussian clusters: `sizes[c]` cells around centre c (spread 8 apart), unit noise. Returns data and labels.
std::pair<std::vector<float>, std::vector<int>> clusters(const std::vector<int> &sizes, int dims, std::uint64_t seed,
    double separation = 8.0)
{
    Xoshiro256 rng(seed);
    auto uniform = [&] { return (static_cast<double>(rng.starStar() >> 11) + 0.5) * 0x1.0p-53; };
    auto normal = [&] { return std::sqrt(-2 * std::log(uniform())) * std::cos(6.283185307179586 * uniform()); };
    std::vector<float> x;
    std::vector<int> labels;
    for (std::size_t c = 0; c < sizes.size(); ++c) {
        std::vector<double> centre(static_cast<std::size_t>(dims));
        for (auto &v : centre)
            v = separation * normal();
        for (int i = 0; i < sizes[c]; ++i) {
            for (int d = 0; d < dims; ++d)
                x.push_back(static_cast<float>(centre[static_cast<std::size_t>(d)] + normal()));
            labels.push_back(static_cast<int>(c));
        }
    }
    return {x, labels};
}

double squaredDistance(const std::vector<float> &x, int dims, std::size_t i, std::size_t j)
{
    double d2 = 0;
    for (int d = 0; d < dims; ++d) {
        const double diff = x[i * static_cast<std::size_t>(dims) + static_cast<std::size_t>(d)] -
            x[j * static_cast<std::size_t>(dims) + static_cast<std::size_t>(d)];
        d2 += diff * diff;
    }
    return d2;
}

// Mean silhouette of labelled points in `dims` dimensions, brute force (Rousseeuw 1987).
double silhouette(const std::vector<float> &x, int dims, const std::vector<int> &labels)
{
    const std::size_t n = labels.size();
    const int classes = *std::max_element(labels.begin(), labels.end()) + 1;
    double total = 0;
    for (std::size_t i = 0; i < n; ++i) {
        std::vector<double> sum(static_cast<std::size_t>(classes), 0);
        std::vector<int> count(static_cast<std::size_t>(classes), 0);
        for (std::size_t j = 0; j < n; ++j) {
            if (j == i)
                continue;
            const double d2 = squaredDistance(x, dims, i, j);
            sum[static_cast<std::size_t>(labels[j])] += std::sqrt(d2);
            ++count[static_cast<std::size_t>(labels[j])];
        }
        const auto own = static_cast<std::size_t>(labels[i]);
        if (count[own] == 0)
            continue;
        const double a = sum[own] / count[own];
        double b = INFINITY;
        for (int c = 0; c < classes; ++c)
            if (static_cast<std::size_t>(c) != own && count[static_cast<std::size_t>(c)] > 0)
                b = std::min(b, sum[static_cast<std::size_t>(c)] / count[static_cast<std::size_t>(c)]);
        total += (b - a) / std::max(a, b);
    }
    return total / static_cast<double>(n);
}

// Exact k nearest neighbours (self excluded) of every row, brute force.
std::vector<std::vector<int>> bruteNeighbors(const std::vector<float> &x, int dims, int k)
{
    const std::size_t n = x.size() / static_cast<std::size_t>(dims);
    std::vector<std::vector<int>> out(n);
    for (std::size_t i = 0; i < n; ++i) {
        std::vector<std::pair<double, int>> all;
        for (std::size_t j = 0; j < n; ++j) {
            if (j == i)
                continue;
            const double d2 = squaredDistance(x, dims, i, j);
            all.emplace_back(d2, static_cast<int>(j));
        }
        std::partial_sort(all.begin(), all.begin() + k, all.end());
        for (int m = 0; m < k; ++m)
            out[i].push_back(all[static_cast<std::size_t>(m)].second);
    }
    return out;
}

double preservation(const std::vector<float> &x, int dims, const std::vector<float> &y, int k = 15)
{
    const auto a = bruteNeighbors(x, dims, k), b = bruteNeighbors(y, 2, k);
    double kept = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        const std::set<int> inA(a[i].begin(), a[i].end());
        for (int j : b[i])
            kept += inA.count(j);
    }
    return kept / static_cast<double>(a.size() * static_cast<std::size_t>(k));
}

std::vector<float> layoutOf(const std::vector<float> &x, int dims, UmapOptions options)
{
    Umap umap(x, static_cast<std::int64_t>(x.size()) / dims, dims, options);
    umap.run();
    return umap.layout();
}

bool allFinite(const std::vector<float> &v)
{
    return std::all_of(v.begin(), v.end(), [](float f) { return std::isfinite(f); });
}

}   // namespace

class TestEmbed : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void curveParameters()
    {
        // umap-learn's find_ab_params(1.0, 0.1) (scipy curve_fit) gives a = 1.5769, b = 0.8951.
        const auto [a, b] = umapCurve(1.0, 0.1);
        QVERIFY2(std::abs(a - 1.577) < 0.005, qPrintable(QString::number(a)));
        QVERIFY2(std::abs(b - 0.895) < 0.003, qPrintable(QString::number(b)));
        // min_dist 0.5: umap-learn gives a = 0.5830, b = 1.3342.
        const auto [a5, b5] = umapCurve(1.0, 0.5);
        QVERIFY2(std::abs(a5 - 0.583) < 0.005 && std::abs(b5 - 1.334) < 0.005, qPrintable(QString::number(a5) + QLatin1Char(' ') + QString::number(b5)));
        QVERIFY_THROWS_EXCEPTION(Error, umapCurve(1.0, 2.0));
        QVERIFY_THROWS_EXCEPTION(Error, umapCurve(0.0, 0.1));
    }

    void gradientsAreTheCrossEntropyDerivatives()
    {
        // Attraction: −∂/∂x of −log φ(|x − y|), repulsion: −∂/∂x of −log(1 − φ), by central differences in 1-D
        // (x − y = t), with a, b for min_dist 0.1. umap-learn adds 0.001 to d² in the repulsion's denominator.
        const auto [ad, bd] = umapCurve(1.0, 0.1);
        const float a = static_cast<float>(ad), b = static_cast<float>(bd);
        auto phi = [&](double t) { return 1.0 / (1.0 + ad * std::pow(t * t, bd)); };
        for (double t : {0.05, 0.3, 1.0, 2.5, 6.0}) {
            const double h = 1e-6;
            const double attract = -(-std::log(phi(t + h)) + std::log(phi(t - h))) / (2 * h);
            const double repel = -(-std::log(1 - phi(t + h)) + std::log(1 - phi(t - h))) / (2 * h);
            const float d2 = static_cast<float>(t * t);
            QVERIFY2(std::abs(umapgradient::attraction(d2, a, b) * t - attract) < 1e-3 * std::max(1.0, std::abs(attract)),
                qPrintable(QStringLiteral("attraction at %1").arg(t)));
            const double ours = umapgradient::repulsion(d2, a, b, 1.0f) * t * (0.001 + t * t) / (t * t);
            QVERIFY2(std::abs(ours - repel) < 1e-3 * std::max(1.0, std::abs(repel)), qPrintable(QStringLiteral("repulsion at %1").arg(t)));
        }
    }

    void localScalesByHand()
    {
        // One cell with neighbour distances 0 (itself), 1, 2, 3 (k = 4): rho = 1; sigma solves
        // 1 + exp(−1/σ) + exp(−2/σ) = log2 4 = 2, so t = exp(−1/σ) solves t + t² = 1: t = (√5 − 1)/2, σ = −1/ln t.
        NeighborGraph g;
        g.cells = 4;
        g.k = 4;
        for (int i = 0; i < 4; ++i)
            for (int j = 0; j < 4; ++j) {
                g.index.push_back((i + j) % 4);
                g.distance.push_back(static_cast<float>(j));
            }
        const LocalScales s = smoothKnnDistances(g);
        const double sigma = -1.0 / std::log((std::sqrt(5.0) - 1) / 2);
        QCOMPARE(s.rho[0], 1.0f);
        QVERIFY2(std::abs(s.sigma[0] - sigma) < 1e-4, qPrintable(QString::number(s.sigma[0])));
    }

    void fuzzyUnionByHand()
    {
        // Three cells, k = 2 (itself + one): 0→1 at 1, 1→0 at 1, 2→1 at 2. rho is the only non-zero distance, so
        // every directed weight is exp(0) = 1 and the union keeps 1 for the mutual pair and 1 for 2–1.
        // With k = 3, cell 0's neighbours 1 (d 1) and 2 (d 3): rho 1, sigma solves 1 + exp(−2/σ) = log2 3.
        NeighborGraph g;
        g.cells = 3;
        g.k = 3;
        g.index = {0, 1, 2, 1, 0, 2, 2, 1, 0};
        g.distance = {0, 1, 3, 0, 1, 2, 0, 2, 3};
        const FuzzyGraph f = fuzzySimplicialSet(g);
        const LocalScales s = smoothKnnDistances(g);
        const double sigma0 = -2.0 / std::log(std::log2(3.0) - 1);
        QVERIFY(std::abs(s.sigma[0] - sigma0) < 1e-4);
        auto weight = [&](int i, int j) -> double {
            for (auto e = f.rowStart[static_cast<std::size_t>(i)]; e < f.rowStart[static_cast<std::size_t>(i) + 1]; ++e)
                if (f.column[static_cast<std::size_t>(e)] == j)
                    return f.weight[static_cast<std::size_t>(e)];
            return 0;
        };
        // Directed: w01 = 1 (at rho), w02 = exp(−2/σ0); w10 = 1, w12 = exp(−1/σ1); w21 = 1, w20 = exp(−1/σ2).
        const double w02 = std::exp(-2 / s.sigma[0]), w12 = std::exp(-1 / s.sigma[1]), w20 = std::exp(-1 / s.sigma[2]);
        QVERIFY(std::abs(weight(0, 1) - 1.0) < 1e-6);
        QVERIFY(std::abs(weight(0, 2) - (w02 + w20 - w02 * w20)) < 1e-6);
        QVERIFY(std::abs(weight(1, 2) - (w12 + 1 - w12)) < 1e-6);
        for (int i = 0; i < 3; ++i)
            for (int j = 0; j < 3; ++j)
                QCOMPARE(weight(i, j), weight(j, i));   // symmetric
        QCOMPARE(weight(1, 1), 0.0);                    // no self-loops
        QCOMPARE(connectedComponents(f), std::int64_t(1));
    }

    void hnswMatchesExactSearch()
    {
        const auto [x, labels] = clusters({900, 700, 400, 200}, 24, 7);
        const std::int64_t n = static_cast<std::int64_t>(labels.size());
        NeighborOptions exact;
        exact.threads = 2;
        NeighborOptions hnsw = exact;
        hnsw.exactUpTo = 0;
        const auto e = findNeighbors(x.data(), n, 24, exact);
        const auto h = findNeighbors(x.data(), n, 24, hnsw);
        const auto h2 = findNeighbors(x.data(), n, 24, hnsw);
        QCOMPARE(e->method, std::string("exact"));
        QVERIFY(h->method.find("HNSW") != std::string::npos);
        QVERIFY(h->index == h2->index);   // seeded shards: reproducible
        hnsw.threads = 1;
        QVERIFY(findNeighbors(x.data(), n, 24, hnsw)->index == h->index);   // and the same for any thread count
        // Exact search against brute force on a few rows, and HNSW recall against exact.
        const auto brute = bruteNeighbors(x, 24, 14);
        for (std::size_t i : {std::size_t(0), std::size_t(1234), std::size_t(2199)}) {
            QCOMPARE(e->index[i * 15], static_cast<std::int32_t>(i));   // the cell itself first
            for (int j = 0; j < 14; ++j)
                QCOMPARE(e->index[i * 15 + 1 + static_cast<std::size_t>(j)], brute[i][static_cast<std::size_t>(j)]);
        }
        double found = 0;
        for (std::int64_t i = 0; i < n; ++i) {
            const std::set<std::int32_t> truth(e->index.begin() + i * 15, e->index.begin() + i * 15 + 15);
            for (int j = 0; j < 15; ++j)
                found += truth.count(h->index[static_cast<std::size_t>(i * 15 + j)]);
        }
        QVERIFY2(found / static_cast<double>(n * 15) > 0.97, qPrintable(QString::number(found / static_cast<double>(n * 15))));
    }

    void pcaFindsTheMainAxis()
    {
        // Points on the line (t, 2t, 0) plus tiny noise: the first axis carries almost all the variance.
        std::vector<float> x;
        Xoshiro256 rng(3);
        for (int i = 0; i < 500; ++i) {
            const float t = static_cast<float>(i) / 50.0f;
            x.insert(x.end(), {t, 2 * t + static_cast<float>(rng.starStar() % 100) * 1e-5f, 0.0f});
        }
        const PcaResult p = principalComponents(x.data(), 500, 3, 2, 2);
        QVERIFY(p.varianceShare[0] > 0.9999);
        // Scores along the axis are t·√5 centred.
        QVERIFY(std::abs(p.scores[2 * 499] - p.scores[0] - (499.0f / 50.0f) * std::sqrt(5.0f)) < 1e-3);
    }

    void seededAndResumable()
    {
        const auto [x, labels] = clusters({150, 100, 60}, 10, 11, 1.5);   // overlapping: one connected graph
        UmapOptions options;
        options.threads = 2;
        options.seed = 42;
        options.epochs = 60;
        const auto one = layoutOf(x, 10, options);
        QCOMPARE(layoutOf(x, 10, options), one);   // same seed, same threads: bit-identical
        Umap pieces(x, static_cast<std::int64_t>(labels.size()), 10, options);
        QVERIFY(pieces.prepare());
        for (int e = 0; e < 25; ++e)
            QVERIFY(pieces.runEpoch());
        QCOMPARE(pieces.epoch(), 25);
        QVERIFY(!pieces.finished());
        QVERIFY(pieces.run());
        QVERIFY(pieces.finished());
        QCOMPARE(pieces.layout(), one);   // in pieces = in one go
        options.seed = 43;
        QVERIFY(layoutOf(x, 10, options) != one);
        QVERIFY2(pieces.info().initialisation == "spectral", pieces.info().initialisation.c_str());
        QCOMPARE(pieces.info().epochs, 60);
    }

    void sameLayoutForAnyThreadCount()
    {
        // The app lays out with one thread fewer than `nym umap`, and both must write the same map. Separated
        // clusters: a disconnected graph, so the start is the input's principal components (the projection once
        // rounded a few cells differently per thread count); exact neighbours. 3,000 cells with HNSW forced and
        // overlapping clusters: the sharded index and the spectral start.
        const auto [separated, few] = clusters({150, 100, 60}, 40, 12);
        const auto [overlapping, many] = clusters({1200, 1000, 800}, 10, 13, 1.5);
        for (const bool hnsw : {false, true}) {
            const std::vector<float> &x = hnsw ? overlapping : separated;
            const int dims = hnsw ? 10 : 40;
            UmapOptions options;
            options.seed = 5;
            options.epochs = 30;
            if (hnsw)
                options.exactNeighborsUpTo = 0;
            options.threads = 1;
            Umap one(x, static_cast<std::int64_t>(x.size()) / dims, dims, options);
            QVERIFY(one.run());
            QVERIFY2(one.info().initialisation.starts_with(hnsw ? "spectral" : "PCA"), one.info().initialisation.c_str());
            for (const int threads : {2, 3}) {
                options.threads = threads;
                QVERIFY2(layoutOf(x, dims, options) == one.layout(),
                    (std::to_string(threads) + (hnsw ? " threads, HNSW" : " threads, exact")).c_str());
            }
        }
    }

    void stopsWhenAsked()
    {
        const auto [x, labels] = clusters({300, 300}, 8, 5);
        std::stop_source stop;
        Umap umap(x, 600, 8, {});
        int calls = 0;
        const bool done = umap.run([&](UmapStage stage, double) {
            if (stage == UmapStage::Epochs && ++calls == 2)
                stop.request_stop();
        }, stop.get_token());
        QVERIFY(!done);
        QVERIFY(umap.epoch() > 0 && umap.epoch() < umap.numEpochs());
        QCOMPARE(umap.numEpochs(), 500);   // umap-learn's rule up to 10,000 cells
    }

    void disconnectedGraphFallsBackToPca()
    {
        // Two clusters 1000 apart, 30 cells each: every cell's 14 neighbours lie in its own cluster, so the graph has
        // two parts and the spectral start is not possible.
        const auto [x, labels] = clusters({30, 30}, 5, 2, 1000.0);
        Umap umap(x, 60, 5, {});
        QVERIFY(umap.run());
        QCOMPARE(umap.info().components, std::int64_t(2));
        QVERIFY2(umap.info().initialisation.find("PCA (the neighbour graph has 2 disconnected parts)") == 0,
            umap.info().initialisation.c_str());
        QVERIFY(allFinite(umap.layout()));
        QVERIFY(silhouette(umap.layout(), 2, labels) > 0.5);
    }

    void tinyAndDegenerateInputs()
    {
        for (int cells : {2, 3}) {
            const auto [x, labels] = clusters({cells}, 4, 9);
            Umap umap(x, cells, 4, {});
            QVERIFY(umap.run());
            QCOMPARE(umap.layout().size(), std::size_t(2 * cells));
            QVERIFY(allFinite(umap.layout()));
            QVERIFY(umap.layout()[0] != umap.layout()[2] || umap.layout()[1] != umap.layout()[3]);
        }
        // 50 identical cells: no distances, no variance; the layout is still finite.
        std::vector<float> same(50 * 3, 1.5f);
        Umap umap(same, 50, 3, {});
        QVERIFY(umap.run());
        QVERIFY(allFinite(umap.layout()));
        QVERIFY2(umap.info().initialisation.rfind("random", 0) == 0 || umap.info().initialisation == "spectral",
            umap.info().initialisation.c_str());
    }

    void badInputIsRefused()
    {
        std::vector<float> x(30, 1.0f);
        x[17] = NAN;
        try {
            Umap umap(x, 10, 3, {});
            QFAIL("NaN accepted");
        } catch (const Error &e) {
            QVERIFY2(std::string(e.what()).find("cell 6, dimension 3 is NaN") != std::string::npos, e.what());
        }
        QVERIFY_THROWS_EXCEPTION(Error, Umap(std::vector<float>(3, 1.0f), 1, 3, {}));
        UmapOptions bad;
        bad.neighbors = 1;
        QVERIFY_THROWS_EXCEPTION(Error, Umap(std::vector<float>(30, 1.0f), 10, 3, bad));
        bad = {};
        bad.minDist = 3;
        QVERIFY_THROWS_EXCEPTION(Error, Umap(std::vector<float>(30, 1.0f), 10, 3, bad));
    }

    void qualityMatchesUmapLearn()
    {
        // The fixture's clusters, laid out by us and (offline) by umap-learn 0.5.3: silhouette of the true labels
        // in 2-D and the share of 15 input neighbours kept, medians over 3 seeds each.
        QFile data(testSource(QStringLiteral("embed/fixtures/clusters.f32")));
        QFile labelFile(testSource(QStringLiteral("embed/fixtures/clusters_labels.i32")));
        QFile json(testSource(QStringLiteral("embed/fixtures/umap_learn.json")));
        QVERIFY(data.open(QIODevice::ReadOnly) && labelFile.open(QIODevice::ReadOnly) && json.open(QIODevice::ReadOnly));
        const QJsonObject peer = QJsonDocument::fromJson(json.readAll()).object();
        const int dims = peer[QStringLiteral("dims")].toInt();
        const QByteArray raw = data.readAll(), rawLabels = labelFile.readAll();
        std::vector<float> x(static_cast<std::size_t>(raw.size()) / 4);
        std::memcpy(x.data(), raw.data(), static_cast<std::size_t>(raw.size()));
        std::vector<int> labels(static_cast<std::size_t>(rawLabels.size()) / 4);
        std::memcpy(labels.data(), rawLabels.data(), static_cast<std::size_t>(rawLabels.size()));
        QCOMPARE(static_cast<int>(labels.size()), peer[QStringLiteral("cells")].toInt());
        std::vector<double> sil, kept;
        for (std::uint64_t seed : {0u, 1u, 2u}) {
            UmapOptions options;
            options.seed = seed;
            options.threads = 2;
            const auto y = layoutOf(x, dims, options);
            sil.push_back(silhouette(y, 2, labels));
            kept.push_back(preservation(x, dims, y));
        }
        std::sort(sil.begin(), sil.end());
        std::sort(kept.begin(), kept.end());
        const double theirSil = peer[QStringLiteral("silhouette_2d")].toDouble();
        const double theirKept = peer[QStringLiteral("neighbour_preservation_15")].toDouble();
        qInfo("silhouette 2-D: ours %.3f, umap-learn %.3f; 15-NN kept: ours %.3f, umap-learn %.3f", sil[1], theirSil,
            kept[1], theirKept);
        QVERIFY(sil[1] > 0);
        QVERIFY2(sil[1] > theirSil - 0.05, "silhouette clearly below umap-learn's");
        QVERIFY2(kept[1] > theirKept - 0.02, "neighbour preservation more than 0.02 below umap-learn's");
    }

    void selectionSetMaths()
    {
        // Random sets against std::set as the oracle, for every mode, across word boundaries.
        Xoshiro256 rng(8);
        const std::int64_t n = 1000;
        auto randomSet = [&] {
            std::set<std::int64_t> s;
            for (int i = 0; i < 300; ++i)
                s.insert(static_cast<std::int64_t>(rng.starStar() % n));
            return s;
        };
        auto toSelection = [&](const std::set<std::int64_t> &s) {
            return CellSelection::fromIndices(n, std::vector<std::int64_t>(s.begin(), s.end()));
        };
        for (int round = 0; round < 20; ++round) {
            const auto a = randomSet(), b = randomSet();
            std::set<std::int64_t> add = a, sub, both;
            add.insert(b.begin(), b.end());
            std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::inserter(sub, sub.end()));
            std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::inserter(both, both.end()));
            for (auto [mode, expected] : {std::pair {CellSelection::Mode::Add, add}, std::pair {CellSelection::Mode::Subtract, sub},
                     std::pair {CellSelection::Mode::Intersect, both}, std::pair {CellSelection::Mode::Replace, b}}) {
                CellSelection s = toSelection(a);
                s.combine(toSelection(b), mode);
                QCOMPARE(s.count(), static_cast<std::int64_t>(expected.size()));
                QVERIFY(s.indices() == std::vector<std::int64_t>(expected.begin(), expected.end()));
            }
        }
        CellSelection s(130);
        s.insert(63);
        s.insert(64);
        s.insert(64);
        s.insert(500);   // outside: ignored
        QCOMPARE(s.count(), std::int64_t(2));
        QVERIFY(s.contains(63) && s.contains(64) && !s.contains(65));
        s.erase(63);
        QCOMPARE(s.indices(), std::vector<std::int64_t> {64});
        s.clear();
        QVERIFY(s.empty());
        QVERIFY_THROWS_EXCEPTION(Error, s.combine(CellSelection(10), CellSelection::Mode::Add));
        QVERIFY_THROWS_EXCEPTION(Error, CellSelection::fromIndices(10, {10}));
    }
};

QTEST_GUILESS_MAIN(TestEmbed)
#include "tst_embed.moc"
