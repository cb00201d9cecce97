#pragma once

#include "core/data/dataset.h"
#include "core/data/normalize.h"
#include "core/model/labeling.h"
#include "core/model/model.h"
#include "core/nn/predictor.h"

#include <cstdint>
#include <string>
#include <vector>

namespace nym {

struct LabelingOptions
{
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
    // Guard (issue 17): a correction that would change the label of more than this share of the cells with counts
    // is not applied (with a note). A change of class mix moves the ambiguous cells; when the estimate relabels a
    // large part of the input, the probabilities cannot carry it (on the tiny simulated pair with 15,000 genes the
    // EM relabelled 40% of the cells and took the accuracy from 0.76 to 0.42, while a real change of mix relabelled
    // 11% and gained 0.04). Default 0.25; 1 disables the guard.
    double maxRelabelledByCorrection = 0.25;
    // Keep the aligned log1p(CPM) matrix in the result (for saliency and gene views). Default false.
    bool keepMatrix = false;
};

// Normalises the dataset to log1p(CPM) over all its genes, aligns it to the model's genes by name (zero-filling
// missing ones, reported) and predicts every cell; annotate() then applies a confidence threshold. Throws
// nym::Error when the overlap is too small or the data cannot be normalised.
Labeling labelDataset(const Model &model, const Dataset &dataset, const LabelingOptions &options = {});

}   // namespace nym
