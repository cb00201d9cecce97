#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace nym {

// Per-cell output of a model (METHOD.md §5): argmax label, all-class probabilities, confidence and the 256-d
// embedding. Plain value type.
struct Predictions
{
    std::vector<std::string> classes;
    std::int64_t cells = 0;
    std::vector<std::int32_t> label;       // index into classes
    std::vector<float> confidence;         // max probability
    std::vector<float> probabilities;      // cells × classes, row-major
    std::vector<float> logits;             // cells × classes: the network's, before the temperature
    // The linear member's own call per cell (an independent second opinion; empty when the model has none) and its
    // calibrated probability for that class.
    std::vector<std::int32_t> linearLabel;
    std::vector<float> linearConfidence;
    std::vector<float> linearProbabilities;   // cells × classes: the linear member's calibrated probabilities
    std::int64_t embeddingSize = 0;
    std::vector<float> embedding;          // cells × embeddingSize: last hidden layer after BN, before ReLU

    const std::string &labelName(std::int64_t cell) const { return classes[static_cast<std::size_t>(label[static_cast<std::size_t>(cell)])]; }
};

}   // namespace nym
