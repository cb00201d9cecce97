#include "core/nn/saliency.h"

#include "core/common/error.h"
#include "core/nn/network_p.h"

#include <ATen/CPUGeneratorImpl.h>

#include <algorithm>
#include <numeric>
#include <random>

namespace nym {

class Saliency::Impl
{
public:
    Impl(const Model &model, const CellMatrix &x, std::vector<std::int32_t> predicted, const SaliencyOptions &o)
        : model(model)
        , x(x)
        , predicted(std::move(predicted))
        , opt(o)
        , net(static_cast<std::int64_t>(model.genes().size()), static_cast<std::int64_t>(model.classes().size()),
              model.contents().options.classifier, at::make_generator<at::CPUGeneratorImpl>(0))
    {
        if (x.cols() != static_cast<std::int64_t>(model.genes().size()))
            throw Error("Saliency needs the cells in the model's gene order.");
        if (static_cast<std::int64_t>(this->predicted.size()) != x.rows())
            throw Error("Saliency needs one predicted class per cell.");
        if (opt.samples < 1 || opt.steps < 1 || opt.chunkCells < 1)
            throw Error("Saliency settings must be positive.");
        nn::importWeights(net, model);
        net->eval();
        for (auto &p : net->parameters())
            p.requires_grad_(false);
        // Per-class gene means (for the tables users read next to the attributions).
        const auto g = static_cast<std::size_t>(x.cols());
        const auto c = model.classes().size();
        classSum.assign(c, std::vector<double>(g, 0));
        classCount.assign(c, 0);
        total.assign(g, 0);
        for (std::int64_t i = 0; i < x.rows(); ++i) {
            const auto k = static_cast<std::size_t>(this->predicted[static_cast<std::size_t>(i)]);
            ++classCount[k];
            const auto idx = x.rowIndices(i);
            const auto val = x.rowValues(i);
            for (std::size_t j = 0; j < idx.size(); ++j) {
                classSum[k][static_cast<std::size_t>(idx[j])] += val[j];
                total[static_cast<std::size_t>(idx[j])] += val[j];
            }
        }
    }

    const Model &model;
    const CellMatrix &x;
    std::vector<std::int32_t> predicted;
    SaliencyOptions opt;
    mutable nn::ScnymNet net;
    std::vector<std::vector<double>> classSum;
    std::vector<std::int64_t> classCount;
    std::vector<double> total;

    torch::Tensor denseRows(std::span<const std::int64_t> rows) const
    {
        auto v = x.denseRows(rows);
        return torch::from_blob(v.data(), {static_cast<std::int64_t>(rows.size()), x.cols()}, torch::kFloat32)
            .clone();
    }

    // The `top` genes by score, with the class's and the other cells' mean expression; `expression` gives the value
    // shown in the expression column (the cell's own, or the class mean when null).
    std::vector<GeneAttribution> ranked(
        const std::vector<double> &score, std::int32_t cls, int top, const std::vector<float> *expression) const
    {
        const auto g = score.size();
        std::vector<std::size_t> order(g);
        std::iota(order.begin(), order.end(), 0);
        const auto k = std::min<std::size_t>(static_cast<std::size_t>(std::max(top, 0)), g);
        std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(k), order.end(),
            [&](std::size_t a, std::size_t b) { return score[a] > score[b]; });
        const auto c = static_cast<std::size_t>(cls);
        const double nc = std::max<std::int64_t>(1, classCount[c]);
        const double no = std::max<std::int64_t>(1, x.rows() - classCount[c]);
        std::vector<GeneAttribution> out;
        for (std::size_t i = 0; i < k; ++i) {
            const auto gi = order[i];
            const double classMean = classSum[c][gi] / nc;
            out.push_back({model.genes()[gi], score[gi], expression ? (*expression)[gi] : classMean, classMean,
                (total[gi] - classSum[c][gi]) / no});
        }
        return out;
    }

    // Gradient of score(class) with respect to the input rows; `probability` picks softmax over raw logits.
    torch::Tensor gradient(torch::Tensor in, const torch::Tensor &cls, bool probability) const
    {
        in.requires_grad_(true);
        auto logits = net->forwardDense(in).logits;
        auto out = probability ? torch::softmax(logits, 1) : logits;
        auto picked = out.gather(1, cls.reshape({-1, 1})).sum();
        picked.backward();
        return in.grad().detach();
    }
};

Saliency::Saliency(
    const Model &model, const CellMatrix &x, std::vector<std::int32_t> predicted, const SaliencyOptions &options)
    : d(std::make_unique<Impl>(model, x, std::move(predicted), options))
{
}

Saliency::~Saliency() = default;

std::vector<float> Saliency::attributions(std::span<const std::int64_t> cells, std::span<const std::int32_t> classes) const
{
    if (cells.size() != classes.size())
        throw Error("Saliency needs one class per cell.");
    const std::int64_t g = d->x.cols();
    const auto nClasses = static_cast<std::int32_t>(d->model.classes().size());
    for (auto c : classes)
        if (c < 0 || c >= nClasses)
            throw Error("Saliency: class index out of range.");
    for (auto c : cells)
        if (c < 0 || c >= d->x.rows())
            throw Error("Saliency: cell index out of range.");
    std::vector<float> out(cells.size() * static_cast<std::size_t>(g), 0.f);
    std::mt19937_64 rng(d->opt.seed);
    std::uniform_real_distribution<float> unit(0.f, 1.f);
    const auto chunk = static_cast<std::size_t>(d->opt.chunkCells);
    for (std::size_t b = 0; b < cells.size(); b += chunk) {
        const std::size_t n = std::min(chunk, cells.size() - b);
        const std::span<const std::int64_t> part(cells.data() + b, n);
        auto xs = d->denseRows(part);   // [n, g]
        torch::Tensor attr;
        if (d->opt.method == SaliencyMethod::VanillaGradients) {
            auto cls = torch::from_blob(const_cast<std::int32_t *>(classes.data() + b), {static_cast<std::int64_t>(n)},
                torch::kInt32).to(torch::kInt64);
            attr = d->gradient(xs.clone(), cls, false);
        } else if (d->opt.method == SaliencyMethod::IntegratedGradients) {
            // Right Riemann sum from the zero baseline: x · mean_m ∇p(m/M · x) (reference get_integrated_gradient).
            const int m = d->opt.steps;
            auto alphas = torch::arange(1, m + 1, torch::kFloat32).div_(static_cast<float>(m)).reshape({1, m, 1});
            auto path = (xs.unsqueeze(1) * alphas).reshape({static_cast<std::int64_t>(n) * m, g});
            std::vector<std::int64_t> cls;
            for (std::size_t i = 0; i < n; ++i)
                cls.insert(cls.end(), static_cast<std::size_t>(m), classes[b + i]);
            auto grad = d->gradient(path, torch::tensor(cls, torch::kInt64), true).reshape({static_cast<std::int64_t>(n), m, g});
            attr = xs * grad.mean(1);
        } else {
            // Expected gradients (reference ExpectedGradient.query): references from cells of other classes,
            // α ~ U(0,1), gradient of the class logit at α·x + (1 − α)·ref times |x − ref|, averaged over draws.
            const int s = d->opt.samples;
            std::vector<std::int64_t> refRows, cls;
            std::vector<float> alpha;
            for (std::size_t i = 0; i < n; ++i) {
                std::vector<std::int64_t> pool;
                for (std::int64_t r = 0; r < d->x.rows(); ++r)
                    if (d->predicted[static_cast<std::size_t>(r)] != classes[b + i])
                        pool.push_back(r);
                if (pool.empty())
                    for (std::int64_t r = 0; r < d->x.rows(); ++r)
                        pool.push_back(r);
                std::uniform_int_distribution<std::size_t> pick(0, pool.size() - 1);
                for (int k = 0; k < s; ++k) {
                    refRows.push_back(pool[pick(rng)]);
                    alpha.push_back(unit(rng));
                    cls.push_back(classes[b + i]);
                }
            }
            auto refs = d->denseRows(refRows).reshape({static_cast<std::int64_t>(n), s, g});
            auto a = torch::from_blob(alpha.data(), {static_cast<std::int64_t>(n), s, 1}, torch::kFloat32).clone();
            auto xe = xs.unsqueeze(1);
            auto points = (a * xe + (1 - a) * refs).reshape({static_cast<std::int64_t>(n) * s, g});
            auto grad = d->gradient(points, torch::tensor(cls, torch::kInt64), false).reshape({static_cast<std::int64_t>(n), s, g});
            attr = (grad * (xe - refs).abs()).mean(1);
        }
        attr = attr.contiguous();
        std::copy_n(attr.data_ptr<float>(), static_cast<std::int64_t>(n) * g, out.begin() + static_cast<std::ptrdiff_t>(b) * g);
    }
    return out;
}

std::vector<GeneAttribution> Saliency::explainCell(std::int64_t cell, int top, std::int32_t cls) const
{
    if (cell < 0 || cell >= d->x.rows())
        throw Error("Saliency: cell index out of range.");
    if (cls < 0)
        cls = d->predicted[static_cast<std::size_t>(cell)];
    const std::int64_t cells[] = {cell};
    const std::int32_t classes[] = {cls};
    const auto attr = attributions(cells, classes);
    const auto g = static_cast<std::size_t>(d->x.cols());
    std::vector<float> expr(g, 0.f);
    const auto idx = d->x.rowIndices(cell);
    const auto val = d->x.rowValues(cell);
    for (std::size_t j = 0; j < idx.size(); ++j)
        expr[static_cast<std::size_t>(idx[j])] = val[j];
    return d->ranked(std::vector<double>(attr.begin(), attr.end()), cls, top, &expr);
}

std::vector<GeneAttribution> Saliency::explainClass(std::int32_t cls, int top) const
{
    if (cls < 0 || cls >= static_cast<std::int32_t>(d->model.classes().size()))
        throw Error("Saliency: class index out of range.");
    std::vector<std::int64_t> cells;
    for (std::int64_t i = 0; i < d->x.rows(); ++i)
        if (d->predicted[static_cast<std::size_t>(i)] == cls)
            cells.push_back(i);
    if (cells.empty())
        throw Error("No cell is labelled " + d->model.classes()[static_cast<std::size_t>(cls)] + "; nothing to explain.");
    if (static_cast<int>(cells.size()) > d->opt.maxCellsPerClass) {
        std::mt19937_64 rng(d->opt.seed + 1);
        std::shuffle(cells.begin(), cells.end(), rng);
        cells.resize(static_cast<std::size_t>(d->opt.maxCellsPerClass));
        std::sort(cells.begin(), cells.end());
    }
    const std::vector<std::int32_t> classes(cells.size(), cls);
    const auto attr = attributions(cells, classes);
    const auto g = static_cast<std::size_t>(d->x.cols());
    std::vector<double> mean(g, 0);
    for (std::size_t i = 0; i < cells.size(); ++i)
        for (std::size_t j = 0; j < g; ++j)
            mean[j] += attr[i * g + j];
    for (auto &m : mean)
        m /= static_cast<double>(cells.size());
    return d->ranked(mean, cls, top, nullptr);
}

SaliencyMethod saliencyMethodFromName(const std::string &name)
{
    if (name == "expected")
        return SaliencyMethod::ExpectedGradients;
    if (name == "integrated")
        return SaliencyMethod::IntegratedGradients;
    if (name == "vanilla")
        return SaliencyMethod::VanillaGradients;
    throw Error("Unknown saliency method \"" + name + "\"; use expected, integrated or vanilla.");
}

}   // namespace nym
