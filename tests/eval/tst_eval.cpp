// Tests of core/eval: classification metrics, expected calibration error, temperature fitting, prior-shift EM. Expected numbers are
// hand calculations written next to them, or the generating parameter of simulated data.
#include "common/testsupport.h"

#include "core/common/error.h"
#include "core/eval/calibration.h"
#include "core/eval/metrics.h"
#include "core/eval/priorshift.h"

#include <cmath>
#include <random>

using namespace nym;

namespace {

// `rows` cells, cell r of class r mod c, every one predicted right: logit `margin` for its class, 0 for the others.
std::pair<std::vector<float>, std::vector<std::int32_t>> allRight(int rows, int c, float margin)
{
    std::vector<float> logits(static_cast<std::size_t>(rows * c), 0.f);
    std::vector<std::int32_t> labels(static_cast<std::size_t>(rows));
    for (int r = 0; r < rows; ++r) {
        labels[static_cast<std::size_t>(r)] = r % c;
        logits[static_cast<std::size_t>(r * c + r % c)] = margin;
    }
    return {logits, labels};
}

}   // namespace

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
        const int c = 3;
        const auto [logits, labels] = allRight(100, c, 3.f);
        const double tMl = fitTemperature(logits, c, labels);
        QVERIFY2(tMl < 0.06, qPrintable(QString::number(tMl)));
        // Hand-checked: objective 100·log(1 + 2e^(−3/T)) + (log T)²/(2σ²) has its minimum where its derivative in
        // log T, 100·2e^(−3/T)(3/T)/(1 + 2e^(−3/T)) + log T/σ², is 0: T ≈ 0.405 for the trainer's σ = 1, T ≈ 0.621
        // for σ = 0.25.
        const double tMap = fitTemperature(logits, c, labels, kTemperaturePriorSigma);
        QVERIFY2(std::abs(tMap - 0.405) < 0.01, qPrintable(QString::number(tMap)));
        const double tTight = fitTemperature(logits, c, labels, 0.25);
        QVERIFY2(std::abs(tTight - 0.621) < 0.01, qPrintable(QString::number(tTight)));
    }

    void temperaturePriorLetsNineCellsSharpen()
    {
        // A 9-cell model-selection split (mesc: 100 labelled cells), every cell right at confidence 0.9 (logit
        // margin log 18 over each of two other classes): an underconfident model. The trainer's prior lets the split
        // sharpen it — objective 9·log(1 + 2e^(−log 18/T)) + (log T)²/2, minimum at T ≈ 0.569, confidence 0.988 —
        // where σ = 0.25 held it at T ≈ 0.879 (confidence 0.930).
        const int c = 3;
        const auto [logits, labels] = allRight(9, c, static_cast<float>(std::log(18.0)));
        const double t = fitTemperature(logits, c, labels, kTemperaturePriorSigma);
        QVERIFY2(std::abs(t - 0.569) < 0.01, qPrintable(QString::number(t)));
        const auto p = softmaxRows(std::span<const float>(logits.data(), c), c, t);
        QVERIFY2(std::abs(p[0] - 0.988) < 0.002, qPrintable(QString::number(p[0])));
        QVERIFY2(std::abs(fitTemperature(logits, c, labels, 0.25) - 0.879) < 0.01, "the tight prior's fit");
    }

    void heldOutCellsCheckTheirTemperatureHonestly()
    {
        // Nine fit cells right at margin log 18 and two held-out cells at that margin: cell 0 (even) labelled wrong,
        // cell 1 (odd) right. Hand-checked minima of n_right·log(1 + 2e^(−m/T)) + n_wrong·log(e^(m/T) + 2) +
        // (log T)²/2: 10 right + 1 wrong → T ≈ 0.9686 (the model's, every cell); cell 0 is checked with the fit on
        // the nine and cell 1 (10 right → 0.5591), cell 1 with the nine and cell 0 (9 right + 1 wrong → 1.0000).
        const int c = 3;
        const auto m = static_cast<float>(std::log(18.0));
        const auto [fitLogits, fitLabels] = allRight(9, c, m);
        const std::vector<float> heldLogits {m, 0.f, 0.f, m, 0.f, 0.f};
        std::vector<std::int32_t> heldLabels {1, 0};
        const auto t = fitTemperatureWithHeldOut(fitLogits, fitLabels, heldLogits, heldLabels, c, kTemperaturePriorSigma);
        QVERIFY2(std::abs(t.temperature - 0.9686) < 0.002, qPrintable(QString::number(t.temperature)));
        QCOMPARE(t.heldOut.size(), std::size_t(2));
        QVERIFY2(std::abs(t.heldOut[0] - 0.5591) < 0.002, qPrintable(QString::number(t.heldOut[0])));
        QVERIFY2(std::abs(t.heldOut[1] - 1.0000) < 0.002, qPrintable(QString::number(t.heldOut[1])));
        // A cell's own label never moves its check: relabelling cell 0 right changes the others' fits only.
        heldLabels[0] = 0;
        const auto u = fitTemperatureWithHeldOut(fitLogits, fitLabels, heldLogits, heldLabels, c, kTemperaturePriorSigma);
        QCOMPARE(u.heldOut[0], t.heldOut[0]);
        QVERIFY2(std::abs(u.heldOut[1] - 0.5591) < 0.002, qPrintable(QString::number(u.heldOut[1])));
        QVERIFY2(std::abs(u.temperature - 0.5501) < 0.002, qPrintable(QString::number(u.temperature)));
        // No held-out cells: the fit cells' own temperature; lengths that disagree are refused.
        QCOMPARE(fitTemperatureWithHeldOut(fitLogits, fitLabels, {}, {}, c, kTemperaturePriorSigma).temperature,
            fitTemperature(fitLogits, c, fitLabels, kTemperaturePriorSigma));
        const std::vector<std::int32_t> oneLabel {0};
        QVERIFY_THROWS_EXCEPTION(Error,
            fitTemperatureWithHeldOut(fitLogits, fitLabels, heldLogits, oneLabel, c, kTemperaturePriorSigma));
    }

    void classSharesAppliedByHand()
    {
        // Training shares (0.5, 0.5) → new shares (0.8, 0.2): ratios (1.6, 0.4). A row (0.5, 0.5) becomes
        // (0.8, 0.2); a row (0.9, 0.1) becomes 1.44 / 1.48 and 0.04 / 1.48. Skipped rows and rows without mass stay.
        std::vector<float> p {0.5f, 0.5f, 0.9f, 0.1f, 0.3f, 0.7f, 0.0f, 0.0f};
        const std::vector<double> prior {1.0, 1.0}, shares {0.8, 0.2};
        applyClassShares(p, 2, prior, shares, std::vector<std::uint8_t> {0, 0, 1, 0});
        QVERIFY(std::abs(p[0] - 0.8f) < 1e-6f && std::abs(p[1] - 0.2f) < 1e-6f);
        QVERIFY(std::abs(p[2] - 1.44f / 1.48f) < 1e-6f && std::abs(p[3] - 0.04f / 1.48f) < 1e-6f);
        QCOMPARE(p[4], 0.3f);
        QCOMPARE(p[6], 0.0f);
        // A class absent from training keeps its probability: shares (0.48, 0.12, 0.4) against (0.5, 0.5, 0) give
        // ratios (0.96, 0.24, 1), so (0.2, 0.3, 0.5) ↦ (0.192, 0.072, 0.5) / 0.764; shares are normalised first.
        std::vector<float> q {0.2f, 0.3f, 0.5f}, q10 = q;
        applyClassShares(q, 3, std::vector<double> {0.5, 0.5, 0.0}, std::vector<double> {0.48, 0.12, 0.4});
        QVERIFY(std::abs(q[0] - 0.192f / 0.764f) < 1e-6f && std::abs(q[2] - 0.5f / 0.764f) < 1e-6f);
        applyClassShares(q10, 3, std::vector<double> {0.5, 0.5, 0.0}, std::vector<double> {4.8, 1.2, 4.0});
        QCOMPARE(q10, q);
        // correctPriorShift's probabilities are the posteriors under its estimate: p · π / prior, renormalised.
        const std::vector<float> a0 {0.9f, 0.1f, 0.2f, 0.8f, 0.7f, 0.3f};
        std::vector<float> a = a0;
        const auto r = correctPriorShift(a, 2, std::vector<double> {0.5, 0.5});
        for (std::size_t i = 0; i < 3; ++i) {
            const double u = a0[2 * i] * r.composition[0] / 0.5, v = a0[2 * i + 1] * r.composition[1] / 0.5;
            QVERIFY(std::abs(a[2 * i] - u / (u + v)) < 1e-6);
        }
        // No row with any mass and no pseudo-cells: no estimate, nothing changed, no error.
        std::vector<float> empty {0.0f, 0.0f};
        correctPriorShift(empty, 2, std::vector<double> {0.5, 0.5}, {}, 0.0);
        QCOMPARE(empty, (std::vector<float> {0.0f, 0.0f}));
        // Bad input names the problem.
        QVERIFY_THROWS_EXCEPTION(Error, applyClassShares(p, 3, std::vector<double> {1, 1, 1}, std::vector<double> {1, 1, 1}));
        QVERIFY_THROWS_EXCEPTION(Error, applyClassShares(p, 2, prior, std::vector<double> {0.5, -0.1}));
        QVERIFY_THROWS_EXCEPTION(Error, applyClassShares(p, 2, prior, std::vector<double> {0.0, 0.0}));
        QVERIFY_THROWS_EXCEPTION(Error, applyClassShares(p, 2, prior, std::vector<double> {1.0}));
        QVERIFY_THROWS_EXCEPTION(Error, applyClassShares(p, 2, prior, shares, std::vector<std::uint8_t> {0}));
    }

    void priorShiftByHand()
    {
        // One cell with p = (0.9, 0.1), training shares (0.5, 0.5), one pseudo-cell at the training shares:
        // π = (q + 0.5) / 2 with q = 0.9π / (0.9π + 0.1(1 − π)) ⇒ 1.6π² − 1.1π − 0.05 = 0 ⇒ π = (1.1 + √1.53) / 3.2.
        std::vector<float> p {0.9f, 0.1f};
        const std::vector<double> prior {0.5, 0.5};
        const auto r = correctPriorShift(p, 2, prior, {}, 1.0);
        const double pi = (1.1 + std::sqrt(1.53)) / 3.2;   // 0.730291
        QVERIFY(r.converged);
        QCOMPARE(r.cells, std::int64_t(1));
        QVERIFY(std::abs(r.composition[0] - pi) < 1e-6);
        QVERIFY(std::abs(r.composition[1] - (1 - pi)) < 1e-6);
        // The cell's posterior under π: 0.9π / (0.9π + 0.1(1 − π)) = 2π − 0.5 (from the fixed point).
        QVERIFY(std::abs(p[0] - (2 * pi - 0.5)) < 1e-5);
        // Log-likelihood ratio against the training shares: log(0.9π/0.5 + 0.1(1 − π)/0.5) = log(0.2 + 1.6π).
        QVERIFY(std::abs(r.logLikelihoodRatio - std::log(0.2 + 1.6 * pi)) < 1e-6);
        QVERIFY(std::abs(p[0] + p[1] - 1) < 1e-6);

        // Predictions whose mean is the training mix already: nothing moves.
        std::vector<float> same {0.9f, 0.1f, 0.1f, 0.9f};
        const auto s = correctPriorShift(same, 2, prior, {}, 0.0);
        QVERIFY(std::abs(s.composition[0] - 0.5) < 1e-9);
        QVERIFY(std::abs(s.logLikelihoodRatio) < 1e-6);   // rows summing to 1 in float
        QVERIFY(std::abs(same[0] - 0.9f) < 1e-6f && std::abs(same[3] - 0.9f) < 1e-6f);

        // Skipped rows are neither counted nor changed; training shares need not be normalised.
        std::vector<float> withSkip {0.9f, 0.1f, 0.3f, 0.7f};
        const std::vector<std::uint8_t> skip {0, 1};
        const auto k = correctPriorShift(withSkip, 2, std::vector<double> {2.0, 2.0}, skip, 1.0);
        QCOMPARE(k.cells, std::int64_t(1));
        QVERIFY(std::abs(k.composition[0] - pi) < 1e-6);
        QCOMPARE(withSkip[2], 0.3f);

        // A class with training share 0 keeps its probability (it is not zeroed by the ratio π / 0).
        std::vector<float> absent {0.2f, 0.3f, 0.5f};
        correctPriorShift(absent, 3, std::vector<double> {0.5, 0.5, 0.0});
        QVERIFY(absent[2] > 0.3f);
        QVERIFY(std::abs(absent[0] + absent[1] + absent[2] - 1) < 1e-6f);

        // Bad input names the problem.
        std::vector<float> three {0.2f, 0.3f, 0.5f};
        QVERIFY_THROWS_EXCEPTION(Error, correctPriorShift(three, 2, prior));
        QVERIFY_THROWS_EXCEPTION(Error, correctPriorShift(p, 2, std::vector<double> {0.5, -0.1}));
        QVERIFY_THROWS_EXCEPTION(Error, correctPriorShift(p, 2, std::vector<double> {0.0, 0.0}));
        QVERIFY_THROWS_EXCEPTION(Error, correctPriorShift(p, 2, std::vector<double> {0.5, std::nan("")}));
        QVERIFY_THROWS_EXCEPTION(Error, correctPriorShift(p, 2, prior, skip));
    }

    void priorShiftRecoversTheTargetMix()
    {
        // x | y=1 ~ N(+1, 1), x | y=0 ~ N(−1, 1). Trained on a 50/50 mix, the calibrated posterior is
        // p(y=1 | x) = σ(2x). The cells to label are 80% class 1: EM should find 0.8, and the corrected labels
        // should be right more often (the Bayes rule under the true mix).
        std::mt19937_64 rng(7);
        std::normal_distribution<double> noise(0.0, 1.0);
        std::bernoulli_distribution isOne(0.8);
        const int n = 20000;
        std::vector<float> p(2 * n);
        std::vector<int> y(n);
        for (int i = 0; i < n; ++i) {
            y[i] = isOne(rng) ? 1 : 0;
            const double x = (y[i] ? 1.0 : -1.0) + noise(rng);
            const double p1 = 1.0 / (1.0 + std::exp(-2 * x));
            p[2 * i] = static_cast<float>(1 - p1);
            p[2 * i + 1] = static_cast<float>(p1);
        }
        auto accuracy = [&](const std::vector<float> &q) {
            int right = 0;
            for (int i = 0; i < n; ++i)
                right += (q[2 * i + 1] > q[2 * i]) == (y[i] == 1);
            return static_cast<double>(right) / n;
        };
        const double before = accuracy(p);
        const auto r = correctPriorShift(p, 2, std::vector<double> {0.5, 0.5});
        QVERIFY(r.converged);
        QVERIFY2(std::abs(r.composition[1] - 0.8) < 0.015, qPrintable(QString::number(r.composition[1])));
        const double after = accuracy(p);
        // Bayes accuracy under the 50/50 rule is Φ(1) ≈ 0.841; under the 80/20 rule ≈ 0.87.
        QVERIFY2(after > before + 0.015, qPrintable(QStringLiteral("%1 -> %2").arg(before).arg(after)));
        // The likelihood-ratio test sees the shift far beyond chance; 2,000 cells drawn at the training mix do not
        // reach the 1% threshold (2Λ is about χ² with one degree of freedom there).
        QVERIFY2(2 * r.logLikelihoodRatio > 10 * chiSquareQuantile99(1), qPrintable(QString::number(r.logLikelihoodRatio)));
        std::bernoulli_distribution fair(0.5);
        std::vector<float> q(2 * 2000);
        for (int i = 0; i < 2000; ++i) {
            const double x = (fair(rng) ? 1.0 : -1.0) + noise(rng);
            const double p1 = 1.0 / (1.0 + std::exp(-2 * x));
            q[2 * i] = static_cast<float>(1 - p1);
            q[2 * i + 1] = static_cast<float>(p1);
        }
        const auto null = correctPriorShift(q, 2, std::vector<double> {0.5, 0.5});
        QVERIFY2(2 * null.logLikelihoodRatio < chiSquareQuantile99(1), qPrintable(QString::number(null.logLikelihoodRatio)));
        QVERIFY(null.logLikelihoodRatio >= 0);
    }

    void chiSquareQuantilesWithinOnePercent()
    {
        // Exact 0.99 quantiles (scipy.stats.chi2.ppf): 1 → 6.6349, 2 → 9.2103, 3 → 11.3449, 8 → 20.0902.
        const std::pair<int, double> exact[] = {{1, 6.6349}, {2, 9.2103}, {3, 11.3449}, {8, 20.0902}};
        for (const auto &[dof, q] : exact)
            QVERIFY2(std::abs(chiSquareQuantile99(dof) / q - 1) < 0.01, qPrintable(QString::number(chiSquareQuantile99(dof))));
        QVERIFY_THROWS_EXCEPTION(Error, chiSquareQuantile99(0));
    }

    void compositionGapByHand()
    {
        // Two members, one cell, one pseudo-cell: p = (0.9, 0.1) gives π = (1.1 + √1.53) / 3.2 = 0.730291 (as in
        // priorShiftByHand) and its mirror (0.1, 0.9) gives 1 − π, so the total variation between the two
        // estimates is 2π − 1 = 0.460582. The inputs are not changed.
        const std::vector<double> prior {0.5, 0.5};
        const std::vector<float> a {0.9f, 0.1f}, b {0.1f, 0.9f};
        const double pi = (1.1 + std::sqrt(1.53)) / 3.2;
        const double gap = compositionGap(a, b, 2, prior, {}, 1.0);
        QVERIFY2(std::abs(gap - (2 * pi - 1)) < 1e-6, qPrintable(QString::number(gap)));
        QCOMPARE(a[0], 0.9f);
        QCOMPARE(b[0], 0.1f);
        // The same probabilities: no gap; symmetric.
        QCOMPARE(compositionGap(a, a, 2, prior, {}, 1.0), 0.0);
        QVERIFY(std::abs(compositionGap(b, a, 2, prior, {}, 1.0) - gap) < 1e-12);
        // Skipped rows do not count: a second cell on which the members disagree the other way, skipped.
        const std::vector<float> a2 {0.9f, 0.1f, 0.1f, 0.9f}, b2 {0.1f, 0.9f, 0.9f, 0.1f};
        const std::vector<std::uint8_t> skip {0, 1};
        QVERIFY(std::abs(compositionGap(a2, b2, 2, prior, skip, 1.0) - gap) < 1e-6);
        QVERIFY(compositionGap(a2, b2, 2, prior, {}, 1.0) < 1e-6);   // both cells: both members see 50/50
        // Sizes must agree.
        QVERIFY_THROWS_EXCEPTION(Error, compositionGap(a, a2, 2, prior));
    }
};

QTEST_GUILESS_MAIN(TestEval)
#include "tst_eval.moc"
