#pragma once

#include "core/data/cellmatrix.h"
#include "core/data/dataset.h"
#include "core/data/normalize.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace nym {

// Where the adversary's domains come from (METHOD.md §4, "Domains").
enum class DomainSource {
    TrainingVsTarget,   // labelled cells are domain 0, target cells domain 1 (scNym default)
    PerFile,            // every input file is its own domain
    Column              // every distinct value of an obs column over all files (files without it: one domain each)
};

struct TrainingSetOptions
{
    // obs column of the training files holding the labels. Default: automatic, as preflight chooses it.
    std::optional<std::string> labelColumn;
    DomainSource domains = DomainSource::TrainingVsTarget;
    // obs column for DomainSource::Column.
    std::string domainColumn;
    // Fewer genes shared by all files than this is an error. Default 100 (as preflight).
    std::int64_t minSharedGenes = 100;
    // How each file is brought to log1p(CPM) (METHOD.md §1). Default: detect.
    NormalizeOptions normalize;
};

// The cells a training run sees: every file normalised to log1p(CPM) over all of its genes, then restricted to the
// genes shared by all files (METHOD.md §1). Cells with no counts and unlabelled training cells are left out and
// counted (the reference turns all-zero cells into NaN losses). Immutable once built; share as
// std::shared_ptr<const TrainingSet>.
struct TrainingSet
{
    std::vector<std::string> genes;     // shared genes, in the first training file's order
    std::vector<std::string> classes;   // label names, sorted
    std::vector<std::string> domains;   // domain names
    CellMatrix labelled;                // labelled training cells × genes, log1p(CPM)
    std::vector<std::int32_t> labels;   // per labelled cell, index into classes
    std::vector<std::int32_t> labelledDomains;
    CellMatrix target;                  // target cells × genes, log1p(CPM)
    std::vector<std::int32_t> targetDomains;
    // Where each row came from: (file index in the training / target list, cell index in that file).
    std::vector<std::pair<std::int32_t, std::int64_t>> labelledOrigin, targetOrigin;
    std::string labelColumn;
    std::int64_t unlabelledCells = 0;       // training cells without a label (left out)
    std::int64_t allZeroTrainingCells = 0;  // left out
    std::int64_t allZeroTargetCells = 0;    // left out of training (still labelled at prediction, flagged)
    std::vector<std::string> notes;         // what was done to each file, as sentences
};

// Builds the training set; throws nym::Error with a sentence for the user when it cannot (no label column, fewer
// than two classes, no target cells, too few shared genes, data that cannot be normalised).
TrainingSet prepareTrainingSet(const std::vector<DatasetPtr> &training, const std::vector<DatasetPtr> &targets,
    const TrainingSetOptions &options = {});

// A file's name without folder and extension, for messages and per-file domains ("ctrl" for data/ctrl.h5ad).
std::string datasetDisplayName(const Dataset &dataset, std::size_t index);

}   // namespace nym
