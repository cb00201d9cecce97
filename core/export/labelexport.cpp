#include "core/export/labelexport.h"

#include <ctime>

#include "core/common/error.h"
#include "core/data/trainingset.h"
#include "core/export/palettes.h"

#include <algorithm>

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

}   // namespace

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

namespace {

template <class T>
void append(std::vector<T> &to, std::vector<T> &&from)
{
    if (to.empty())
        to = std::move(from);
    else
        to.insert(to.end(), std::make_move_iterator(from.begin()), std::make_move_iterator(from.end()));
}

}   // namespace

std::vector<std::string> labelColors(const std::vector<std::string> &names, const std::map<std::string, std::string> &chosen)
{
    int coloured = 0;
    for (const auto &n : names)
        coloured += n != kUnassigned && !n.empty();
    const auto palette = palettes::categorical(std::max(coloured, 1));
    std::vector<std::string> out;
    std::size_t next = 0;
    for (const auto &n : names) {
        const bool grey = n == kUnassigned || n.empty();
        std::string colour = grey ? palettes::hex(palettes::kNoValue) : palettes::hex(palette[next++]);
        const auto it = chosen.find(n);
        if (it != chosen.end() && it->second.size() == 7 && it->second[0] == '#')
            colour = it->second;
        out.push_back(std::move(colour));
    }
    return out;
}

std::vector<TableColumn> perCellTable(const std::vector<LabelledFile> &files)
{
    if (files.empty())
        throw Error("There are no predictions to export yet.");
    for (std::size_t f = 0; f < files.size(); ++f)
        checkFile(files[f], f);
    const auto &classes = files.front().labeling->predictions.classes;
    const bool withTruth = !files.front().truth.empty();
    const bool withUmap = files.front().umap != nullptr;
    const bool withDomain = !files.front().domains.empty();
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
        if (files[f].domains.empty() == withDomain)
            throw Error(datasetDisplayName(*files[f].dataset, withDomain ? f : 0)
                + ": has no domains while other files do; every file needs them for the domain column.");
    }
    std::vector<std::string> file, domain, cell, label, final, truth, source, edited;
    std::vector<double> confidence, umap1, umap2, reviewed;
    std::vector<std::vector<double>> probabilities(classes.size());
    for (std::size_t f = 0; f < files.size(); ++f) {
        const LabelledFile &in = files[f];
        const std::int64_t n = in.dataset->cells();
        const std::string name = files.size() > 1 ? datasetDisplayName(*in.dataset, f) : std::string();
        const auto &p = in.labeling->predictions.probabilities;
        const auto row = [&](std::int64_t i) {
            if (i < 0 || i >= n)
                throw Error(datasetDisplayName(*in.dataset, f) + ": cell " + std::to_string(i) + " of the selection is not in the file.");
            const auto u = static_cast<std::size_t>(i);
            if (files.size() > 1)
                file.push_back(name);
            if (withDomain)
                domain.push_back(in.domains[u]);
            cell.push_back(in.dataset->cellIds[u]);
            label.push_back(in.labeling->labels[u]);
            final.push_back(in.annotations->finalLabel(i));
            confidence.push_back(in.labeling->predictions.confidence[u]);
            if (withTruth)
                truth.push_back(in.truth[u]);
            for (std::size_t k = 0; k < classes.size(); ++k)
                probabilities[k].push_back(p[u * classes.size() + k]);
            source.emplace_back(labelSourceName(in.annotations->source(i)));
            reviewed.push_back(in.annotations->reviewed(i) ? 1.0 : 0.0);
            edited.push_back(isoTime(in.annotations->editTime(i)));
            if (withUmap) {
                umap1.push_back((*in.umap)[2 * u]);
                umap2.push_back((*in.umap)[2 * u + 1]);
            }
        };
        if (in.domains.size() != (withDomain ? static_cast<std::size_t>(n) : 0))
            throw Error(datasetDisplayName(*in.dataset, f) + ": the domains cover " + std::to_string(in.domains.size())
                + " cells but the file holds " + std::to_string(n) + ".");
        if (in.rows)
            for (std::int64_t i : *in.rows)
                row(i);
        else
            for (std::int64_t i = 0; i < n; ++i)
                row(i);
    }
    std::vector<TableColumn> cols;
    if (files.size() > 1)
        cols.push_back(TableColumn::ofText("file", std::move(file)));
    if (withDomain)
        cols.push_back(TableColumn::ofText("domain", std::move(domain)));
    cols.push_back(TableColumn::ofText("cell", std::move(cell)));
    cols.push_back(TableColumn::ofText("nym_label", std::move(label)));
    cols.push_back(TableColumn::ofText("nym_final_label", std::move(final)));
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
    const Annotations &a = *file.annotations;
    ObsColumn label = ObsColumn::categorical("nym_label", l.predictions.classes, l.predictions.label);
    std::vector<std::int32_t> finalCodes(static_cast<std::size_t>(a.cells()));
    for (std::int64_t i = 0; i < a.cells(); ++i)
        finalCodes[static_cast<std::size_t>(i)] = a.finalCode(i);
    ObsColumn thresholded = ObsColumn::categorical("nym_final_label", a.labelNames(), std::move(finalCodes));
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
    add.unsLists = {{"nym_label_colors", labelColors(label.categories, file.colors)},
        {"nym_final_label_colors", labelColors(thresholded.categories, file.colors)}};
    add.obs[0].colors = add.unsLists[0].second;
    add.obs[2].colors = add.unsLists[1].second;
    std::string umapDescription;
    if (file.umap) {
        DenseArray umap;
        umap.name = "X_umap";
        umap.rows = l.predictions.cells;
        umap.cols = 2;
        umap.values = *file.umap;
        add.obsm.push_back(std::move(umap));
        umapDescription = file.umapDescription.empty() ? std::string("UMAP layout") : file.umapDescription;
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
    if (!umapDescription.empty())
        add.uns.emplace_back("umap", umapDescription);
    add.uns.insert(add.uns.end(), file.provenance.begin(), file.provenance.end());
    return add;
}

}   // namespace nym
