#include "core/nn/labeling.h"

#include "core/common/error.h"
#include "core/eval/priorshift.h"

#include <algorithm>
#include <cstdio>

namespace nym {

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
    out.thresholded.resize(cells);
    out.noCounts.resize(cells);
    for (std::size_t i = 0; i < cells; ++i)
        out.noCounts[i] = sums[i] <= 0;
    if (options.priorCorrection && model.contents().options.priorCorrection) {
        const auto &prior = model.contents().classPrior;
        if (prior.empty()) {
            out.notes.push_back("The model file does not hold its training class shares (written by an older "
                                "version), so the probabilities are not corrected for this input's class mix.");
        } else {
            auto &p = out.predictions;
            const auto c = static_cast<std::int64_t>(p.classes.size());
            const PriorShiftResult r = correctPriorShift(p.probabilities, c, prior, out.noCounts);
            out.composition = r.composition;
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
    }
    for (std::size_t i = 0; i < cells; ++i) {
        out.labels[i] = out.predictions.labelName(static_cast<std::int64_t>(i));
        if (out.noCounts[i])
            out.predictions.confidence[i] = 0.f;
    }
    applyThreshold(out, options.unassignedThreshold);
    const auto empty = std::count(out.noCounts.begin(), out.noCounts.end(), std::uint8_t {1});
    if (empty > 0)
        out.notes.push_back(std::to_string(empty)
            + " cells have no counts in the model's genes; they are marked Unassigned with confidence 0.");
    if (options.keepMatrix)
        out.matrix = x;
    return out;
}

H5adAdditions labelingAdditions(const Labeling &l, const Model &model, const std::string &inputPath)
{
    H5adAdditions add;
    ObsColumn label = ObsColumn::fromLabels("nym_label", l.labels, true);
    ObsColumn thresholded = ObsColumn::fromLabels("nym_label_thresholded", l.thresholded, true);
    std::vector<double> conf(l.predictions.confidence.begin(), l.predictions.confidence.end());
    add.obs = {label, ObsColumn::numeric("nym_confidence", conf), thresholded};
    DenseArray emb;
    emb.name = "X_nym";
    emb.rows = l.predictions.cells;
    emb.cols = l.predictions.embeddingSize;
    emb.values = l.predictions.embedding;
    add.obsm.push_back(std::move(emb));
    DenseArray probs;
    probs.name = "nym_probabilities";
    probs.rows = l.predictions.cells;
    probs.cols = static_cast<std::int64_t>(l.predictions.classes.size());
    probs.values = l.predictions.probabilities;
    add.obsm.push_back(std::move(probs));
    std::string classes;
    for (const auto &c : model.classes())
        classes += (classes.empty() ? "" : "\t") + c;
    add.uns = {{"software", model.contents().createdBy}, {"method", "scNym (LibTorch reimplementation)"},
        {"preset", model.contents().options.preset}, {"input_file", inputPath}, {"normalization", l.normalization},
        {"genes_matched", std::to_string(l.alignment.matched) + " of " + std::to_string(l.alignment.genes.size())},
        {"temperature", std::to_string(model.temperature())}, {"classes", classes},
        {"probabilities", "obsm/nym_probabilities, columns in the order of uns/nym/classes (tab-separated)"}};
    if (l.composition.empty()) {
        add.uns.emplace_back("prior_correction", "off");
    } else {
        std::string shares;
        for (double v : l.composition) {
            char b[32];
            std::snprintf(b, sizeof b, "%.4f", v);
            shares += (shares.empty() ? "" : "\t") + std::string(b);
        }
        add.uns.emplace_back("prior_correction",
            "probabilities corrected for this input's estimated class mix (EM, Saerens et al. 2002)");
        add.uns.emplace_back("estimated_class_shares", shares);
    }
    return add;
}

std::vector<TableColumn> labelingTable(
    const Labeling &l, const Dataset &dataset, const std::vector<std::string> &truth)
{
    std::vector<TableColumn> cols;
    cols.push_back(TableColumn::ofText("cell", dataset.cellIds));
    cols.push_back(TableColumn::ofText("nym_label", l.labels));
    cols.push_back(TableColumn::ofText("nym_label_thresholded", l.thresholded));
    cols.push_back(TableColumn::ofNumbers(
        "nym_confidence", std::vector<double>(l.predictions.confidence.begin(), l.predictions.confidence.end())));
    if (!truth.empty())
        cols.push_back(TableColumn::ofText("true_label", truth));
    const auto c = l.predictions.classes.size();
    for (std::size_t k = 0; k < c; ++k) {
        std::vector<double> p(static_cast<std::size_t>(l.predictions.cells));
        for (std::size_t i = 0; i < p.size(); ++i)
            p[i] = l.predictions.probabilities[i * c + k];
        cols.push_back(TableColumn::ofNumbers("p_" + l.predictions.classes[k], std::move(p)));
    }
    return cols;
}

void applyThreshold(Labeling &labeling, double threshold)
{
    labeling.unassigned = 0;
    labeling.thresholded.resize(labeling.labels.size());
    for (std::size_t i = 0; i < labeling.labels.size(); ++i) {
        const bool unassigned = labeling.noCounts[i] || labeling.predictions.confidence[i] < threshold;
        labeling.thresholded[i] = unassigned ? std::string(kUnassigned) : labeling.labels[i];
        labeling.unassigned += unassigned;
    }
}

}   // namespace nym
