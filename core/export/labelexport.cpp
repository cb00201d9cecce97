#include "core/export/labelexport.h"

#include <ctime>

#include "core/common/error.h"
#include "core/data/trainingset.h"

#include <cstdio>

namespace nym {

namespace {

void checkFile(const LabelledFile &f, std::size_t index)
{
    if (!f.dataset || !f.labeling || !f.annotations)
        throw Error("Export: file " + std::to_string(index + 1) + " has no predictions.");
    const std::int64_t n = f.dataset->cells();
    if (f.labeling->predictions.cells != n || f.annotations->cells() != n
        || static_cast<std::int64_t>(f.labeling->labels.size()) != n)
        throw Error(datasetDisplayName(*f.dataset, index) + ": the predictions cover "
            + std::to_string(f.labeling->predictions.cells) + " cells but the file holds " + std::to_string(n) + ".");
    if (!f.truth.empty() && static_cast<std::int64_t>(f.truth.size()) != n)
        throw Error(datasetDisplayName(*f.dataset, index) + ": the true labels cover " + std::to_string(f.truth.size())
            + " cells but the file holds " + std::to_string(n) + ".");
    if (f.umap && static_cast<std::int64_t>(f.umap->size()) != 2 * n)
        throw Error(datasetDisplayName(*f.dataset, index) + ": the UMAP layout covers " + std::to_string(f.umap->size() / 2)
            + " cells but the file holds " + std::to_string(n) + ".");
}

// Seconds since 1970 as ISO 8601 UTC ("2026-12-01T16:34:17Z"); "" for 0 (never edited).
std::string isoTime(std::int64_t seconds)
{
    if (seconds <= 0)
        return {};
    const std::time_t t = static_cast<std::time_t>(seconds);
    std::tm utc {};
    gmtime_r(&t, &utc);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
    return text;
}

template <class T>
void append(std::vector<T> &to, std::vector<T> &&from)
{
    if (to.empty())
        to = std::move(from);
    else
        to.insert(to.end(), std::make_move_iterator(from.begin()), std::make_move_iterator(from.end()));
}

}   // namespace

std::vector<TableColumn> perCellTable(const std::vector<LabelledFile> &files)
{
    if (files.empty())
        throw Error("There are no predictions to export yet.");
    for (std::size_t f = 0; f < files.size(); ++f)
        checkFile(files[f], f);
    const auto &classes = files.front().labeling->predictions.classes;
    const bool withTruth = !files.front().truth.empty();
    const bool withUmap = files.front().umap != nullptr;
    for (std::size_t f = 1; f < files.size(); ++f) {
        if (files[f].labeling->predictions.classes != classes)
            throw Error(datasetDisplayName(*files[f].dataset, f)
                + ": labelled by a model with other classes than the first file; export them separately.");
        if (files[f].truth.empty() == withTruth)
            throw Error(datasetDisplayName(*files[f].dataset, withTruth ? f : 0)
                + ": has no true labels while other files do; every file needs them for the true_label column.");
        if ((files[f].umap != nullptr) != withUmap)
            throw Error(datasetDisplayName(*files[f].dataset, withUmap ? f : 0)
                + ": has no UMAP layout while other files do; lay them out together for the umap columns.");
    }
    std::vector<std::string> file, cell, label, final, truth;
    std::vector<double> confidence;
    std::vector<std::vector<double>> probabilities(classes.size());
    std::vector<double> umap1, umap2, reviewed;
    std::vector<std::string> source, edited;
    for (std::size_t f = 0; f < files.size(); ++f) {
        const LabelledFile &in = files[f];
        const auto n = static_cast<std::size_t>(in.dataset->cells());
        if (files.size() > 1)
            file.insert(file.end(), n, datasetDisplayName(*in.dataset, f));
        cell.insert(cell.end(), in.dataset->cellIds.begin(), in.dataset->cellIds.end());
        label.insert(label.end(), in.labeling->labels.begin(), in.labeling->labels.end());
        append(final, in.annotations->finalLabels());
        const auto &conf = in.labeling->predictions.confidence;
        confidence.insert(confidence.end(), conf.begin(), conf.end());
        truth.insert(truth.end(), in.truth.begin(), in.truth.end());
        const auto &p = in.labeling->predictions.probabilities;
        for (std::size_t k = 0; k < classes.size(); ++k)
            for (std::size_t i = 0; i < n; ++i)
                probabilities[k].push_back(p[i * classes.size() + k]);
        for (std::size_t i = 0; i < n; ++i) {
            const auto cell = static_cast<std::int64_t>(i);
            source.emplace_back(labelSourceName(in.annotations->source(cell)));
            reviewed.push_back(in.annotations->reviewed(cell) ? 1.0 : 0.0);
            edited.push_back(isoTime(in.annotations->editTime(cell)));
        }
        if (withUmap)
            for (std::size_t i = 0; i < n; ++i) {
                umap1.push_back((*in.umap)[2 * i]);
                umap2.push_back((*in.umap)[2 * i + 1]);
            }
    }
    std::vector<TableColumn> cols;
    if (files.size() > 1)
        cols.push_back(TableColumn::ofText("file", std::move(file)));
    cols.push_back(TableColumn::ofText("cell", std::move(cell)));
    cols.push_back(TableColumn::ofText("nym_label", std::move(label)));
    cols.push_back(TableColumn::ofText("nym_label_thresholded", std::move(final)));
    cols.push_back(TableColumn::ofNumbers("nym_confidence", std::move(confidence)));
    if (withTruth)
        cols.push_back(TableColumn::ofText("true_label", std::move(truth)));
    for (std::size_t k = 0; k < classes.size(); ++k)
        cols.push_back(TableColumn::ofNumbers("p_" + classes[k], std::move(probabilities[k])));
    cols.push_back(TableColumn::ofText("nym_label_source", std::move(source)));
    cols.push_back(TableColumn::ofNumbers("nym_reviewed", std::move(reviewed)));
    cols.push_back(TableColumn::ofText("nym_last_edit", std::move(edited)));
    if (withUmap) {
        cols.push_back(TableColumn::ofNumbers("umap_1", std::move(umap1)));
        cols.push_back(TableColumn::ofNumbers("umap_2", std::move(umap2)));
    }
    return cols;
}

void writePerCellTable(const std::string &path, const std::vector<LabelledFile> &files, const TableWriteOptions &options)
{
    writeTable(path, perCellTable(files), options);
}

H5adAdditions h5adAdditions(const LabelledFile &file, const Model &model)
{
    checkFile(file, 0);
    const Labeling &l = *file.labeling;
    H5adAdditions add;
    ObsColumn label = ObsColumn::fromLabels("nym_label", l.labels, true);
    ObsColumn thresholded = ObsColumn::fromLabels("nym_label_thresholded", file.annotations->finalLabels(), true);
    std::vector<double> conf(l.predictions.confidence.begin(), l.predictions.confidence.end());
    std::vector<std::string> sources;
    std::vector<double> reviewed;
    for (std::int64_t i = 0; i < file.annotations->cells(); ++i) {
        sources.emplace_back(labelSourceName(file.annotations->source(i)));
        reviewed.push_back(file.annotations->reviewed(i) ? 1.0 : 0.0);
    }
    ObsColumn reviewedColumn = ObsColumn::numeric("nym_reviewed", std::move(reviewed));
    reviewedColumn.kind = ObsColumn::Kind::Boolean;
    add.obs = {label, ObsColumn::numeric("nym_confidence", conf), thresholded,
        ObsColumn::fromLabels("nym_label_source", sources, true), std::move(reviewedColumn)};
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
    if (file.umap) {
        DenseArray umap;
        umap.name = "X_umap";
        umap.rows = l.predictions.cells;
        umap.cols = 2;
        umap.values = *file.umap;
        add.obsm.push_back(std::move(umap));
        add.uns.emplace_back("umap", file.umapDescription);
    }
    std::string classes;
    for (const auto &c : model.classes())
        classes += (classes.empty() ? "" : "\t") + c;
    const std::string inputPath = file.dataset->source.path;
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

}   // namespace nym
