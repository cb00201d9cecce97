#pragma once

#include "core/data/cellmatrix.h"
#include "core/model/model.h"
#include "core/model/predictions.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace nym {

// Version of LibTorch ("1.13.1"), for --version and About boxes; defined in predictor.cpp, where torch is visible.
std::string torchVersion();

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
