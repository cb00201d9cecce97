#include "core/nn/losses.h"

#include "core/common/error.h"
#include "core/nn/losses_p.h"
#include "core/nn/network_p.h"

#include <algorithm>

namespace nym {

namespace nn {

torch::Tensor sharpen(const torch::Tensor &q, double temperature)
{
    auto p = q.pow(1.0 / temperature);
    return p / p.sum(1, true);
}

torch::Tensor softCrossEntropy(const torch::Tensor &logits, const torch::Tensor &targets)
{
    return -(targets * torch::log_softmax(logits, 1)).sum(1).mean();
}

torch::Tensor consistencyLoss(
    const torch::Tensor &logits, const torch::Tensor &targets, const torch::Tensor &scale, std::int64_t rowsInBatch)
{
    auto p = torch::softmax(logits, 1);
    return ((p - targets).pow(2).sum(1) * scale).sum() / static_cast<double>(rowsInBatch);
}

}   // namespace nn

namespace {

torch::Tensor rowsOf(std::span<const float> v, std::int64_t classes)
{
    if (classes <= 0 || v.size() % static_cast<std::size_t>(classes) != 0)
        throw Error("The values do not form rows of " + std::to_string(classes) + " classes.");
    return torch::from_blob(const_cast<float *>(v.data()),
        {static_cast<std::int64_t>(v.size()) / classes, classes}, torch::kFloat32)
        .clone();
}

std::vector<float> toVector(const torch::Tensor &t)
{
    auto c = t.contiguous();
    return std::vector<float>(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
}

}   // namespace

std::vector<float> sharpenRows(std::span<const float> probabilities, std::int64_t classes, double temperature)
{
    return toVector(nn::sharpen(rowsOf(probabilities, classes), temperature));
}

void rampTargetPartners(
    std::vector<std::int64_t> &partners, std::int64_t targetRows, double share, std::mt19937_64 &rng)
{
    if (share >= 1)
        return;
    const auto rows = static_cast<std::int64_t>(partners.size());
    if (targetRows < 0 || targetRows >= rows)
        return;   // no labelled rows
    std::uniform_real_distribution<double> u01(0.0, 1.0);
    std::uniform_int_distribution<std::int64_t> labelled(targetRows, rows - 1);
    for (std::int64_t i = targetRows; i < rows; ++i) {
        auto &p = partners[static_cast<std::size_t>(i)];
        if (p < targetRows && u01(rng) >= share)
            p = labelled(rng);
    }
}

float keepDominant(float lambda)
{
    return std::max(lambda, 1.0f - lambda);
}

std::vector<float> mixRows(std::span<const float> a, std::span<const float> b, float lambda)
{
    if (a.size() != b.size())
        throw Error("Cannot mix rows of different lengths.");
    std::vector<float> out(a.size());
    for (std::size_t i = 0; i < a.size(); ++i)
        out[i] = lambda * a[i] + (1.0f - lambda) * b[i];
    return out;
}

double softCrossEntropy(std::span<const float> logits, std::span<const float> targets, std::int64_t classes)
{
    return nn::softCrossEntropy(rowsOf(logits, classes), rowsOf(targets, classes)).item<double>();
}

double consistencyLoss(std::span<const float> logits, std::span<const float> targets, std::span<const float> scale,
    std::int64_t classes, std::int64_t rowsInBatch)
{
    auto s = torch::from_blob(const_cast<float *>(scale.data()), {static_cast<std::int64_t>(scale.size())},
        torch::kFloat32).clone();
    return nn::consistencyLoss(rowsOf(logits, classes), rowsOf(targets, classes), s, rowsInBatch).item<double>();
}

std::vector<float> gradientReversalBackward(
    std::span<const float> x, std::span<const float> upstream, double weight, std::vector<float> *forward)
{
    auto xt = torch::from_blob(const_cast<float *>(x.data()), {static_cast<std::int64_t>(x.size())}, torch::kFloat32)
                  .clone()
                  .requires_grad_(true);
    auto up = torch::from_blob(const_cast<float *>(upstream.data()), {static_cast<std::int64_t>(upstream.size())},
        torch::kFloat32)
                  .clone();
    auto y = nn::gradientReversal(xt, weight);
    if (forward)
        *forward = toVector(y.detach());
    y.backward(up);
    return toVector(xt.grad());
}

}   // namespace nym
