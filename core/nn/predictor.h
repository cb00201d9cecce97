#pragma once

#include "core/data/cellmatrix.h"
#include "core/nn/model.h"

#include <cstdint>
#include <memory>
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
    std::vector<float> logits;             // cells × classes, before the temperature
    std::int64_t embeddingSize = 0;
    std::vector<float> embedding;          // cells × embeddingSize: last hidden layer after BN, before ReLU

    const std::string &labelName(std::int64_t cell) const { return classes[static_cast<std::size_t>(label[static_cast<std::size_t>(cell)])]; }
};

struct PredictorOptions
{
    // Divide logits by the model's calibration temperature before the softmax. Default true.
    bool applyTemperature = true;
    // Cells per forward pass; larger uses more memory. Default 4096.
    std::int64_t chunkCells = 4096;
    // CPU threads for torch; 0 leaves the current setting. Default 0.
    int threads = 0;
};

// Applies a Model to cells (eval mode). The input must already be log1p(CPM) with the model's genes as columns
// (see labelDataset for files). Holds its own copy of the network and a reference to the model, which must outlive
// it; one thread at a time.
class Predictor
{
public:
    explicit Predictor(const Model &model, const PredictorOptions &options = {});
    ~Predictor();
    Predictor(const Predictor &) = delete;
    Predictor &operator=(const Predictor &) = delete;

    Predictions predict(const CellMatrix &log1pCpm) const;

private:
    class Impl;
    std::unique_ptr<Impl> d;
};

}   // namespace nym
