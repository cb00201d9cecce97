#pragma once
// Private to core/nn: the loss pieces on tensors (public plain-vector versions in losses.h).

#include <torch/torch.h>

namespace nym::nn {

torch::Tensor sharpen(const torch::Tensor &q, double temperature);
torch::Tensor softCrossEntropy(const torch::Tensor &logits, const torch::Tensor &targets);
torch::Tensor consistencyLoss(
    const torch::Tensor &logits, const torch::Tensor &targets, const torch::Tensor &scale, std::int64_t rowsInBatch);

}   // namespace nym::nn
