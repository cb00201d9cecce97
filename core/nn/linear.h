#pragma once

#include "core/data/cellmatrix.h"

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

namespace nym {

// Multinomial logistic regression with an L2 penalty, the objective of scikit-learn's
// LogisticRegression(C, solver="lbfgs") (the issue-17 baseline; CellTypist's model is the same kind):
//     (1/n) Σ_i −log softmax(W x_i + b)[y_i]  +  ‖W‖² / (2 C n)          (the bias is not penalised)
// minimised by L-BFGS (10 pairs, backtracking Armijo line search). Inputs are the CSR log1p(CPM) rows as they are: unscaled.
struct LogisticRegressionOptions
{
    // Inverse penalty strength (scikit-learn's C). Larger fits the training cells more closely. Default 1.
    double C = 1.0;
    // L-BFGS iterations at most. Default 500 (scikit-learn's benchmark setting is 2000; a few hundred converge).
    int maxIterations = 500;
    // Converged when the largest absolute gradient entry of the objective above is below this. Default 1e-4
    // (scikit-learn's tol).
    double tolerance = 1e-6;
    // Start from this classifier's weights instead of zeros (same genes and classes; e.g. a fit on a subset of the
    // same cells). The optimum does not depend on it, only the iterations needed. Not owned; may be null.
    const struct LinearClassifier *start = nullptr;
    // Penalise the bias like the weights (‖W‖² + ‖b‖²). log1p(CPM) rows have a nearly constant sum, so the bias is
    // almost collinear with the weights and, unpenalised, drifts along a flat valley of the objective (on mesc
    // batch2 to ±4) and moves the target's calls; scikit-learn's L-BFGS leaves it near its start, 0, by stopping
    // early (its target accuracy there: 0.93; the exact unpenalised optimum: 0.86). Default true; false is
    // scikit-learn's stated objective.
    bool penalizeBias = true;
};

// A fitted linear classifier over the genes of the matrix it was fitted on.
struct LinearClassifier
{
    std::int64_t genes = 0, classes = 0;
    std::vector<float> weight;   // classes × genes, row-major (as torch's Linear)
    std::vector<float> bias;     // classes
    int evaluations = 0;         // objective evaluations L-BFGS used
    double objective = 0;        // final value of the objective above
    double gradientMax = 0;      // final largest absolute gradient entry
    bool converged = false;      // gradientMax ≤ tolerance

    // Logits (rows × classes, row-major) of the given rows of a matrix with the same genes as columns.
    std::vector<float> logits(const CellMatrix &x, std::span<const std::int64_t> rows) const;
};

// Fits on the given rows of x with one label per row (0 … classes − 1; classes no row carries are allowed and get
// low logits). Deterministic. Throws nym::Error for no rows, mismatched lengths, a label out of range or C ≤ 0.
LinearClassifier fitLogisticRegression(const CellMatrix &x, std::span<const std::int64_t> rows,
    std::span<const std::int32_t> labels, std::int64_t classes, const LogisticRegressionOptions &options = {});

// Independent fits (the cross-fitted folds, reverse validation's candidates) run one per thread when a fit has at
// most this many weights (genes × classes): each concurrent fit holds its L-BFGS history (20 vectors of that size),
// so wider problems fit one after another, each with its rows in parallel. 2^18 weights: 42 MB of history per fit.
inline constexpr std::int64_t kParallelFitsUpTo = std::int64_t(1) << 18;
// Runs fit(first, last) over [0, fits): in parallel chunks when a fit has at most kParallelFitsUpTo `weights`, else
// in one call.
void forEachFit(std::int64_t fits, std::int64_t weights, const std::function<void(std::int64_t, std::int64_t)> &fit);

// Folds for cross-fitting: each class's entries (in order of appearance, shuffled by `seed`) are dealt to folds 0, 1,
// … in turn, continuing from where the previous class stopped, so every fold holds about 1/folds of each class and
// fold sizes differ by at most one. Returns one fold per entry of `labels`. Throws nym::Error for folds < 1.
std::vector<int> stratifiedFolds(std::span<const std::int32_t> labels, int folds, std::uint64_t seed);

// Cross-fitted logits (rows × classes, row-major, in the order of `rows`): row i's logits come from a regression
// fitted on the rows of every other fold (options.start speeds each fit up and does not change its optimum; a
// warm-started fit that stops before converging is redone from zero, so the start cannot leak in). So a
// calibration can use every labelled cell, as scikit-learn's CalibratedClassifierCV does, instead of a small split.
// `labels` and `folds` hold one entry per row; a fold holding every row leaves nothing to fit on: an error.
std::vector<float> crossFittedLogits(const CellMatrix &x, std::span<const std::int64_t> rows,
    std::span<const std::int32_t> labels, std::span<const int> folds, std::int64_t classes,
    const LogisticRegressionOptions &options = {});

// The linear member's share (TrainOptions::linearShare, automatic) from the reverse-validation scores of the even mix,
// the network alone and the regression alone (the share of known cells that a classifier trained on each candidate's
// target labels gets right; NaN: not computed). The even mix (½) unless the better single member beats it by at least
// kReverseMargin and a third of the mix's remaining reverse error, and itself scores at least kReverseTrusted: below
// that its reverse classifier cannot do the reverse transfer, so the scores cannot rank the candidates (mesc batch2 →
// batch3: 0.67 for the regression against 0.50 for the mix, whose labels were all right). A member that scores at
// least kReverseTrusted and the mix also replaces it when the other member scores below kReverseFailed: that member's
// labels do not even transfer back, and in the mix it only flattens the trusted member's confidences (the tiny
// simulated pair: a network at T ≈ 5 scoring 0.35 halved the regression's confidences, ECE 0.24, while the mix's
// labels, the regression's, scored 0.94 against its 0.95). Returns 0.5, 0 or 1.
inline constexpr double kReverseMargin = 0.02, kReverseTrusted = 0.8, kReverseFailed = 0.6;
double shareFromReverseScores(double mixed, double network, double linear);

}   // namespace nym
