#pragma once

#include "core/data/cellmatrix.h"
#include "core/model/model.h"

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace nym {

enum class SaliencyMethod {
    ExpectedGradients,     // reference default (Erion et al.): gradient of the class logit along random references
    IntegratedGradients,   // zero baseline, gradient of the class probability (Sundararajan et al.)
    VanillaGradients       // gradient of the class logit at the cell
};

struct SaliencyOptions
{
    SaliencyMethod method = SaliencyMethod::ExpectedGradients;
    // Expected gradients: reference draws per cell. More is smoother and slower. Default 100 (scNym default).
    int samples = 100;
    // Integrated gradients: steps along the path from the baseline. Default 300 (scNym default).
    int steps = 300;
    // Class summaries average at most this many of the class's cells (a seeded random subset). Default 100.
    int maxCellsPerClass = 100;
    // Cells evaluated together; larger is faster and uses more memory (cells × samples × genes floats).
    int chunkCells = 8;
    std::uint64_t seed = 0;
};

// One gene's part in a call.
struct GeneAttribution
{
    std::string gene;
    double attribution = 0;
    double expression = 0;        // the cell's log1p(CPM), or the class mean for class summaries
    double classMean = 0;         // mean log1p(CPM) over the class's cells
    double otherMean = 0;         // mean log1p(CPM) over all other cells
};

// Why the model gives cells their labels (METHOD.md §6). `x` holds the cells as log1p(CPM) in the model's gene
// order (labelDataset aligns files); `predicted` is each cell's class index (the reference pool of expected
// gradients is drawn from cells of the other classes). Holds its own network copy and references to `model` and `x`,
// which must outlive it; one thread at a time.
class Saliency
{
public:
    Saliency(const Model &model, const CellMatrix &x, std::vector<std::int32_t> predicted,
        const SaliencyOptions &options = {});
    ~Saliency();
    Saliency(const Saliency &) = delete;
    Saliency &operator=(const Saliency &) = delete;

    // Attributions of the given cells for the given classes: cells.size() × genes, row-major.
    std::vector<float> attributions(std::span<const std::int64_t> cells, std::span<const std::int32_t> classes) const;
    // The top genes of one cell for a class (by default its predicted class), largest attribution first.
    std::vector<GeneAttribution> explainCell(std::int64_t cell, int top, std::int32_t cls = -1) const;
    // The top genes of a class: mean attribution over (up to maxCellsPerClass of) the cells predicted as it.
    std::vector<GeneAttribution> explainClass(std::int32_t cls, int top) const;

private:
    class Impl;
    std::unique_ptr<Impl> d;
};

SaliencyMethod saliencyMethodFromName(const std::string &name);   // "expected", "integrated", "vanilla"

}   // namespace nym
