#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace nym {

// One bin of a reliability diagram.
struct ReliabilityBin
{
    double lower = 0, upper = 0;   // confidence range (lower, upper]
    std::int64_t cells = 0;
    double meanConfidence = 0;     // 0 when empty
    double accuracy = 0;           // 0 when empty
};

struct CalibrationReport
{
    double ece = 0;   // expected calibration error: Σ_b (n_b / N) |accuracy_b − confidence_b|
    std::int64_t cells = 0;
    std::vector<ReliabilityBin> bins;
};

// Expected calibration error over equal-width confidence bins (15 by default, as Guo et al. 2017).
// Throws nym::Error when the spans differ in length or bins < 1.
CalibrationReport calibrationReport(std::span<const float> confidence, std::span<const std::uint8_t> correct,
    int bins = 15);

// Softmax of row-major logits (rows × classes) divided by a temperature.
std::vector<float> softmaxRows(std::span<const float> logits, std::int64_t classes, double temperature = 1.0);

// The temperature T > 0 minimising the negative log-likelihood of softmax(logits / T) for the given labels
// (Guo et al. 2017, "temperature scaling"), searched on log T over [0.05, 20]. Returns 1 for no cells.
// With priorSigma > 0 the fit is a MAP estimate under a log-normal prior on T (median 1 = no change, log-scale
// spread priorSigma): the penalty (log T)² / (2σ²) is added to the summed NLL. A few hundred cells with a handful
// of errors then cannot push T to the search bound, as the plain maximum-likelihood fit does (all cells right ⇒
// T → 0 ⇒ every confidence 1); thousands of cells outweigh the prior.
double fitTemperature(std::span<const float> logits, std::int64_t classes, std::span<const std::int32_t> labels,
    double priorSigma = 0.0);
// A temperature fitted on `fit` cells and a held-out set together, with the held-out cells' own check kept honest
// by cross-fitting: `temperature` rests on every cell (the model's), `heldOut[i]` on the fit cells plus the other
// half of the held-out cells (halves by position: even / odd), so the held-out check never sees its own labels.
struct CrossFittedTemperature
{
    double temperature = 1.0;
    std::vector<double> heldOut;   // one per held-out cell
};
CrossFittedTemperature fitTemperatureWithHeldOut(std::span<const float> fitLogits,
    std::span<const std::int32_t> fitLabels, std::span<const float> heldLogits, std::span<const std::int32_t> heldLabels,
    std::int64_t classes, double priorSigma);

// The prior spread the trainer uses (TrainOptions::temperatureScaling): weakly informative. The temperatures fitted
// on large splits range over 0.4–1.6 (the network, trained on MixUp-ed cells, is underconfident: 0.6–1.1); a spread
// of 0.25 put most of that range beyond two standard deviations, so a split of 9–20 cells, all right, could not move
// T from 1 (mesc: 0.90 where its target wanted 0.5–0.6). With σ = 1 nine cells right at 0.9 give T ≈ 0.57, and a
// split where every cell is right still stops short of the search bound (100 cells at margin 3: T ≈ 0.41).
inline constexpr double kTemperaturePriorSigma = 1.0;

}   // namespace nym
