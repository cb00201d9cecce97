// Tests of core/data: the CSR matrix, obs columns, value-type detection, normalisation, preflight, simulator,
// the per-cell annotations and their threshold rule, and the CSV/TSV table writer. Expected numbers are hand calculations or brute-force dense oracles.
#include "common/testsupport.h"

#include "core/common/error.h"
#include "core/data/annotations.h"
#include "core/data/cellmatrix.h"
#include "core/data/dataset.h"
#include "core/data/normalize.h"
#include "core/data/preflight.h"
#include "core/data/reviewedcells.h"
#include "core/data/trainingset.h"
#include "core/data/simulator.h"
#include "core/io/tablewriter.h"

#include <QTemporaryDir>
#include <algorithm>
#include <cmath>
#include <fstream>
#include <numeric>
#include <random>
#include <sstream>

using namespace nym;

namespace {

// A random sparse matrix and its dense twin (the oracle).
struct Pair
{
    CellMatrix csr;
    std::vector<float> dense;
    std::int64_t rows, cols;
};

Pair randomMatrix(std::int64_t rows, std::int64_t cols, double density, unsigned seed)
{
    std::mt19937 rng(seed);
    std::uniform_real_distribution<double> u(0, 1);
    std::vector<float> dense(static_cast<std::size_t>(rows * cols), 0.0f);
    std::vector<std::int64_t> ptr {0};
    std::vector<std::int32_t> idx;
    std::vector<float> val;
    for (std::int64_t r = 0; r < rows; ++r) {
        for (std::int64_t c = 0; c < cols; ++c)
            if (u(rng) < density) {
                const float v = static_cast<float>(1 + static_cast<int>(u(rng) * 20));
                dense[r * cols + c] = v;
                idx.push_back(static_cast<std::int32_t>(c));
                val.push_back(v);
            }
        ptr.push_back(static_cast<std::int64_t>(idx.size()));
    }
    return {CellMatrix(rows, cols, ptr, idx, val), dense, rows, cols};
}

Dataset tinyDataset(const CellMatrix &m, const std::vector<std::string> &labels)
{
    Dataset d;
    d.matrix = m;
    for (std::int64_t i = 0; i < m.rows(); ++i)
        d.cellIds.push_back("c" + std::to_string(i));
    for (std::int64_t g = 0; g < m.cols(); ++g)
        d.geneIds.push_back("G" + std::to_string(g));
    d.geneNames = d.geneIds;
    if (!labels.empty())
        d.obs.push_back(ObsColumn::fromLabels("cell_type", labels));
    d.source.matrixElement = "X";
    return d;
}

bool hasMessage(const PreflightReport &r, const std::string &code, PreflightMessage::Severity sev)
{
    for (const auto &m : r.messages)
        if (m.code == code && m.severity == sev)
            return true;
    return false;
}

std::string readAll(const QString &path)
{
    std::ifstream in(path.toStdString(), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

}   // namespace

class TestData : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void cellMatrixMatchesDenseOracle()
    {
        const Pair p = randomMatrix(37, 23, 0.2, 1);
        const auto sums = p.csr.rowSums();
        for (std::int64_t r = 0; r < p.rows; ++r) {
            double s = 0;
            for (std::int64_t c = 0; c < p.cols; ++c)
                s += p.dense[r * p.cols + c];
            QCOMPARE(sums[r], s);
        }
        for (std::int64_t c = 0; c < p.cols; ++c) {
            const auto col = p.csr.column(c);
            for (std::int64_t r = 0; r < p.rows; ++r)
                QCOMPARE(col[r], p.dense[r * p.cols + c]);
        }
        const std::vector<std::int64_t> rows {5, 0, 36, 5};
        const auto batch = p.csr.rowBatch(rows);
        const auto dense = p.csr.denseRows(rows);
        QCOMPARE(batch.rows(), 4);
        for (std::size_t i = 0; i < rows.size(); ++i)
            for (std::int64_t c = 0; c < p.cols; ++c) {
                QCOMPARE(dense[i * p.cols + c], p.dense[rows[i] * p.cols + c]);
                QCOMPARE(batch.column(c)[i], p.dense[rows[i] * p.cols + c]);
            }
        QCOMPARE(p.csr.memoryBytes(), static_cast<std::int64_t>(38 * 8 + p.csr.nnz() * 8));
    }

    void cellMatrixRejectsBadArrays()
    {
        QVERIFY_THROWS_EXCEPTION(Error, CellMatrix(2, 3, {0, 2, 1}, {0, 1}, {1, 1}));   // decreasing indptr
        QVERIFY_THROWS_EXCEPTION(Error, CellMatrix(2, 3, {0, 1, 2}, {0, 3}, {1, 1}));   // index out of range
        QVERIFY_THROWS_EXCEPTION(Error, CellMatrix(2, 3, {0, 1}, {0}, {1}));            // indptr too short
        QVERIFY_THROWS_EXCEPTION(Error, CellMatrix(1, 3, {0, 2}, {1, 1}, {1, 1}));      // repeated index
        QVERIFY_THROWS_EXCEPTION(Error, CellMatrix(1, 3, {0, 2}, {0, 1}, {1}));         // length mismatch
        const CellMatrix empty(0, 5);
        QCOMPARE(empty.rowSums().size(), std::size_t(0));
        QVERIFY_THROWS_EXCEPTION(Error, empty.column(5));
    }

    void obsColumnCategories()
    {
        const auto c = ObsColumn::fromLabels("x", {"b", "a", "b", "c"});
        QCOMPARE(c.categories, (std::vector<std::string> {"b", "a", "c"}));
        QCOMPARE(c.codes, (std::vector<std::int32_t> {0, 1, 0, 2}));
        ObsColumn n = ObsColumn::numeric("n", {2.0, std::nan(""), 1.0, 2.0});
        const auto cat = n.asCategorical();
        QCOMPARE(cat.categories, (std::vector<std::string> {"1", "2"}));
        QCOMPARE(cat.codes, (std::vector<std::int32_t> {1, -1, 0, 1}));
        QCOMPARE(n.distinctCount(), 2);
        QVERIFY_THROWS_EXCEPTION(Error, ObsColumn::categorical("bad", {"a"}, {0, 1}));
    }

    void valueTypeDetection()
    {
        // Raw counts: whole numbers.
        const Pair p = randomMatrix(50, 40, 0.3, 2);
        QCOMPARE(toString(detectValueType(p.csr).type), toString(ValueType::RawCounts));
        // log1p(CP10k) and log1p(CPM) of the same counts.
        for (double scale : {1e4, 1e6}) {
            std::vector<float> v(p.csr.values().begin(), p.csr.values().end());
            for (std::int64_t r = 0; r < p.rows; ++r) {
                double total = 0;
                for (auto x : p.csr.rowValues(r))
                    total += x;
                for (auto k = p.csr.indptr()[r]; k < p.csr.indptr()[r + 1]; ++k)
                    v[k] = static_cast<float>(std::log1p(v[k] / total * scale));
            }
            const auto rep = detectValueType(p.csr.withValues(v));
            QCOMPARE(toString(rep.type), toString(scale == 1e4 ? ValueType::Log1pCP10k : ValueType::Log1pCPM));
            QVERIFY(std::fabs(rep.medianExpm1Sum - scale) < scale * 0.01);
        }
        // Negative values (scaled data) and empty matrices.
        std::vector<float> neg(p.csr.values().begin(), p.csr.values().end());
        neg[3] = -1.5f;
        const auto r = detectValueType(p.csr.withValues(neg));
        QCOMPARE(toString(r.type), toString(ValueType::Other));
        QCOMPARE(r.negativeValues, 1);
        QVERIFY(r.evidence.find("negative") != std::string::npos);
        QCOMPARE(toString(detectValueType(CellMatrix(3, 3)).type), toString(ValueType::Empty));
    }

    void normalisationHandChecked()
    {
        // One cell with counts {1, 3}: CPM = {250000, 750000}.
        const CellMatrix m(2, 3, {0, 2, 2}, {0, 2}, {1.0f, 3.0f});
        const auto n = normalizeToLog1pCpm(m);
        QCOMPARE(toString(n.detected.type), toString(ValueType::RawCounts));
        QCOMPARE(n.allZeroCells, 1);
        QVERIFY(std::fabs(n.matrix.values()[0] - std::log1p(250000.0)) < 1e-5);
        QVERIFY(std::fabs(n.matrix.values()[1] - std::log1p(750000.0)) < 1e-5);
        // log1p(CP10k) input gives the same result as the counts.
        const CellMatrix cp10k =
            m.withValues({static_cast<float>(std::log1p(2500.0)), static_cast<float>(std::log1p(7500.0))});
        NormalizeOptions o;
        o.assume = ValueType::Log1pCP10k;
        const auto n2 = normalizeToLog1pCpm(cp10k, o);
        QVERIFY(std::fabs(n2.matrix.values()[1] - n.matrix.values()[1]) < 1e-4);
        // Refuses scaled data, saying what it saw.
        const CellMatrix scaled = m.withValues({-0.5f, 1.2f});
        try {
            normalizeToLog1pCpm(scaled);
            QFAIL("scaled data was accepted");
        } catch (const Error &e) {
            QVERIFY(std::string(e.what()).find("negative") != std::string::npos);
        }
        QVERIFY_THROWS_EXCEPTION(Error, normalizeToLog1pCpm(CellMatrix(2, 2)));
    }

    void preflightFindsProblems()
    {
        // 12 cells: two classes, one tiny; one all-zero cell; a duplicated cell id and gene name.
        const Pair p = randomMatrix(12, 150, 0.5, 3);
        std::vector<std::int64_t> ptr(p.csr.indptr().begin(), p.csr.indptr().end());
        std::vector<std::int32_t> idx(p.csr.indices().begin(), p.csr.indices().end());
        std::vector<float> val(p.csr.values().begin(), p.csr.values().end());
        // Empty row 4.
        const auto b = ptr[4], e = ptr[5];
        idx.erase(idx.begin() + b, idx.begin() + e);
        val.erase(val.begin() + b, val.begin() + e);
        for (std::size_t r = 5; r < ptr.size(); ++r)
            ptr[r] -= (e - b);
        Dataset d = tinyDataset(
            CellMatrix(12, 150, ptr, idx, val), {"T", "T", "T", "T", "T", "T", "T", "T", "T", "B", "B", "B"});
        d.cellIds[7] = d.cellIds[6];
        d.geneNames[10] = d.geneNames[11];
        PreflightOptions o;
        o.role = DatasetRole::Training;
        const auto r = preflight(d, o);
        QCOMPARE(r.cells, 12);
        QCOMPARE(r.allZeroCells, 1);
        QCOMPARE(r.duplicateCellIds, 1);
        QCOMPARE(r.duplicateGeneNames, 1);
        QCOMPARE(r.labelColumn, std::string("cell_type"));
        QCOMPARE(r.classes.size(), std::size_t(2));
        QCOMPARE(r.classes[0].name, std::string("T"));
        QCOMPARE(r.classes[0].cells, 9);
        QCOMPARE(toString(r.valueType.type), toString(ValueType::RawCounts));
        using S = PreflightMessage::Severity;
        QVERIFY(hasMessage(r, "all-zero-cells", S::Warning));
        QVERIFY(hasMessage(r, "duplicate-cells", S::Warning));
        QVERIFY(hasMessage(r, "duplicate-genes", S::Warning));
        QVERIFY(hasMessage(r, "small-classes", S::Warning));
        QVERIFY(!r.hasErrors());

        // One class only is an error for training; a missing label column too.
        Dataset one = tinyDataset(p.csr, std::vector<std::string>(12, "T"));
        QVERIFY(preflight(one, o).hasErrors());
        o.labelColumn = "nope";
        const auto missing = preflight(one, o);
        QVERIFY(hasMessage(missing, "missing-label-column", S::Error));
    }

    void preflightOverlap()
    {
        const Pair p = randomMatrix(20, 150, 0.3, 4);
        Dataset a = tinyDataset(p.csr, std::vector<std::string>(10, "x"));
        a.obs.clear();
        a.obs.push_back(ObsColumn::fromLabels("cell_type",
            {"x", "y", "x", "y", "x", "y", "x", "y", "x", "y", "x", "y", "x", "y", "x", "y", "x", "y", "x", "y"}));
        Dataset b = tinyDataset(p.csr, {});
        // Full overlap.
        auto [tr, tg] = preflightPair(a, b);
        QCOMPARE(tg.overlap->shared, 150);
        QCOMPARE(tg.overlap->percentOfTarget, 100.0);
        QVERIFY(!tg.hasErrors());
        // No overlap.
        for (auto &g : b.geneNames)
            g = "ENSG0000" + g.substr(1) + "000";
        auto [tr2, tg2] = preflightPair(a, b);
        QCOMPARE(tg2.overlap->shared, 0);
        QVERIFY(hasMessage(tg2, "no-overlap", PreflightMessage::Severity::Error));
        QVERIFY(tg2.errors().front().find("Ensembl") != std::string::npos);
        // 60 of 150 shared: below minSharedGenes (100) is an error.
        for (int g = 0; g < 60; ++g)
            b.geneNames[g] = a.geneNames[g];
        auto [tr3, tg3] = preflightPair(a, b);
        QCOMPARE(tg3.overlap->shared, 60);
        QVERIFY(hasMessage(tg3, "tiny-overlap", PreflightMessage::Severity::Error));
    }

    void simulatorIsSeededAndRealistic()
    {
        SimulatorOptions o;
        o.cells = 600;
        o.genes = 300;
        o.types = 4;
        o.domains = 2;
        o.seed = 7;
        const auto a = simulate(o);
        const auto b = simulate(o);
        QCOMPARE(a.size(), std::size_t(2));
        QCOMPARE(a[0].data.cells() + a[1].data.cells(), 600);
        for (int d = 0; d < 2; ++d) {
            QVERIFY(std::equal(a[d].data.matrix.values().begin(), a[d].data.matrix.values().end(),
                b[d].data.matrix.values().begin(), b[d].data.matrix.values().end()));
            QVERIFY(std::equal(a[d].data.matrix.indices().begin(), a[d].data.matrix.indices().end(),
                b[d].data.matrix.indices().begin(), b[d].data.matrix.indices().end()));
        }
        o.seed = 8;
        const auto c = simulate(o);
        QVERIFY(!std::equal(a[0].data.matrix.values().begin(), a[0].data.matrix.values().end(),
            c[0].data.matrix.values().begin(), c[0].data.matrix.values().end()));

        const Dataset &d0 = a[0].data;
        // Sparsity like droplet data: most entries zero, but every cell has counts.
        const double density = static_cast<double>(d0.matrix.nnz()) / static_cast<double>(d0.cells() * d0.genes());
        QVERIFY2(density > 0.05 && density < 0.7, qPrintable(QString::number(density)));
        const auto sums = d0.matrix.rowSums();
        QVERIFY(*std::min_element(sums.begin(), sums.end()) >= 20);
        QCOMPARE(toString(detectValueType(d0.matrix).type), toString(ValueType::RawCounts));
        // All types present; markers of a type are higher in that type than elsewhere.
        const ObsColumn *types = d0.findObs("cell_type");
        QVERIFY(types);
        QCOMPARE(types->distinctCount(), 4);
        const auto g = std::find(d0.geneNames.begin(), d0.geneNames.end(), "TypeA_m01") - d0.geneNames.begin();
        QVERIFY(g < d0.genes());
        const auto col = d0.matrix.column(g);
        double inA = 0, outA = 0;
        std::int64_t nA = 0, nO = 0;
        for (std::int64_t i = 0; i < d0.cells(); ++i) {
            const double cpm = col[i] / sums[i];
            if (types->codes[i] == 0) {
                inA += cpm;
                ++nA;
            } else {
                outA += cpm;
                ++nO;
            }
        }
        QVERIFY2(inA / nA > 2 * outA / nO, "marker not enriched in its type");
        // Domains differ: per-gene means are not the same in the two batches.
        const auto meanOf = [](const Dataset &d, std::int64_t gene) {
            const auto c = d.matrix.column(gene);
            return std::accumulate(c.begin(), c.end(), 0.0) / static_cast<double>(d.cells());
        };
        int shifted = 0;
        for (std::int64_t gene = 0; gene < 50; ++gene) {
            const double m0 = meanOf(a[0].data, gene), m1 = meanOf(a[1].data, gene);
            shifted += std::fabs(std::log((m0 + 0.01) / (m1 + 0.01))) > 0.3 ? 1 : 0;
        }
        QVERIFY2(shifted >= 10, qPrintable(QString::number(shifted)));
        SimulatorOptions oneType;
        oneType.types = 1;
        QVERIFY_THROWS_EXCEPTION(Error, simulate(oneType));
    }

    void tableQuotingAndFiles()
    {
        QCOMPARE(quoteField("plain", ','), std::string("plain"));
        QCOMPARE(quoteField("a,b", ','), std::string("\"a,b\""));
        QCOMPARE(quoteField("a,b", '\t'), std::string("a,b"));
        QCOMPARE(quoteField("say \"hi\"", ','), std::string("\"say \"\"hi\"\"\""));
        QCOMPARE(quoteField("line\nbreak", '\t'), std::string("\"line\nbreak\""));
        QCOMPARE(quoteField("Zellkern µ-β", ','), std::string("Zellkern µ-β"));
        QTemporaryDir dir;
        const QString csv = dir.filePath(QStringLiteral("cells.csv"));
        writeTable(csv.toStdString(),
            {TableColumn::ofText("cell", {"c1", "c,2", "\"q\""}),
                TableColumn::ofNumbers("confidence", {0.5, std::nan(""), 1e-7})});
        QCOMPARE(readAll(csv), std::string("cell,confidence\nc1,0.5\n\"c,2\",\n\"\"\"q\"\"\",1e-07\n"));
        QVERIFY_THROWS_EXCEPTION(Error, writeTable(csv.toStdString(), {TableColumn::ofText("x", {"y"})}));
        QCOMPARE(readAll(csv).substr(0, 4), std::string("cell"));   // not overwritten
        const QString tsv = dir.filePath(QStringLiteral("cells.tsv"));
        writeTable(tsv.toStdString(), {TableColumn::ofText("cell type", {"B cell", "T, naive"})});
        QCOMPARE(readAll(tsv), std::string("cell type\nB cell\nT, naive\n"));
        QVERIFY_THROWS_EXCEPTION(Error,
            writeTable(dir.filePath(QStringLiteral("x.csv")).toStdString(),
                {TableColumn::ofText("a", {"1"}), TableColumn::ofText("b", {})}));
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden).size(), 2);   // no temporary files left
    }
    void annotationsThresholdRuleAndEdits()
    {
        // 6 cells, 3 classes; cell 4 has no counts (confidence 0), cell 1 sits exactly on the threshold.
        Annotations::Predicted p;
        p.classes = {"B", "T", "NK"};
        p.label = {0, 1, 2, 1, 0, 2};
        p.confidence = {0.9f, 0.6f, 0.4f, 0.99f, 0.f, 0.55f};
        p.noCounts = {0, 0, 0, 0, 1, 0};
        auto probs = std::make_shared<std::vector<float>>(18, 0.f);
        for (std::size_t i = 0; i < 6; ++i)
            (*probs)[i * 3 + static_cast<std::size_t>(p.label[i])] = p.confidence[i];
        p.probabilities = probs;
        Annotations a(p, 0.6);
        QCOMPARE(a.cells(), std::int64_t(6));
        // Hand-checked: below 0.6 or no counts -> Unassigned; 0.6 itself is kept.
        const std::vector<std::string> expected {"B", "T", kUnassigned, "T", kUnassigned, kUnassigned};
        QCOMPARE(a.finalLabels(), expected);
        QCOMPARE(a.unassignedCount(), std::int64_t(3));
        QCOMPARE(a.predictedLabels(), (std::vector<std::string> {"B", "T", "NK", "T", "B", "NK"}));
        QVERIFY(a.isUnsure(4) && a.isUnsure(2) && !a.isUnsure(1));
        QCOMPARE(a.probabilities(3)[1], 0.99f);
        for (std::int64_t i = 0; i < 6; ++i) {
            QCOMPARE(a.source(i), LabelSource::Model);
            QVERIFY(!a.reviewed(i));
            QCOMPARE(a.editTime(i), std::int64_t(0));
        }
        // The one rule, stated directly.
        QVERIFY(Annotations::isBelowThreshold(0.49f, false, 0.5));
        QVERIFY(!Annotations::isBelowThreshold(0.5f, false, 0.5));
        QVERIFY(Annotations::isBelowThreshold(1.f, true, 0.0));

        // Expert labels: a class, a new name, Unassigned; the threshold no longer moves them.
        a.setExpertLabel(2, "NK", 100);
        a.setExpertLabel(0, "Plasma", 101);
        a.setExpertLabel(3, kUnassigned, 102);
        QCOMPARE(a.finalLabel(2), std::string("NK"));
        QCOMPARE(a.finalLabel(0), std::string("Plasma"));
        QCOMPARE(a.source(0), LabelSource::Relabelled);
        QCOMPARE(a.editTime(0), std::int64_t(101));
        QCOMPARE(a.unassignedCount(), std::int64_t(3));   // cell 2 left Unassigned, cell 3 joined it
        a.setThreshold(0.0);   // every model-sourced cell with counts is now its argmax
        QCOMPARE(a.finalLabels(), (std::vector<std::string> {"Plasma", "T", "NK", kUnassigned, kUnassigned, "NK"}));
        QCOMPARE(a.unassignedCount(), std::int64_t(2));
        a.clearExpertLabel(3, 103);   // back to the model's call at the current threshold
        QCOMPARE(a.finalLabel(3), std::string("T"));
        QCOMPARE(a.source(3), LabelSource::Model);
        a.setThreshold(1.0);
        QCOMPARE(a.finalLabel(3), std::string(kUnassigned));
        QCOMPARE(a.finalLabel(0), std::string("Plasma"));
        a.setReviewed(5, true, 104);
        QVERIFY(a.reviewed(5));
        // Counting matches a recount after every change.
        const auto labels = a.finalLabels();
        QCOMPARE(a.unassignedCount(), std::int64_t(std::count(labels.begin(), labels.end(), std::string(kUnassigned))));

        // Copies are independent (only the probabilities are shared).
        Annotations b = a;
        b.setExpertLabel(1, "B", 200);
        QCOMPARE(a.finalLabel(1), std::string(kUnassigned));
        QCOMPARE(b.probabilities(3), a.probabilities(3));

        // Bad input is a clear error, never a crash.
        QVERIFY_THROWS_EXCEPTION(Error, a.setThreshold(std::nan("")));
        QVERIFY_THROWS_EXCEPTION(Error, a.setThreshold(1.5));
        QVERIFY_THROWS_EXCEPTION(Error, a.setExpertLabel(6, "B", 1));
        QVERIFY_THROWS_EXCEPTION(Error, a.setExpertLabel(-1, "B", 1));
        QVERIFY_THROWS_EXCEPTION(Error, a.setExpertLabel(0, "", 1));
        Annotations::Predicted bad = p;
        bad.label[2] = 3;
        QVERIFY_THROWS_EXCEPTION(Error, Annotations(bad, 0.5));
        bad = p;
        bad.confidence.pop_back();
        QVERIFY_THROWS_EXCEPTION(Error, Annotations(bad, 0.5));
        bad = p;
        bad.probabilities = std::make_shared<std::vector<float>>(17, 0.f);
        QVERIFY_THROWS_EXCEPTION(Error, Annotations(bad, 0.5));
        // No cells is allowed (an empty selection of a file), and has nothing unassigned.
        QCOMPARE(Annotations(Annotations::Predicted {{"A", "B"}, {}, {}, {}, {}, {}, {}}, 0.5).unassignedCount(), std::int64_t(0));
        // A second opinion (the linear member's call): one class and probability per cell, or none at all.
        QVERIFY(!a.hasSecondOpinion());
        QCOMPARE(a.secondLabel(0), -1);
        Annotations::Predicted second = p;
        second.secondLabel = {0, 1, 2, 0, 1, 2};
        second.secondConfidence = {0.9f, 0.8f, 0.7f, 0.6f, 0.5f, 0.4f};
        const Annotations withSecond(second, 0.5);
        QVERIFY(withSecond.hasSecondOpinion());
        QCOMPARE(withSecond.secondLabel(4), 1);
        QCOMPARE(withSecond.secondConfidence(2), 0.7f);
        bad = second;
        bad.secondLabel.pop_back();
        QVERIFY_THROWS_EXCEPTION(Error, Annotations(bad, 0.5));
        bad = second;
        bad.secondLabel[1] = 7;
        QVERIFY_THROWS_EXCEPTION(Error, Annotations(bad, 0.5));
    }

    void reviewedCellsBecomeTrainingData()
    {
        SimulatorOptions o;
        o.cells = 200;
        o.genes = 150;
        o.types = 3;
        o.domains = 2;
        o.seed = 3;
        auto sim = simulate(o);
        const Dataset &target = sim[1].data;
        // Subsets keep rows, ids, obs and obsm in the given order.
        Dataset withObsm = target;
        withObsm.obsm.push_back({"X_test", target.cells(), 2, std::vector<float>(static_cast<std::size_t>(target.cells()) * 2)});
        for (std::int64_t i = 0; i < target.cells(); ++i)
            withObsm.obsm[0].values[static_cast<std::size_t>(2 * i)] = static_cast<float>(i);
        const Dataset sub = subsetCells(withObsm, {7, 2});
        QCOMPARE(sub.cells(), std::int64_t(2));
        QCOMPARE(sub.cellIds[0], target.cellIds[7]);
        QCOMPARE(sub.obs[0].text(1), target.obs[0].text(2));
        QCOMPARE(sub.obsm[0].values[0], 7.f);
        QCOMPARE(sub.matrix.rowValues(0).size(), target.matrix.rowValues(7).size());
        QVERIFY(sub.source.path.empty());
        QVERIFY_THROWS_EXCEPTION(Error, subsetCells(target, {target.cells()}));

        // The annotations of the target: the model calls everything class 0 with confidence 0.9.
        Annotations::Predicted p;
        p.classes = {"TypeA", "TypeB", "TypeC"};
        p.label.assign(static_cast<std::size_t>(target.cells()), 0);
        p.confidence.assign(static_cast<std::size_t>(target.cells()), 0.9f);
        p.noCounts.assign(static_cast<std::size_t>(target.cells()), 0);
        Annotations a(p, 0.5);
        QCOMPARE(reviewedCellsAsTraining(target, a, "cell_type").cells(), std::int64_t(0));
        a.setExpertLabel(4, "TypeB", 1);
        a.accept(10, 1);
        a.setExpertLabel(11, "Novel", 1, LabelSource::Lasso);
        a.setExpertLabel(12, kUnassigned, 1);    // not a label to learn
        a.setReviewed(13, true, 1);             // reviewed: the model's label stands
        const Dataset reviewed = reviewedCellsAsTraining(target, a, "cell_type");
        QCOMPARE(reviewed.cells(), std::int64_t(4));
        QCOMPARE(reviewed.cellIds, (std::vector<std::string> {target.cellIds[4], target.cellIds[10], target.cellIds[11], target.cellIds[13]}));
        const ObsColumn *labels = reviewed.findObs("cell_type");
        QVERIFY(labels);
        QCOMPARE(labels->text(0), std::string("TypeB"));
        QCOMPARE(labels->text(1), std::string("TypeA"));
        QCOMPARE(labels->text(2), std::string("Novel"));
        QCOMPARE(reviewed.source.reviewedFrom, datasetDisplayName(target, 0));

        // In a training set they are labelled cells of the target's domain, and their names become classes.
        auto training = std::make_shared<const Dataset>(sim[0].data);
        auto targetPtr = std::make_shared<const Dataset>(target);
        const TrainingSet set = prepareTrainingSet({training, std::make_shared<const Dataset>(reviewed)}, {targetPtr});
        QVERIFY(std::find(set.classes.begin(), set.classes.end(), "Novel") != set.classes.end());
        QCOMPARE(set.domains, (std::vector<std::string> {"training", "target"}));
        for (std::size_t r = 0; r < set.labelledOrigin.size(); ++r)
            QCOMPARE(set.labelledDomains[r], set.labelledOrigin[r].first == 1 ? 1 : 0);
    }
};

QTEST_GUILESS_MAIN(TestData)
#include "tst_data.moc"
