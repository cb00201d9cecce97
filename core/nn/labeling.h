#pragma once

#include "core/data/dataset.h"
#include "core/data/genealignment.h"
#include "core/data/normalize.h"
#include "core/io/h5adwriter.h"
#include "core/io/tablewriter.h"
#include "core/nn/model.h"
#include "core/nn/predictor.h"

#include <cstdint>
#include <string>
#include <vector>

namespace nym {

struct LabelingOptions
{
    // Cells whose confidence is below this get "Unassigned" in the thresholded label (the argmax label is kept
    // separately). Larger leaves more cells unassigned. Default 0.5.
    double unassignedThreshold = 0.5;
    // Fewer of the model's genes found in the input than this fraction, or than minMatchedGenes (or all of the
    // model's genes when it has fewer), is an error: predictions would rest on too little. Defaults 0.5 and 100.
    double minMatchedFraction = 0.5;
    std::int64_t minMatchedGenes = 100;
    NormalizeOptions normalize;
    PredictorOptions predictor;
    // Correct the probabilities for the input's own class mix (prior-shift EM, correctPriorShift), estimated from
    // the cells with counts, when the model's options ask for it (TrainOptions::priorCorrection; not for
    // reference-exact models). Needs the model's training class shares: models from before they were kept are left
    // uncorrected, with a note. Default true; false never corrects.
    bool priorCorrection = true;
    // Keep the aligned log1p(CPM) matrix in the result (for saliency and gene views). Default false.
    bool keepMatrix = false;
};

// A model applied to every cell of a dataset. Plain value type.
struct Labeling
{
    GeneAlignment alignment;            // the model's genes found in the input (missing ones were zero-filled)
    std::string normalization;          // what was done to the input, as a sentence
    Predictions predictions;            // every cell of the input, in file order
    std::vector<std::string> labels;    // argmax label names
    std::vector<std::string> thresholded;   // labels, or "Unassigned" below the threshold or for cells without counts
    std::vector<std::uint8_t> noCounts; // 1 for cells with no counts in the model's genes (confidence set to 0)
    std::int64_t unassigned = 0;
    // Estimated class shares of the input (prior correction), in the model's class order; empty when not applied.
    std::vector<double> composition;
    std::vector<std::string> notes;
    CellMatrix matrix;                  // the aligned log1p(CPM) input (only with keepMatrix)
};

inline constexpr const char *kUnassigned = "Unassigned";

// Normalises the dataset to log1p(CPM) over all its genes, aligns it to the model's genes by name (zero-filling
// missing ones, reported), predicts every cell and applies the threshold. Throws nym::Error when the overlap is
// too small or the data cannot be normalised.
Labeling labelDataset(const Model &model, const Dataset &dataset, const LabelingOptions &options = {});

// Recomputes the thresholded labels and the unassigned count for another confidence threshold.
void applyThreshold(Labeling &labeling, double threshold);

// The obs columns (nym_label, nym_confidence, nym_label_thresholded), obsm X_nym and uns provenance for writing an
// annotated copy of the input (h5adwriter).
H5adAdditions labelingAdditions(const Labeling &labeling, const Model &model, const std::string &inputPath);

// The per-cell table: cell id, label, thresholded label, confidence, one probability column per class, and the
// true label when given.
std::vector<TableColumn> labelingTable(const Labeling &labeling, const Dataset &dataset,
    const std::vector<std::string> &truth = {});

}   // namespace nym
