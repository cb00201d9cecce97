#pragma once

#include "core/data/annotations.h"
#include "core/data/dataset.h"
#include "core/io/h5adwriter.h"
#include "core/io/tablewriter.h"
#include "core/model/labeling.h"
#include "core/model/model.h"

#include <string>
#include <vector>

namespace nym {

// One labelled file as the exports see it: the data, the model's output and the per-cell annotations (final
// labels). The pointers are borrowed for the call. `truth` holds true labels for context ("" for unknown cells),
// or is empty for none.
struct LabelledFile
{
    const Dataset *dataset = nullptr;
    const Labeling *labeling = nullptr;
    const Annotations *annotations = nullptr;
    std::vector<std::string> truth;
    const std::vector<float> *umap = nullptr;   // the cells' UMAP coordinates (cells × 2), or none
    std::string umapDescription;                // how the map was made, for the file's provenance
};

// The per-cell table of one or several labelled files, every cell in file order. This is the one place its
// columns are chosen, for `nym` and the app alike (README "Per-cell table"):
//   file                   only with several files: the file's display name (datasetDisplayName)
//   cell                   the cell id
//   nym_label              the model's argmax label
//   nym_label_thresholded  the final label: the model's call under the confidence threshold (Unassigned below it
//                          or without counts) unless a person set it
//   nym_confidence         the model's confidence (0 for cells without counts)
//   true_label             only when the files carry true labels (every file must, then)
//   p_<class>              one probability column per class, in the model's class order
//   nym_label_source       where the final label comes from: model, accepted, relabelled or lasso
//   nym_reviewed           1 when a person reviewed the cell, else 0
//   nym_last_edit          time of the cell's last edit, ISO 8601 UTC ("" when never edited)
//   umap_1, umap_2         only when the files carry a UMAP layout (every file must, then)
// Throws nym::Error when there are no files, a file's parts disagree in length, or the files' classes differ.
std::vector<TableColumn> perCellTable(const std::vector<LabelledFile> &files);

// Builds perCellTable and writes it (CSV or TSV by the name, atomically; see writeTable).
void writePerCellTable(
    const std::string &path, const std::vector<LabelledFile> &files, const TableWriteOptions &options = {});

// What an annotated .h5ad copy of the file gains: obs nym_label, nym_confidence, nym_label_thresholded (the final
// label), nym_label_source (categorical), nym_reviewed (boolean); obsm X_nym
// (the embedding), nym_probabilities and X_umap when the file has a layout; uns/nym provenance (software, preset, input file, normalisation, genes
// matched, temperature, classes, prior correction).
H5adAdditions h5adAdditions(const LabelledFile &file, const Model &model);

}   // namespace nym
