#pragma once

#include "core/data/valuetype.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace nym {

struct Dataset;

// What a dataset will be used as; decides which problems are errors.
enum class DatasetRole {
    Any,        // just looking: nothing is required
    Training,   // labelled: needs a label column with at least two classes
    Target      // to be labelled: needs expression values only
};

struct PreflightOptions
{
    DatasetRole role = DatasetRole::Any;
    // obs column holding the labels. Default: automatic — "cell_type" if present, else the first candidate whose
    // name suggests labels ("label", "annotation", "celltype", ...), else the first candidate.
    std::optional<std::string> labelColumn;
    // obs column holding the domain (batch, technology, condition). Default: automatic — "domain" or "batch" if
    // present.
    std::optional<std::string> domainColumn;
    // Classes with fewer labelled cells than this get a warning. Default 10.
    std::int64_t minCellsPerClass = 10;
    // A column is a label/domain candidate when it has 2..maxCategories distinct values. Default 200.
    std::int64_t maxCategories = 200;
    // Fewer shared genes than this between training and target is an error. Default 100.
    std::int64_t minSharedGenes = 100;
    // A shared fraction (of the target's genes) below this is a warning. Default 0.5.
    double warnSharedFraction = 0.5;
    ValueTypeOptions valueType;
};

struct PreflightMessage
{
    enum class Severity { Warning, Error };
    Severity severity = Severity::Warning;
    std::string code;   // stable identifier for programs ("all-zero-cells")
    std::string text;   // a sentence a biologist understands
};

struct ClassCount
{
    std::string name;
    std::int64_t cells = 0;
};

struct ColumnCandidate
{
    std::string name;
    std::int64_t categories = 0;
};

struct GeneOverlap
{
    std::int64_t trainingGenes = 0;
    std::int64_t targetGenes = 0;
    std::int64_t shared = 0;
    double percentOfTraining = 0;
    double percentOfTarget = 0;
    std::vector<std::string> missingFromTargetExamples;   // up to 10 training genes the target lacks
};

// Everything the user should know about a dataset before training, from one function used by CLI and GUI.
struct PreflightReport
{
    std::string path;
    std::string format;
    std::string generation;
    std::string matrixElement;
    std::int64_t cells = 0;
    std::int64_t genes = 0;
    std::int64_t storedValues = 0;
    ValueTypeReport valueType;
    std::vector<ColumnCandidate> labelCandidates;
    std::vector<ColumnCandidate> domainCandidates;
    std::string labelColumn;            // chosen ("" if none)
    std::string domainColumn;           // chosen ("" if none)
    std::vector<ClassCount> classes;    // of the label column, largest first
    std::int64_t unlabelledCells = 0;   // missing label values
    std::vector<ClassCount> domains;    // of the domain column
    std::int64_t allZeroCells = 0;
    std::int64_t duplicateCellIds = 0;
    std::int64_t duplicateGeneNames = 0;
    std::int64_t nanValues = 0;
    std::int64_t negativeValues = 0;
    std::optional<GeneOverlap> overlap;   // set by preflightPair on the target's report
    std::vector<PreflightMessage> messages;

    bool hasErrors() const;
    std::vector<std::string> warnings() const;
    std::vector<std::string> errors() const;
};

// Checks one dataset. Never throws on data problems: they become messages.
PreflightReport preflight(const Dataset &dataset, const PreflightOptions &options = {});

// Gene overlap by name between a training and a target dataset.
GeneOverlap geneOverlap(const Dataset &training, const Dataset &target);

// Checks a training and a target dataset together: each on its own (roles Training and Target) plus the gene
// overlap, which is stored in the target's report along with its messages.
std::pair<PreflightReport, PreflightReport> preflightPair(
    const Dataset &training, const Dataset &target, const PreflightOptions &options = {});

}   // namespace nym
