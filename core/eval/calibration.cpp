#include "core/eval/calibration.h"

#include "core/common/error.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace nym {

CalibrationReport calibrationReport(std::span<const float> confidence, std::span<const std::uint8_t> correct, int bins)
{
    if (confidence.size() != correct.size())
        throw Error("Cannot measure calibration: " + std::to_string(confidence.size()) + " confidences for "
            + std::to_string(correct.size()) + " outcomes.");
    if (bins < 1)
        throw Error("Cannot measure calibration with fewer than one bin.");
    CalibrationReport r;
    r.cells = static_cast<std::int64_t>(confidence.size());
    r.bins.resize(static_cast<std::size_t>(bins));
    std::vector<double> confSum(r.bins.size(), 0), hits(r.bins.size(), 0);
    for (std::size_t i = 0; i < confidence.size(); ++i) {
        const double p = std::clamp(static_cast<double>(confidence[i]), 0.0, 1.0);
        // Bin b holds (b/B, (b+1)/B]; a confidence of exactly 0 goes to the first bin.
        auto b = static_cast<std::size_t>(std::max(0.0, std::ceil(p * bins) - 1));
        b = std::min(b, r.bins.size() - 1);
        ++r.bins[b].cells;
        confSum[b] += p;
        hits[b] += correct[i] ? 1 : 0;
    }
    for (std::size_t b = 0; b < r.bins.size(); ++b) {
        auto &bin = r.bins[b];
        bin.lower = static_cast<double>(b) / bins;
        bin.upper = static_cast<double>(b + 1) / bins;
        if (bin.cells == 0)
            continue;
        bin.meanConfidence = confSum[b] / static_cast<double>(bin.cells);
        bin.accuracy = hits[b] / static_cast<double>(bin.cells);
        r.ece += static_cast<double>(bin.cells) / static_cast<double>(r.cells)
            * std::abs(bin.accuracy - bin.meanConfidence);
    }
    return r;
}

namespace {

// max and log Σ exp of one row of logits / temperature, computed stably.
double logSumExp(const float *x, std::size_t c, double temperature)
{
    double mx = -std::numeric_limits<double>::infinity();
    for (std::size_t k = 0; k < c; ++k)
        mx = std::max(mx, static_cast<double>(x[k]) / temperature);
    double sum = 0;
    for (std::size_t k = 0; k < c; ++k)
        sum += std::exp(static_cast<double>(x[k]) / temperature - mx);
    return mx + std::log(sum);
}

}   // namespace

std::vector<float> softmaxRows(std::span<const float> logits, std::int64_t classes, double temperature)
{
    if (classes <= 0 || logits.size() % static_cast<std::size_t>(classes) != 0)
        throw Error("Cannot compute probabilities: the logits do not form rows of " + std::to_string(classes) + ".");
    std::vector<float> out(logits.size());
    const auto c = static_cast<std::size_t>(classes);
    for (std::size_t r = 0; r < logits.size() / c; ++r) {
        const float *x = logits.data() + r * c;
        const double lse = logSumExp(x, c, temperature);
        for (std::size_t k = 0; k < c; ++k)
            out[r * c + k] = static_cast<float>(std::exp(static_cast<double>(x[k]) / temperature - lse));
    }
    return out;
}

namespace {

double negativeLogLikelihood(
    std::span<const float> logits, std::size_t c, std::span<const std::int32_t> labels, double temperature)
{
    double nll = 0;
    for (std::size_t r = 0; r < labels.size(); ++r) {
        const float *x = logits.data() + r * c;
        nll += logSumExp(x, c, temperature) - static_cast<double>(x[labels[r]]) / temperature;
    }
    return nll;
}

}   // namespace

double fitTemperature(
    std::span<const float> logits, std::int64_t classes, std::span<const std::int32_t> labels, double priorSigma)
{
    if (classes <= 0 || logits.size() != labels.size() * static_cast<std::size_t>(classes))
        throw Error("Cannot fit a temperature: logits and labels disagree in length.");
    for (auto l : labels)
        if (l < 0 || l >= classes)
            throw Error("Cannot fit a temperature: a label lies outside the classes.");
    if (labels.empty())
        return 1.0;
    const auto c = static_cast<std::size_t>(classes);
    // The NLL is unimodal in log T for softmax models; golden-section search on log T is robust and needs no
    // gradients. 60 iterations shrink the interval below 1e-12 of its width.
    // The log-normal prior adds a convex term in log T, so the objective stays unimodal.
    const double penalty = priorSigma > 0 ? 1.0 / (2 * priorSigma * priorSigma) : 0.0;
    const auto objective = [&](double logT) {
        return negativeLogLikelihood(logits, c, labels, std::exp(logT)) + penalty * logT * logT;
    };
    double a = std::log(0.05), b = std::log(20.0);
    const double g = (std::sqrt(5.0) - 1) / 2;
    double x1 = b - g * (b - a), x2 = a + g * (b - a);
    double f1 = objective(x1);
    double f2 = objective(x2);
    for (int i = 0; i < 60; ++i) {
        if (f1 <= f2) {
            b = x2;
            x2 = x1;
            f2 = f1;
            x1 = b - g * (b - a);
            f1 = objective(x1);
        } else {
            a = x1;
            x1 = x2;
            f1 = f2;
            x2 = a + g * (b - a);
            f2 = objective(x2);
        }
    }
    return std::exp((a + b) / 2);
}

CrossFittedTemperature fitTemperatureWithHeldOut(std::span<const float> fitLogits,
    std::span<const std::int32_t> fitLabels, std::span<const float> heldLogits, std::span<const std::int32_t> heldLabels,
    std::int64_t classes, double priorSigma)
{
    const auto c = static_cast<std::size_t>(classes);
    if (classes <= 0 || fitLogits.size() != fitLabels.size() * c || heldLogits.size() != heldLabels.size() * c)
        throw Error("Cannot fit a temperature: logits and labels disagree in length.");
    // The fit cells plus the held-out cells of the halves in `halves` (bit 0: even positions, bit 1: odd ones).
    const auto fitWith = [&](unsigned halves) {
        std::vector<float> l(fitLogits.begin(), fitLogits.end());
        std::vector<std::int32_t> y(fitLabels.begin(), fitLabels.end());
        for (std::size_t i = 0; i < heldLabels.size(); ++i)
            if (halves & (1u << (i % 2))) {
                l.insert(l.end(), heldLogits.begin() + static_cast<std::ptrdiff_t>(i * c),
                    heldLogits.begin() + static_cast<std::ptrdiff_t>((i + 1) * c));
                y.push_back(heldLabels[i]);
            }
        return fitTemperature(l, classes, y, priorSigma);
    };
    CrossFittedTemperature t;
    t.temperature = fitWith(3);
    const double evenChecked = fitWith(2), oddChecked = fitWith(1);
    for (std::size_t i = 0; i < heldLabels.size(); ++i)
        t.heldOut.push_back(i % 2 == 0 ? evenChecked : oddChecked);
    return t;
}

}   // namespace nym
