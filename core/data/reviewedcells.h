#pragma once

#include "core/data/annotations.h"
#include "core/data/dataset.h"

#include <cstdint>
#include <string>
#include <vector>

namespace nym {

// The given cells of a dataset (in the given order) with their ids, obs values and obsm rows: a new dataset.
// Throws nym::Error for a cell outside the dataset.
Dataset subsetCells(const Dataset &dataset, const std::vector<std::int64_t> &rows);

// The cells a person labelled in `annotations` (accepted, relabelled, lasso-labelled or marked reviewed, except
// those whose final label is Unassigned), as labelled training data: the subset of `target` with their final labels
// in the obs column `labelColumn` (replacing one of that name). The other half of "retrain with my corrections":
// these cells join the training files and the model is trained again with the same settings. An empty dataset
// (zero cells) when nobody labelled a cell.
Dataset reviewedCellsAsTraining(const Dataset &target, const Annotations &annotations, const std::string &labelColumn);

}   // namespace nym
