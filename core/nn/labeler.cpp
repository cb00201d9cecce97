#include "core/nn/labeler.h"

#include "core/common/error.h"
#include "core/eval/calibration.h"
#include "core/eval/priorshift.h"

#include <algorithm>
#include <cstdio>

namespace nym {

namespace {

std::string percent(double fraction)
{
    char text[32];
    std::snprintf(text, sizeof text, "%.0f%%", 100.0 * fraction);
    return text;
}

// The correction of the probabilities for the input's own class mix (prior-shift EM), with its guards: left out,
// with a note, when the two members disagree on the mix, when the mix is not clearly the training data's, or when
// it would relabel too many cells. Rewrites the predictions' probabilities, labels and confidences when applied.
void classMixCorrection(Labeling &out, const Model &model, const LabelingOptions &options)
{
    if (!options.priorCorrection || !model.contents().options.priorCorrection)
        return;
    const auto &prior = model.contents().classPrior;
    if (prior.empty()) {
        out.notes.push_back("The model file does not hold its training class shares (written by an older "
                            "version), so the probabilities are not corrected for this input's class mix.");
        return;
    }
    const auto cells = out.noCounts.size();
    auto &p = out.predictions;
    const auto c = static_cast<std::int64_t>(p.classes.size());
    // The probabilities the class mix is estimated from: the labelling's own, or, when a single member labels (chosen
    // by the automatic share or set with --linear-share), both members evenly: the probabilities corrected are still
    // that member's, only the estimate of the mix rests on both. A member's estimate alone is only as good as its
    // calibration on this input, and the regression, trained on the labelled cells only, is the one a technology
    // shift throws off (pbmc 3p_v2 → 3p_v1: the regression alone put 14% of the cells in a class holding 1% and
    // labelled 0.81 of them right, 0.92 uncorrected; the even mix's estimate was within 0.04 per class).
    std::vector<float> estimateFrom;
    if (!p.linearProbabilities.empty()) {
        // Each member's own estimate of the class shares, from its calibrated probabilities.
        const std::vector<float> net = softmaxRows(p.logits, c,
            options.predictor.applyTemperature ? model.temperature() : 1.0);
        out.memberCompositionGap = compositionGap(net, p.linearProbabilities, c, prior, out.noCounts);
        const double share = model.contents().linearShare;
        if (share == 0 || share == 1) {
            estimateFrom.resize(net.size());
            for (std::size_t i = 0; i < net.size(); ++i)
                estimateFrom[i] = 0.5f * net[i] + 0.5f * p.linearProbabilities[i];
        }
    }
    if (out.memberCompositionGap > options.maxMemberCompositionGap) {
        out.notes.push_back("The model's two members disagree on this input's class mix (their estimates "
                            "differ by " + percent(out.memberCompositionGap)
            + " of the cells), so the probabilities were not corrected for it.");
        return;
    }
    std::vector<float> before = p.probabilities;
    const PriorShiftResult r = correctPriorShift(estimateFrom.empty() ? std::span<float>(p.probabilities)
                                                                      : std::span<float>(estimateFrom),
        c, prior, out.noCounts);
    if (!estimateFrom.empty())
        applyClassShares(p.probabilities, c, prior, r.composition, out.noCounts);
    // No clear evidence that the mix differs from the training data's (likelihood-ratio test at 1%): the
    // correction would only move the probabilities by the noise of the estimate.
    const auto trainedClasses = std::count_if(prior.begin(), prior.end(), [](double v) { return v > 0; });
    if (trainedClasses >= 2) {
        out.shiftStatistic = 2 * r.logLikelihoodRatio;
        out.shiftThreshold = chiSquareQuantile99(static_cast<int>(trainedClasses) - 1);
    }
    if (options.requireSignificantShift && trainedClasses >= 2 && out.shiftStatistic < out.shiftThreshold) {
        p.probabilities.swap(before);
        out.notes.push_back("This input's class mix is not clearly different from the training data's "
                            "(likelihood-ratio test, p > 0.01), so the probabilities were not corrected for it.");
        return;
    }
    std::int64_t changed = 0, used = 0;
    for (std::size_t i = 0; i < cells; ++i) {
        const float *row = p.probabilities.data() + i * static_cast<std::size_t>(c);
        const auto best = static_cast<std::int32_t>(std::max_element(row, row + c) - row);
        if (!out.noCounts[i]) {
            ++used;
            changed += best != p.label[i];
        }
    }
    const double share = used > 0 ? static_cast<double>(changed) / static_cast<double>(used) : 0.0;
    if (share > options.maxRelabelledByCorrection) {
        p.probabilities.swap(before);
        out.notes.push_back("The correction for this input's class mix would change the label of "
            + percent(share) + " of the cells, more than its probabilities can support; it was not applied.");
    } else {
        out.composition = r.composition;
    }
    for (std::size_t i = 0; i < cells; ++i) {
        const float *row = p.probabilities.data() + i * static_cast<std::size_t>(c);
        const auto best = std::max_element(row, row + c);
        p.label[i] = static_cast<std::int32_t>(best - row);
        p.confidence[i] = *best;
    }
    if (!r.converged)
        out.notes.push_back("The estimate of this input's class mix did not converge in "
            + std::to_string(r.iterations) + " iterations; the last estimate was used.");
}

}   // namespace

Labeling labelDataset(const Model &model, const Dataset &dataset, const LabelingOptions &options)
{
    if (dataset.cells() == 0)
        throw Error("The input holds no cells to label.");
    Labeling out;
    out.alignment = alignGenes(dataset.geneNames, model.genes());
    const auto &a = out.alignment;
    const std::int64_t needGenes = std::min<std::int64_t>(options.minMatchedGenes, static_cast<std::int64_t>(a.genes.size()));
    if (a.matched < needGenes || a.matchedFraction() < options.minMatchedFraction) {
        std::string examples;
        for (const auto &g : a.missingExamples)
            examples += (examples.empty() ? "" : ", ") + g;
        char pct[32];
        std::snprintf(pct, sizeof pct, "%.1f%%", 100.0 * a.matchedFraction());
        throw Error("Only " + std::to_string(a.matched) + " of the model's " + std::to_string(a.genes.size())
            + " genes (" + pct + ") are in the input; at least " + std::to_string(needGenes) + " and "
            + std::to_string(static_cast<int>(100 * options.minMatchedFraction))
            + "% are needed. Missing, e.g.: " + examples
            + ". Check that the input names genes the same way as the training data (symbols or Ensembl ids).");
    }
    if (a.matched < static_cast<std::int64_t>(a.genes.size())) {
        char pct[32];
        std::snprintf(pct, sizeof pct, "%.1f%%", 100.0 * a.matchedFraction());
        out.notes.push_back(std::to_string(static_cast<std::int64_t>(a.genes.size()) - a.matched)
            + " of the model's genes are missing from the input and were set to zero (" + pct + " found).");
    }
    const NormalizeResult n = normalizeToLog1pCpm(dataset.matrix, options.normalize);
    out.normalization = n.action;
    const CellMatrix x = a.apply(n.matrix);
    out.predictions = Predictor(model, options.predictor).predict(x);
    const auto sums = x.rowSums();
    const auto cells = static_cast<std::size_t>(dataset.cells());
    out.labels.resize(cells);
    out.noCounts.resize(cells);
    for (std::size_t i = 0; i < cells; ++i)
        out.noCounts[i] = sums[i] <= 0;
    classMixCorrection(out, model, options);
    for (std::size_t i = 0; i < cells; ++i) {
        out.labels[i] = out.predictions.labelName(static_cast<std::int64_t>(i));
        if (out.noCounts[i])
            out.predictions.confidence[i] = 0.f;
    }
    const auto empty = std::count(out.noCounts.begin(), out.noCounts.end(), std::uint8_t {1});
    if (empty > 0)
        out.notes.push_back(std::to_string(empty)
            + " cells have no counts in the model's genes; they are marked Unassigned with confidence 0.");
    if (options.keepMatrix)
        out.matrix = x;
    return out;
}

}   // namespace nym
