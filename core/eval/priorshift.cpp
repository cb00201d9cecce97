#include "core/eval/priorshift.h"

#include "core/common/error.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace nym {

void requireClassShares(std::span<const double> shares, std::size_t classes, const std::string &what)
{
    if (shares.size() != classes)
        throw Error(what + " do not match its classes (" + std::to_string(shares.size()) + " shares for "
            + std::to_string(classes) + " classes).");
    double sum = 0;
    for (double v : shares) {
        if (!std::isfinite(v) || v < 0)
            throw Error(what + " must be finite and not negative.");
        sum += v;
    }
    if (!(sum > 0))
        throw Error(what + " sum to 0.");
}

PriorShiftResult correctPriorShift(std::span<float> probabilities, std::int64_t classes,
    std::span<const double> trainingPrior, std::span<const std::uint8_t> skip, double pseudoCells, int maxIterations,
    double tolerance)
{
    const auto c = static_cast<std::size_t>(classes);
    if (classes < 1 || probabilities.size() % c != 0)
        throw Error("Prior correction: " + std::to_string(probabilities.size()) + " probabilities for "
            + std::to_string(classes) + " classes.");
    requireClassShares(trainingPrior, c, "Prior correction: the training class shares");
    const std::size_t rows = probabilities.size() / c;
    if (!skip.empty() && skip.size() != rows)
        throw Error("Prior correction: the skip mask does not match the cells.");
    double priorSum = 0;
    for (double p : trainingPrior)
        priorSum += p;
    if (!(pseudoCells >= 0) || !std::isfinite(pseudoCells))
        throw Error("Prior correction: the pseudo-cell count must be 0 or more.");

    std::vector<double> prior(c), pi(c), ratio(c), sum(c);
    for (std::size_t k = 0; k < c; ++k)
        prior[k] = trainingPrior[k] / priorSum;
    pi = prior;
    auto use = [&](std::size_t i) { return skip.empty() || skip[i] == 0; };
    auto updateRatio = [&] {
        for (std::size_t k = 0; k < c; ++k)
            ratio[k] = prior[k] > 0 ? pi[k] / prior[k] : 1.0;   // a class absent from training: left as is
    };
    PriorShiftResult r;
    for (std::size_t i = 0; i < rows; ++i)
        r.cells += use(i);
    // Posterior of row i under shares pi, into out (returns false for a row with no mass on any usable class).
    auto posterior = [&](std::size_t i, double *out) {
        double s = 0;
        for (std::size_t k = 0; k < c; ++k) {
            out[k] = static_cast<double>(probabilities[i * c + k]) * ratio[k];
            s += out[k];
        }
        if (!(s > 0) || !std::isfinite(s))
            return false;
        for (std::size_t k = 0; k < c; ++k)
            out[k] /= s;
        return true;
    };
    std::vector<double> q(c);
    for (r.iterations = 0; r.iterations < maxIterations && r.cells > 0; ++r.iterations) {
        updateRatio();
        std::fill(sum.begin(), sum.end(), 0.0);
        double total = pseudoCells;
        for (std::size_t i = 0; i < rows; ++i) {
            if (!use(i) || !posterior(i, q.data()))
                continue;
            for (std::size_t k = 0; k < c; ++k)
                sum[k] += q[k];
            total += 1;
        }
        double change = 0;
        for (std::size_t k = 0; k < c; ++k) {
            const double next = (sum[k] + pseudoCells * prior[k]) / total;
            change = std::max(change, std::abs(next - pi[k]));
            pi[k] = next;
        }
        if (change < tolerance) {
            r.converged = true;
            ++r.iterations;
            break;
        }
    }
    if (r.cells == 0)
        r.converged = true;
    updateRatio();
    // Log-likelihood of the cells under the estimated shares relative to the training shares:
    // p(x | π) / p(x | prior) = Σ_k p(k | x) π_k / prior_k.
    for (std::size_t i = 0; i < rows; ++i) {
        if (!use(i))
            continue;
        double s = 0;
        for (std::size_t k = 0; k < c; ++k)
            s += static_cast<double>(probabilities[i * c + k]) * ratio[k];
        if (s > 0 && std::isfinite(s))
            r.logLikelihoodRatio += std::log(s);
    }
    // No row with any mass and no pseudo-cells leave no estimate (0 / 0): the probabilities stay as they are.
    if (std::all_of(pi.begin(), pi.end(), [](double v) { return std::isfinite(v); }))
        applyClassShares(probabilities, classes, trainingPrior, pi, skip);
    r.composition = pi;
    return r;
}

void applyClassShares(std::span<float> probabilities, std::int64_t classes, std::span<const double> trainingPrior,
    std::span<const double> shares, std::span<const std::uint8_t> skip)
{
    const auto c = static_cast<std::size_t>(classes);
    if (classes < 1 || probabilities.size() % c != 0)
        throw Error("Class shares: " + std::to_string(probabilities.size()) + " probabilities for "
            + std::to_string(classes) + " classes.");
    requireClassShares(trainingPrior, c, "Class shares: the training class shares");
    requireClassShares(shares, c, "Class shares: the new class shares");
    const std::size_t rows = probabilities.size() / c;
    if (!skip.empty() && skip.size() != rows)
        throw Error("Class shares: the skip mask does not match the cells.");
    const double priorSum = std::accumulate(trainingPrior.begin(), trainingPrior.end(), 0.0);
    const double sharesSum = std::accumulate(shares.begin(), shares.end(), 0.0);
    std::vector<double> ratio(c), q(c);
    for (std::size_t k = 0; k < c; ++k) {
        const double prior = trainingPrior[k] / priorSum;
        ratio[k] = prior > 0 ? (shares[k] / sharesSum) / prior : 1.0;   // a class absent from training: left as is
    }
    for (std::size_t i = 0; i < rows; ++i) {
        if (!skip.empty() && skip[i] != 0)
            continue;
        double s = 0;
        for (std::size_t k = 0; k < c; ++k) {
            q[k] = static_cast<double>(probabilities[i * c + k]) * ratio[k];
            s += q[k];
        }
        if (!(s > 0) || !std::isfinite(s))
            continue;
        for (std::size_t k = 0; k < c; ++k)
            probabilities[i * c + k] = static_cast<float>(q[k] / s);
    }
}

double chiSquareQuantile99(int dof)
{
    if (dof < 1)
        throw Error("A chi-square quantile needs at least one degree of freedom.");
    // Wilson & Hilferty (1931): (χ²/k)^(1/3) is nearly normal with mean 1 − 2/(9k) and variance 2/(9k).
    const double k = dof, v = 2.0 / (9.0 * k), z = 2.326347874040841;   // the standard normal's 0.99 quantile
    const double base = 1.0 - v + z * std::sqrt(v);
    return k * base * base * base;
}

double compositionGap(std::span<const float> a, std::span<const float> b, std::int64_t classes,
    std::span<const double> trainingPrior, std::span<const std::uint8_t> skip, double pseudoCells)
{
    if (a.size() != b.size())
        throw Error("Class-mix comparison: the two sets of probabilities differ in size (" + std::to_string(a.size())
            + " and " + std::to_string(b.size()) + ").");
    std::vector<float> pa(a.begin(), a.end()), pb(b.begin(), b.end());
    const auto ra = correctPriorShift(pa, classes, trainingPrior, skip, pseudoCells);
    const auto rb = correctPriorShift(pb, classes, trainingPrior, skip, pseudoCells);
    double gap = 0;
    for (std::size_t k = 0; k < ra.composition.size(); ++k)
        gap += std::abs(ra.composition[k] - rb.composition[k]);
    return gap / 2;
}

}   // namespace nym
