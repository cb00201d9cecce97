#pragma once

#include "core/data/annotations.h"
#include "core/data/dataset.h"
#include "core/io/h5adwriter.h"
#include "core/io/tablewriter.h"
#include "core/model/labeling.h"
#include "core/model/model.h"

#include <map>
#include <string>
#include <utility>
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
    std::vector<std::string> truth {};
    const std::vector<float> *umap = nullptr;   // the cells' UMAP coordinates (cells × 2), or none
    std::string umapDescription {};             // how the map was made, for the file's provenance
    std::vector<std::string> domains {};        // each cell's domain for the table's domain column, or empty
    const std::vector<std::int64_t> *rows = nullptr;   // the table's cells (increasing), or all when null
    // The h5ad's uns/<column>_colors for nym_label and nym_final_label: "#rrggbb" per label name (as the browser
    // shows them); names without one get scanpy's palette in the column's category order (Unassigned grey).
    std::map<std::string, std::string> colors {};
    // More uns/nym provenance (app version, model checksum, threshold, edits, date), added after the model's.
    std::vector<std::pair<std::string, std::string>> provenance {};
};

// Seconds since 1970 as ISO 8601 UTC ("2026-12-01T16:34:17Z"); "" for 0 (never edited).
std::string isoTime(std::int64_t seconds);

// The per-cell table of one or several labelled files, every cell in file order. This is the one place its
// columns are chosen, for `nym` and the app alike (README "Per-cell table"):
//   file                   only with several files: the file's display name (datasetDisplayName)
//   domain                 only when the files give each cell's domain (every file must, then)
//   cell                   the cell id
//   nym_label              the model's argmax label
//   nym_final_label        the final label: the model's call under the confidence threshold (Unassigned below it
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

// One "#rrggbb" per label name: `chosen` where it names one, else scanpy's palette over the names in order
// (Unassigned and empty names grey), as the browser colours a label column.
std::vector<std::string> labelColors(const std::vector<std::string> &names, const std::map<std::string, std::string> &chosen = {});

// Builds perCellTable and writes it (CSV or TSV by the name, atomically; see writeTable).
void writePerCellTable(
    const std::string &path, const std::vector<LabelledFile> &files, const TableWriteOptions &options = {});

// Rows: every cell of each file in file order, or only `rows` of a file that names them.
// What an annotated .h5ad copy of the file gains (README "Annotated .h5ad"): obs nym_label (categorical, the
// model's classes), nym_confidence, nym_final_label (categorical over classes, Unassigned, then names experts
// added: a stable order), nym_label_source (categorical), nym_reviewed (boolean); obsm X_nym (the embedding),
// nym_probabilities and X_umap when the file has a layout; uns nym_label_colors and nym_final_label_colors (one
// colour per category, CELLxGENE's and scanpy's convention); uns/nym provenance (software, preset, input file,
// normalisation, genes matched, temperature, classes, prior correction, then the file's own `provenance`).
H5adAdditions h5adAdditions(const LabelledFile &file, const Model &model);

}   // namespace nym
