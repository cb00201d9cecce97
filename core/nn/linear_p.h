#pragma once
// Private to core/nn: how the linear member's output joins the network's (Model::Contents::linearShare).

#include <torch/torch.h>

#include <cstdint>
#include <vector>

namespace nym::nn {

// Row-major logits (rows × classes) as a tensor, copied.
inline torch::Tensor logitsTensor(const std::vector<float> &values, std::int64_t classes)
{
    const auto rows = classes > 0 ? static_cast<std::int64_t>(values.size()) / classes : 0;
    return torch::from_blob(const_cast<float *>(values.data()), {rows, classes}, torch::kFloat32).clone();
}

// The model's probabilities from each member's calibrated probabilities: (1 − share)·network + share·linear.
inline torch::Tensor mixMembers(const torch::Tensor &network, const torch::Tensor &linear, double share)
{
    return share > 0 ? network * (1.0 - share) + linear * share : network;
}

}   // namespace nym::nn
