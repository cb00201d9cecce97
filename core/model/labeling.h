#pragma once

#include "core/data/annotations.h"
#include "core/data/cellmatrix.h"
#include "core/data/genealignment.h"
#include "core/model/predictions.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace nym {

// A model applied to every cell of a dataset (labelDataset in core/nn builds it). Immutable once built and shared
// as std::shared_ptr<const Labeling>; the editable per-cell state (final labels, review) is in Annotations.
struct Labeling
{
    GeneAlignment alignment;            // the model's genes found in the input (missing ones were zero-filled)
    std::string normalization;          // what was done to the input, as a sentence
    Predictions predictions;            // every cell of the input, in file order
    std::vector<std::string> labels;    // argmax label names
    std::vector<std::uint8_t> noCounts; // 1 for cells with no counts in the model's genes (confidence set to 0)
    // Estimated class shares of the input (prior correction), in the model's class order; empty when not applied.
    std::vector<double> composition;
    // How far apart the two members' own estimates of the input's class shares are (total variation, 0–1), when a
    // correction was asked for and the model has a linear member; negative otherwise.
    double memberCompositionGap = -1;
    // The likelihood-ratio statistic 2Λ for "this input's class mix is the training data's" and its 1% threshold
    // (χ², classes − 1 degrees of freedom), when the correction was estimated; negative otherwise.
    double shiftStatistic = -1, shiftThreshold = -1;
    std::vector<std::string> notes;
    CellMatrix matrix;                  // the aligned log1p(CPM) input (only with LabelingOptions::keepMatrix)
};

// Every cell with the model's call at a confidence threshold (the annotations share the labelling's probabilities,
// which keeps it alive). Throws nym::Error for a threshold outside [0, 1].
Annotations annotate(const std::shared_ptr<const Labeling> &labeling, double threshold);

}   // namespace nym
