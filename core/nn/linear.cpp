#include "core/nn/linear.h"

#include "core/common/error.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

namespace nym {

namespace {

// The objective of linear.h and its gradient at (W, b), W stored genes × classes (a row of W per nonzero of a
// cell). Rows are cut into blocks fixed by the row count, whose partial gradients are summed in block order, so the
// result does not depend on the number of threads.
struct Objective
{
    const CellMatrix &x;
    std::span<const std::int64_t> rows;
    std::span<const std::int32_t> labels;
    std::int64_t genes, classes;
    double C;
    bool penalizeBias;

    // Loss and gradient (into g, zeroed by the caller) of rows [k·per, min(n, (k + 1)·per)).
    double block(std::int64_t k, std::int64_t per, const double *w, const double *b, double *g) const
    {
        const auto n = static_cast<std::int64_t>(rows.size());
        std::vector<double> z(static_cast<std::size_t>(classes));
        double loss = 0;
        for (std::int64_t i = k * per; i < std::min(n, (k + 1) * per); ++i) {
            const auto row = rows[static_cast<std::size_t>(i)];
            const auto idx = x.rowIndices(row);
            const auto val = x.rowValues(row);
            std::copy_n(b, classes, z.begin());
            for (std::size_t j = 0; j < idx.size(); ++j) {
                const double *wr = w + static_cast<std::int64_t>(idx[j]) * classes;
                const double v = val[j];
                for (std::int64_t c = 0; c < classes; ++c)
                    z[static_cast<std::size_t>(c)] += v * wr[c];
            }
            const double m = *std::max_element(z.begin(), z.end());
            double s = 0;
            for (auto &e : z) {
                e = std::exp(e - m);
                s += e;
            }
            const auto y = static_cast<std::size_t>(labels[static_cast<std::size_t>(i)]);
            loss += std::log(s) - std::log(z[y]);
            for (auto &e : z)
                e /= s;
            z[y] -= 1.0;   // z is now ∂loss_i/∂logits
            double *gbk = g + genes * classes;
            for (std::int64_t c = 0; c < classes; ++c)
                gbk[c] += z[static_cast<std::size_t>(c)];
            for (std::size_t j = 0; j < idx.size(); ++j) {
                double *gr = g + static_cast<std::int64_t>(idx[j]) * classes;
                const double v = val[j];
                for (std::int64_t c = 0; c < classes; ++c)
                    gr[c] += v * z[static_cast<std::size_t>(c)];
            }
        }
        return loss;
    }

    double operator()(const double *w, const double *b, double *gw, double *gb) const
    {
        const auto n = static_cast<std::int64_t>(rows.size());
        // About 128 rows per block (an even number of blocks, so two cores share them evenly), at most 8.
        std::int64_t blocks = std::clamp<std::int64_t>(n / 128, 1, 8);
        blocks += blocks > 1 && blocks % 2 == 1 ? 1 : 0;
        const std::int64_t per = (n + blocks - 1) / blocks;
        const std::size_t gsize = static_cast<std::size_t>(genes * classes + classes);
        // The blocks' gradients are added to the total in block order either way: in parallel each block has its
        // own buffer; run serially (one thread, or inside a parallel region such as the cross-fitted folds) one
        // buffer is reused, so concurrent fits do not each hold `blocks` gradients.
        std::vector<double> total(gsize, 0.0);
        double loss = 0;
        if (blocks > 1 && at::get_num_threads() > 1 && !at::in_parallel_region()) {
            std::vector<std::vector<double>> grads(static_cast<std::size_t>(blocks));
            std::vector<double> losses(static_cast<std::size_t>(blocks), 0.0);
            at::parallel_for(0, blocks, 1, [&](std::int64_t from, std::int64_t to) {
                for (std::int64_t k = from; k < to; ++k) {
                    grads[static_cast<std::size_t>(k)].assign(gsize, 0.0);
                    losses[static_cast<std::size_t>(k)] = block(k, per, w, b, grads[static_cast<std::size_t>(k)].data());
                }
            });
            for (std::int64_t k = 0; k < blocks; ++k) {
                loss += losses[static_cast<std::size_t>(k)];
                const auto &g = grads[static_cast<std::size_t>(k)];
                for (std::size_t e = 0; e < gsize; ++e)
                    total[e] += g[e];
            }
        } else {
            std::vector<double> g(gsize);
            for (std::int64_t k = 0; k < blocks; ++k) {
                std::fill(g.begin(), g.end(), 0.0);
                loss += block(k, per, w, b, g.data());
                for (std::size_t e = 0; e < gsize; ++e)
                    total[e] += g[e];
            }
        }
        const double inv = 1.0 / static_cast<double>(n), penalty = 1.0 / (C * static_cast<double>(n));
        double sq = 0;
        for (std::int64_t e = 0; e < genes * classes; ++e) {
            gw[e] = total[static_cast<std::size_t>(e)] * inv + penalty * w[e];
            sq += w[e] * w[e];
        }
        for (std::int64_t c = 0; c < classes; ++c) {
            gb[c] = total[static_cast<std::size_t>(genes * classes + c)] * inv + (penalizeBias ? penalty * b[c] : 0.0);
            if (penalizeBias)
                sq += b[c] * b[c];
        }
        return loss * inv + 0.5 * penalty * sq;
    }
};

}   // namespace

LinearClassifier fitLogisticRegression(const CellMatrix &x, std::span<const std::int64_t> rows,
    std::span<const std::int32_t> labels, std::int64_t classes, const LogisticRegressionOptions &options)
{
    if (rows.empty())
        throw Error("The linear classifier needs at least one labelled cell.");
    if (rows.size() != labels.size())
        throw Error("The linear classifier was given " + std::to_string(rows.size()) + " cells but "
            + std::to_string(labels.size()) + " labels.");
    if (classes < 1)
        throw Error("The linear classifier needs at least one class.");
    if (!(options.C > 0) || !std::isfinite(options.C))
        throw Error("The linear classifier's C must be a positive number.");
    for (auto y : labels)
        if (y < 0 || y >= classes)
            throw Error("A label of the linear classifier is outside 0 … " + std::to_string(classes - 1) + ".");
    for (auto r : rows)
        if (r < 0 || r >= x.rows())
            throw Error("A row of the linear classifier is outside the matrix.");
    const std::int64_t genes = x.cols();
    const Objective f {x, rows, labels, genes, classes, options.C, options.penalizeBias};

    // L-BFGS (Nocedal & Wright, algorithm 7.4: two-loop recursion, 10 pairs) with a backtracking Armijo line search:
    // the objective is smooth and strictly convex, so every accepted step keeps sᵀy > 0. Plain vectors: torch's
    // optimiser spends more on its small-tensor bookkeeping than on a 100-cell objective.
    const std::size_t nw = static_cast<std::size_t>(genes * classes), n = nw + static_cast<std::size_t>(classes);
    std::vector<double> w(n, 0.0), g(n), xNew(n), gNew(n), dir(n);
    if (const LinearClassifier *s0 = options.start) {
        if (s0->genes != genes || s0->classes != classes)
            throw Error("The linear classifier's starting point has other genes or classes.");
        for (std::int64_t gi = 0; gi < genes; ++gi)
            for (std::int64_t c = 0; c < classes; ++c)
                w[static_cast<std::size_t>(gi * classes + c)] = s0->weight[static_cast<std::size_t>(c * genes + gi)];
        for (std::int64_t c = 0; c < classes; ++c)
            w[nw + static_cast<std::size_t>(c)] = s0->bias[static_cast<std::size_t>(c)];
    }
    LinearClassifier out;
    auto evaluate = [&](const std::vector<double> &at, std::vector<double> &grad) {
        ++out.evaluations;
        return f(at.data(), at.data() + nw, grad.data(), grad.data() + nw);
    };
    auto dot = [](const std::vector<double> &a, const std::vector<double> &b) {
        double s = 0;
        for (std::size_t i = 0; i < a.size(); ++i)
            s += a[i] * b[i];
        return s;
    };
    auto maxAbs = [](const std::vector<double> &a) {
        double m = 0;
        for (double v : a)
            m = std::max(m, std::abs(v));
        return m;
    };
    constexpr std::size_t kPairs = 10;
    std::vector<std::vector<double>> sHist, yHist;
    std::vector<double> rhoHist;
    double fx = evaluate(w, g);
    for (int it = 0; it < options.maxIterations && maxAbs(g) > options.tolerance; ++it) {
        // Direction −H g by the two-loop recursion; H₀ = γI with γ = sᵀy / yᵀy of the newest pair.
        dir = g;
        std::vector<double> alpha(sHist.size());
        for (std::size_t k = sHist.size(); k-- > 0;) {
            alpha[k] = rhoHist[k] * dot(sHist[k], dir);
            for (std::size_t i = 0; i < n; ++i)
                dir[i] -= alpha[k] * yHist[k][i];
        }
        const double gamma = sHist.empty() ? 1.0 / std::max(1.0, maxAbs(g)) : dot(sHist.back(), yHist.back()) / dot(yHist.back(), yHist.back());
        for (auto &v : dir)
            v *= gamma;
        for (std::size_t k = 0; k < sHist.size(); ++k) {
            const double beta = rhoHist[k] * dot(yHist[k], dir);
            for (std::size_t i = 0; i < n; ++i)
                dir[i] += sHist[k][i] * (alpha[k] - beta);
        }
        for (auto &v : dir)
            v = -v;
        double slope = dot(g, dir);
        if (!(slope < 0)) {   // not a descent direction (rounding): restart from steepest descent
            sHist.clear();
            yHist.clear();
            rhoHist.clear();
            for (std::size_t i = 0; i < n; ++i)
                dir[i] = -g[i] / std::max(1.0, maxAbs(g));
            slope = dot(g, dir);
        }
        double t = 1.0, fNew = 0;
        bool accepted = false;
        for (int k = 0; k < 50; ++k, t *= 0.5) {
            for (std::size_t i = 0; i < n; ++i)
                xNew[i] = w[i] + t * dir[i];
            fNew = evaluate(xNew, gNew);
            if (std::isfinite(fNew) && fNew <= fx + 1e-4 * t * slope) {
                accepted = true;
                break;
            }
        }
        if (!accepted)
            break;   // no decrease possible at double precision: as close as it gets
        std::vector<double> sk(n), yk(n);
        for (std::size_t i = 0; i < n; ++i) {
            sk[i] = xNew[i] - w[i];
            yk[i] = gNew[i] - g[i];
        }
        const double sy = dot(sk, yk);
        const bool stalled = std::abs(fx - fNew) <= 1e-15 * std::max(1.0, std::abs(fx));
        w.swap(xNew);
        g.swap(gNew);
        fx = fNew;
        if (sy > 1e-300) {
            if (sHist.size() == kPairs) {
                sHist.erase(sHist.begin());
                yHist.erase(yHist.begin());
                rhoHist.erase(rhoHist.begin());
            }
            sHist.push_back(std::move(sk));
            yHist.push_back(std::move(yk));
            rhoHist.push_back(1.0 / sy);
        }
        if (stalled)
            break;
    }
    out.objective = fx;
    out.gradientMax = maxAbs(g);
    out.converged = out.gradientMax <= options.tolerance;
    out.genes = genes;
    out.classes = classes;
    out.weight.resize(nw);
    for (std::int64_t gi = 0; gi < genes; ++gi)
        for (std::int64_t c = 0; c < classes; ++c)
            out.weight[static_cast<std::size_t>(c * genes + gi)] = static_cast<float>(w[static_cast<std::size_t>(gi * classes + c)]);
    out.bias.resize(static_cast<std::size_t>(classes));
    for (std::int64_t c = 0; c < classes; ++c)
        out.bias[static_cast<std::size_t>(c)] = static_cast<float>(w[nw + static_cast<std::size_t>(c)]);
    return out;
}

std::vector<float> LinearClassifier::logits(const CellMatrix &x, std::span<const std::int64_t> rows) const
{
    if (x.cols() != genes)
        throw Error("The input has " + std::to_string(x.cols()) + " genes but the linear classifier expects "
            + std::to_string(genes) + ".");
    std::vector<float> out(rows.size() * static_cast<std::size_t>(classes));
    at::parallel_for(0, static_cast<std::int64_t>(rows.size()), 256, [&](std::int64_t from, std::int64_t to) {
        for (std::int64_t i = from; i < to; ++i) {
            float *z = out.data() + i * classes;
            std::copy(bias.begin(), bias.end(), z);
            const auto row = rows[static_cast<std::size_t>(i)];
            const auto idx = x.rowIndices(row);
            const auto val = x.rowValues(row);
            for (std::size_t j = 0; j < idx.size(); ++j)
                for (std::int64_t c = 0; c < classes; ++c)
                    z[c] += val[j] * weight[static_cast<std::size_t>(c * genes + idx[j])];
        }
    });
    return out;
}

double shareFromReverseScores(double mixed, double network, double linear)
{
    const double margin = std::max(kReverseMargin, (1 - mixed) / 3);
    const bool networkBetter = network >= linear;
    const double single = networkBetter ? network : linear;
    const double other = networkBetter ? linear : network;
    if (single >= kReverseTrusted && (single > mixed + margin || (single >= mixed && other < kReverseFailed)))
        return networkBetter ? 0.0 : 1.0;   // false for NaN scores
    return 0.5;
}

std::vector<int> stratifiedFolds(std::span<const std::int32_t> labels, int folds, std::uint64_t seed)
{
    if (folds < 1)
        throw Error("Cross-fitting needs at least one fold.");
    std::vector<std::vector<std::size_t>> byClass;
    for (std::size_t i = 0; i < labels.size(); ++i) {
        if (labels[i] < 0)
            throw Error("Cross-fitting: a label is negative.");
        const auto c = static_cast<std::size_t>(labels[i]);
        if (c >= byClass.size())
            byClass.resize(c + 1);
        byClass[c].push_back(i);
    }
    std::vector<int> out(labels.size(), 0);
    std::mt19937_64 rng(seed);
    int next = 0;
    for (auto &members : byClass) {
        std::shuffle(members.begin(), members.end(), rng);
        for (auto i : members) {
            out[i] = next;
            next = (next + 1) % folds;
        }
    }
    return out;
}

std::vector<float> crossFittedLogits(const CellMatrix &x, std::span<const std::int64_t> rows,
    std::span<const std::int32_t> labels, std::span<const int> folds, std::int64_t classes,
    const LogisticRegressionOptions &options)
{
    if (labels.size() != rows.size() || folds.size() != rows.size())
        throw Error("Cross-fitting: rows, labels and folds differ in length.");
    const int k = folds.empty() ? 0 : *std::max_element(folds.begin(), folds.end()) + 1;
    std::vector<float> out(rows.size() * static_cast<std::size_t>(std::max<std::int64_t>(classes, 0)));
    struct Fold
    {
        std::vector<std::int64_t> fitRows, heldRows;
        std::vector<std::int32_t> fitLabels;
        std::vector<std::size_t> heldAt;
    };
    std::vector<Fold> parts(static_cast<std::size_t>(k));
    for (std::size_t i = 0; i < rows.size(); ++i)
        for (int f = 0; f < k; ++f) {
            Fold &p = parts[static_cast<std::size_t>(f)];
            if (folds[i] == f) {
                p.heldRows.push_back(rows[i]);
                p.heldAt.push_back(i);
            } else {
                p.fitRows.push_back(rows[i]);
                p.fitLabels.push_back(labels[i]);
            }
        }
    for (int f = 0; f < k; ++f)
        if (!parts[static_cast<std::size_t>(f)].heldRows.empty() && parts[static_cast<std::size_t>(f)].fitRows.empty())
            throw Error("Cross-fitting: fold " + std::to_string(f) + " holds every cell; nothing is left to fit on.");
    // One fold per thread (up to kParallelFitsUpTo weights): each fit is deterministic on its own (its row blocks do
    // not depend on the threads) and writes only its own held-out rows, so the logits do not depend on the thread
    // count. On small sets (a few hundred cells, one row block per evaluation) this is where the cores are.
    const auto fitFolds = [&](std::int64_t from, std::int64_t to) {
        for (std::int64_t f = from; f < to; ++f) {
            const Fold &p = parts[static_cast<std::size_t>(f)];
            if (p.heldRows.empty())
                continue;
            LinearClassifier fit = fitLogisticRegression(x, p.fitRows, p.fitLabels, classes, options);
            if (!fit.converged && options.start) {
                // Stopped short of the fold's optimum, a fit started from one that saw the fold's own cells would
                // carry some of them over (in-sample logits, too sure): start from zero instead.
                LogisticRegressionOptions cold = options;
                cold.start = nullptr;
                fit = fitLogisticRegression(x, p.fitRows, p.fitLabels, classes, cold);
            }
            const std::vector<float> l = fit.logits(x, p.heldRows);
            const auto c = static_cast<std::size_t>(classes);
            for (std::size_t j = 0; j < p.heldAt.size(); ++j)
                std::copy_n(l.begin() + static_cast<std::ptrdiff_t>(j * c), c,
                    out.begin() + static_cast<std::ptrdiff_t>(p.heldAt[j] * c));
        }
    };
    forEachFit(k, x.cols() * classes, fitFolds);
    return out;
}

void forEachFit(std::int64_t fits, std::int64_t weights, const std::function<void(std::int64_t, std::int64_t)> &fit)
{
    if (weights <= kParallelFitsUpTo)
        at::parallel_for(0, fits, 1, fit);
    else if (fits > 0)
        fit(0, fits);
}

}   // namespace nym
