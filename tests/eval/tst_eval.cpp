// Tests of core/eval: classification metrics, expected calibration error, temperature fitting. Expected numbers are
// hand calculations written next to them, or the generating parameter of simulated data.
#include "common/testsupport.h"

#include "core/common/error.h"
#include "core/eval/calibration.h"
#include "core/eval/metrics.h"

#include <cmath>
#include <random>

using namespace nym;

class TestEval : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void metricsByHand()
    {
        // truth a a b b, predicted a b b b.
        const auto m = classificationMetrics({"a", "a", "b", "b"}, {"a", "b", "b", "b"}, {"a", "b"});
        QCOMPARE(m.evaluated, 4);
        QCOMPARE(m.accuracy, 0.75);
        QCOMPARE(m.balancedAccuracy, 0.75);   // recall a = 1/2, b = 2/2
        // κ: p_o = 0.75, p_e = (2·1 + 2·3) / 16 = 0.5 → (0.75 − 0.5) / 0.5 = 0.5
        QCOMPARE(m.kappa, 0.5);
        // F1 a = 2·1/(2·1 + 0 + 1) = 2/3, F1 b = 2·2/(2·2 + 1 + 0) = 4/5 → mean 0.7333…
        QVERIFY(std::abs(m.macroF1 - (2.0 / 3 + 0.8) / 2) < 1e-12);
        QCOMPARE(m.confusion[0][0], 1);
        QCOMPARE(m.confusion[0][1], 1);
        QCOMPARE(m.confusion[1][1], 2);
    }

    void metricsSkipUnknownClasses()
    {
        // The third cell's class was never trained on, the fourth has no label: both are skipped.
        const auto m = classificationMetrics({"a", "b", "c", ""}, {"a", "a", "a", "a"}, {"a", "b"});
        QCOMPARE(m.evaluated, 2);
        QCOMPARE(m.skipped, 2);
        QCOMPARE(m.accuracy, 0.5);
        // An "Unassigned" prediction counts as wrong and as its own class in macro-F1.
        const auto u = classificationMetrics({"a", "b"}, {"a", "Unassigned"}, {"a", "b"});
        QCOMPARE(u.accuracy, 0.5);
        QCOMPARE(u.classes.size(), std::size_t(3));
        QVERIFY_THROWS_EXCEPTION(Error, classificationMetrics({"a"}, {}, {"a"}));
    }

    void eceByHand()
    {
        // 0.9 falls in bin (13/15, 14/15], 0.55 in (8/15, 9/15]. Bin 13: accuracy 0.5, confidence 0.9 → 2/4 · 0.4;
        // bin 8: accuracy 1, confidence 0.55 → 2/4 · 0.45. ECE = 0.2 + 0.225 = 0.425.
        const std::vector<float> conf {0.9f, 0.9f, 0.55f, 0.55f};
        const std::vector<std::uint8_t> ok {1, 0, 1, 1};
        const auto r = calibrationReport(conf, ok);
        QVERIFY(std::abs(r.ece - 0.425) < 1e-6);
        QCOMPARE(r.bins.size(), std::size_t(15));
        QCOMPARE(r.bins[13].cells, 2);
        QCOMPARE(r.bins[8].cells, 2);
        QVERIFY(std::abs(r.bins[13].accuracy - 0.5) < 1e-12);
        // Edges: confidence 1 goes to the last bin, 0 to the first.
        const std::vector<float> edge {1.0f, 0.0f};
        const std::vector<std::uint8_t> edgeOk {1, 0};
        const auto e = calibrationReport(edge, edgeOk);
        QCOMPARE(e.bins.back().cells, 1);
        QCOMPARE(e.bins.front().cells, 1);
        QCOMPARE(e.ece, 0.0);
        QVERIFY_THROWS_EXCEPTION(Error, calibrationReport(conf, edgeOk));
    }

    void softmaxRowsSumToOne()
    {
        const std::vector<float> logits {1.f, 2.f, 3.f, 1000.f, 0.f, -1000.f};
        const auto p = softmaxRows(logits, 3, 1.0);
        // e^1, e^2, e^3 over their sum: 0.0900306, 0.2447285, 0.6652410 (hand: numpy-free arithmetic).
        QVERIFY(std::abs(p[0] - 0.0900306f) < 1e-6f);
        QVERIFY(std::abs(p[2] - 0.6652410f) < 1e-6f);
        QVERIFY(std::abs(p[3] - 1.0f) < 1e-6f);   // no overflow with huge logits
        QVERIFY(std::isfinite(p[5]));
    }

    void temperatureRecoversTheGeneratingOne()
    {
        // Labels drawn from softmax(z / 2): the maximum-likelihood temperature is ≈ 2.
        std::mt19937_64 rng(7);
        std::normal_distribution<float> n(0.f, 3.f);
        const int rows = 20000, c = 4;
        std::vector<float> logits(rows * c);
        std::vector<std::int32_t> labels(rows);
        for (int r = 0; r < rows; ++r) {
            for (int k = 0; k < c; ++k)
                logits[r * c + k] = n(rng);
            const auto p = softmaxRows(std::span<const float>(logits.data() + r * c, c), c, 2.0);
            std::discrete_distribution<int> pick(p.begin(), p.end());
            labels[r] = pick(rng);
        }
        const double t = fitTemperature(logits, c, labels);
        QVERIFY2(std::abs(t - 2.0) < 0.1, qPrintable(QString::number(t)));
        QCOMPARE(fitTemperature({}, c, {}), 1.0);
        const std::vector<std::int32_t> bad {7};
        QVERIFY_THROWS_EXCEPTION(Error, fitTemperature(std::span<const float>(logits.data(), c), c, bad));
        // 20,000 cells outweigh the prior: the MAP fit stays near the generating temperature.
        const double tMap = fitTemperature(logits, c, labels, kTemperaturePriorSigma);
        QVERIFY2(std::abs(tMap - 2.0) < 0.12, qPrintable(QString::number(tMap)));
    }

    void temperaturePriorHoldsOnASmallSplit()
    {
        // 100 cells, every one predicted right with margin 3: the likelihood alone keeps falling as T → 0, so the
        // plain fit runs to the search bound (every confidence becomes 1). The prior keeps T near 1.
        const int rows = 100, c = 3;
        std::vector<float> logits(rows * c, 0.f);
        std::vector<std::int32_t> labels(rows);
        for (int r = 0; r < rows; ++r) {
            labels[r] = r % c;
            logits[r * c + labels[r]] = 3.f;
        }
        const double tMl = fitTemperature(logits, c, labels);
        QVERIFY2(tMl < 0.06, qPrintable(QString::number(tMl)));
        // Hand-checked: objective 100·log(1 + 2e^(−3/T)) + 8(log T)² has its minimum at T ≈ 0.62 (derivative in
        // log T: −100·2e^(−3/T)(3/T)/(1 + 2e^(−3/T)) + 16 log T = 0).
        const double tMap = fitTemperature(logits, c, labels, kTemperaturePriorSigma);
        QVERIFY2(tMap > 0.5 && tMap < 0.75, qPrintable(QString::number(tMap)));
    }
};

QTEST_GUILESS_MAIN(TestEval)
#include "tst_eval.moc"
