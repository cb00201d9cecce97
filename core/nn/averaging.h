#pragma once

#include "core/data/cellmatrix.h"
#include "core/model/model.h"

#include <cstdint>
#include <vector>

namespace nym {

// Weight averaging (TrainOptions::weightAveraging) with plain interfaces, for tests and documentation; the trainer
// runs exactly these functions (the BatchNorm pass on its own network, network_p.h).

// mean ← mean + (next − mean) / (count + 1), array by array: after the call `mean` is the mean of count + 1 weight
// sets when it held the mean of `count`. nym::Error when the two sets differ in names or sizes.
void accumulateMean(std::vector<NamedArray> &mean, const std::vector<NamedArray> &next, int count);

// The model's network with its BatchNorm running statistics recomputed from scratch: each batch (rows of `cells`,
// in train mode, dropout included, no gradient) contributes its mean and unbiased variance with equal weight, as
// PyTorch's BatchNorm without momentum. Batches of one row are skipped (no variance). Returns the network's
// weights (parameters and statistics; the model's linear member is not part of them).
std::vector<NamedArray> recomputeBatchNormStatistics(const Model &model, const CellMatrix &cells,
    const std::vector<std::vector<std::int64_t>> &batches);

}   // namespace nym
