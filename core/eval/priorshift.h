#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace nym {

// Throws nym::Error, its message starting with `what` (e.g. "The model's training class shares"), unless `shares`
// holds one finite, non-negative number per class with a positive sum.
void requireClassShares(std::span<const double> shares, std::size_t classes, const std::string &what);

struct PriorShiftResult
{
    std::vector<double> composition;   // estimated class shares of the cells used (sums to 1)
    int iterations = 0;
    bool converged = false;
    std::int64_t cells = 0;            // cells that took part
    // Σ over those cells of log p(x | π) / p(x | training shares) = log Σ_k p(k | x) π_k / prior_k at the estimate:
    // twice it is the likelihood-ratio statistic for "the mix is the training one" (Saerens et al. 2002, §3.3),
    // about χ² with (classes in training − 1) degrees of freedom when it is and the probabilities are calibrated.
    double logLikelihoodRatio = 0;
};

// Label-shift correction by expectation–maximisation (Saerens, Latinne & Decaestecker 2002; with calibrated
// probabilities as Alexandari et al. 2020). A classifier trained on data with class shares `trainingPrior` states
// p(y | x) under those shares; when the cells to label hold a different mix, the posteriors under the new shares π
// are p(y | x) · π_y / prior_y, renormalised, and π is the mean of those posteriors: iterate to the fixed point.
// The mean is taken with `pseudoCells` cells at the training shares added (a Dirichlet prior), so a handful of
// cells cannot drive a share to 0 or 1 and a class the input seems to lack stays possible. A class with training
// share 0 (all its labelled cells went to the model-selection or held-out splits) keeps its probability uncorrected.
// Rewrites `probabilities` (rows × classes, row-major) in place for every row; rows with skip[i] != 0 (e.g. cells
// without counts) are neither used for the estimate nor changed. `skip` may be empty. Throws nym::Error when the
// sizes disagree or the prior has a non-finite or negative entry or sums to 0.
PriorShiftResult correctPriorShift(std::span<float> probabilities, std::int64_t classes,
    std::span<const double> trainingPrior, std::span<const std::uint8_t> skip = {}, double pseudoCells = 10.0,
    int maxIterations = 1000, double tolerance = 1e-7);

// The posteriors under class shares `shares` (normalised to sum 1) of a classifier that states p(y | x) under
// `trainingPrior`: p(y | x) · shares_y / prior_y, renormalised per row (the last step of correctPriorShift, for shares estimated from
// other probabilities of the same cells). Rows with skip[i] != 0 or no mass on any class are left as they are; a
// class with training share 0 keeps its probability. Throws nym::Error when the sizes disagree or either set of
// shares is not finite, non-negative and of positive sum.
void applyClassShares(std::span<float> probabilities, std::int64_t classes, std::span<const double> trainingPrior,
    std::span<const double> shares, std::span<const std::uint8_t> skip = {});

// The 0.99 quantile of the χ² distribution with `dof` ≥ 1 degrees of freedom (Wilson–Hilferty approximation,
// within 1% of the exact value from 1 degree of freedom up). Throws nym::Error for dof < 1.
double chiSquareQuantile99(int dof);

// How far apart two classifiers' estimates of the same cells' class shares are: each set of probabilities (rows ×
// classes, e.g. the network's and the linear member's, each calibrated) goes through correctPriorShift on a copy,
// and the result is the total variation distance ½ Σ_k |π_a,k − π_b,k|, from 0 (the same mix) to 1. The inputs are
// left as they are. Throws nym::Error when the two sets differ in size, and as correctPriorShift.
double compositionGap(std::span<const float> a, std::span<const float> b, std::int64_t classes,
    std::span<const double> trainingPrior, std::span<const std::uint8_t> skip = {}, double pseudoCells = 10.0);

}   // namespace nym
