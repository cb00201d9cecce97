#include "core/data/preflight.h"

#include "core/data/dataset.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <regex>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

namespace nym {

namespace {

std::string fmt(double v, const char *f = "%.1f")
{
    char buf[64];
    std::snprintf(buf, sizeof buf, f, v);
    return buf;
}

void add(PreflightReport &r, PreflightMessage::Severity s, std::string code, std::string text)
{
    r.messages.push_back({s, std::move(code), std::move(text)});
}

std::string lower(std::string s)
{
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    return s;
}

std::vector<ClassCount> countValues(const ObsColumn &column, std::int64_t &missing)
{
    const ObsColumn cat = column.asCategorical();
    std::vector<std::int64_t> counts(cat.categories.size(), 0);
    missing = 0;
    for (auto c : cat.codes) {
        if (c < 0)
            ++missing;
        else
            ++counts[static_cast<std::size_t>(c)];
    }
    std::vector<ClassCount> out;
    for (std::size_t i = 0; i < counts.size(); ++i)
        if (counts[i] > 0)
            out.push_back({cat.categories[i], counts[i]});
    std::stable_sort(out.begin(), out.end(), [](const auto &a, const auto &b) { return a.cells > b.cells; });
    return out;
}

std::string chooseColumn(
    const std::vector<ColumnCandidate> &cands, const std::vector<std::string> &preferred, const std::regex &hint)
{
    for (const auto &p : preferred)
        for (const auto &c : cands)
            if (lower(c.name) == p)
                return c.name;
    for (const auto &c : cands)
        if (std::regex_search(lower(c.name), hint))
            return c.name;
    return {};
}

std::int64_t countDuplicates(const std::vector<std::string> &names, std::string &example)
{
    // Views, not copies: this runs over every cell id.
    std::unordered_set<std::string_view> seen;
    seen.reserve(names.size());
    std::int64_t dup = 0;
    for (const auto &n : names)
        if (!seen.insert(n).second) {
            if (dup == 0)
                example = n;
            ++dup;
        }
    return dup;
}

}   // namespace

bool PreflightReport::hasErrors() const
{
    return std::any_of(messages.begin(), messages.end(),
        [](const auto &m) { return m.severity == PreflightMessage::Severity::Error; });
}

std::vector<std::string> PreflightReport::warnings() const
{
    std::vector<std::string> out;
    for (const auto &m : messages)
        if (m.severity == PreflightMessage::Severity::Warning)
            out.push_back(m.text);
    return out;
}

std::vector<std::string> PreflightReport::errors() const
{
    std::vector<std::string> out;
    for (const auto &m : messages)
        if (m.severity == PreflightMessage::Severity::Error)
            out.push_back(m.text);
    return out;
}

PreflightReport preflight(const Dataset &ds, const PreflightOptions &options)
{
    using S = PreflightMessage::Severity;
    PreflightReport r;
    r.path = ds.source.path;
    r.format = ds.source.format;
    r.generation = ds.source.generation;
    r.matrixElement = ds.source.matrixElement;
    r.cells = ds.cells();
    r.genes = ds.genes();
    r.storedValues = ds.matrix.nnz();

    if (r.cells == 0)
        add(r, S::Error, "no-cells", "The file holds no cells.");
    if (r.genes == 0)
        add(r, S::Error, "no-genes", "The file holds no genes.");

    // Values.
    r.valueType = detectValueType(ds.matrix, options.valueType);
    r.nanValues = r.valueType.nonFiniteValues;
    r.negativeValues = r.valueType.negativeValues;
    if (r.cells > 0 && r.genes > 0) {
        switch (r.valueType.type) {
        case ValueType::Empty:
            add(r, S::Error, "empty-matrix",
                ds.source.matrixElement.empty()
                    ? "The file has no expression matrix (no X); choose a layer or raw/X if it has one."
                    : "The expression matrix (" + ds.source.matrixElement + ") holds only zeros.");
            break;
        case ValueType::Other:
            add(r, S::Error,
                r.negativeValues > 0 ? "negative-values" : (r.nanValues > 0 ? "nan-values" : "unknown-values"),
                "The values in " + ds.source.matrixElement + " cannot be used: " + r.valueType.evidence
                    + " Use raw counts or log-normalised data (for example a 'counts' layer or raw/X).");
            break;
        default: break;
        }
    }

    // Cells with no counts.
    for (std::int64_t c = 0; c < r.cells; ++c) {
        const auto row = ds.matrix.rowValues(c);
        r.allZeroCells += std::none_of(row.begin(), row.end(), [](float v) { return v != 0.0f; }) ? 1 : 0;
    }
    if (r.allZeroCells > 0 && r.allZeroCells < r.cells)
        add(r, S::Warning, "all-zero-cells",
            std::to_string(r.allZeroCells) + " of " + std::to_string(r.cells)
                + " cells have no counts in any gene; they will be left out of training and prediction.");
    else if (r.allZeroCells == r.cells && r.cells > 0 && r.valueType.type != ValueType::Empty)
        add(r, S::Error, "all-zero-cells", "Every cell has no counts at all.");

    // Names.
    std::string ex;
    r.duplicateCellIds = countDuplicates(ds.cellIds, ex);
    if (r.duplicateCellIds > 0)
        add(r, S::Warning, "duplicate-cells",
            std::to_string(r.duplicateCellIds) + " cell names are repeated (for example '" + ex
                + "'); exported tables will repeat them too.");
    r.duplicateGeneNames = countDuplicates(ds.geneNames, ex);
    if (r.duplicateGeneNames > 0)
        add(r, S::Warning, "duplicate-genes",
            std::to_string(r.duplicateGeneNames) + " gene names are repeated (for example '" + ex
                + "'); only the first of each is matched between datasets.");

    // Label and domain candidates.
    static const std::regex labelHint("label|annot|type|cluster|class|ident");
    static const std::regex domainHint("domain|batch|sample|donor|tech|condition|stim|orig");
    for (const auto &col : ds.obs) {
        if (col.kind == ObsColumn::Kind::Boolean)
            continue;   // a yes/no flag is neither a cell type nor a domain
        const auto k = col.distinctCount();
        if (col.kind == ObsColumn::Kind::Numeric) {
            // Continuous columns (nCount_RNA...) are neither labels nor domains; small whole-number codes may be.
            const bool whole = std::all_of(
                col.numbers.begin(), col.numbers.end(), [](double v) { return std::isnan(v) || v == std::floor(v); });
            if (!whole || k > 50)
                continue;
        }
        if (k < 1 || k > options.maxCategories || (k > r.cells / 2 && r.cells > 20))
            continue;
        if (k >= 2)
            r.labelCandidates.push_back({col.name, k});
        r.domainCandidates.push_back({col.name, k});
    }
    auto resolve = [&](const std::optional<std::string> &asked, const std::vector<ColumnCandidate> &cands,
                       const std::vector<std::string> &preferred, const std::regex &hint, const char *what) {
        if (asked) {
            if (asked->empty())
                return std::string();
            if (!ds.findObs(*asked)) {
                std::string names;
                for (const auto &c : ds.obs)
                    names += (names.empty() ? "" : ", ") + c.name;
                add(r, S::Error, std::string("missing-") + what + "-column",
                    "There is no obs column '" + *asked + "' (columns: " + (names.empty() ? "none" : names) + ").");
                return std::string();
            }
            return *asked;
        }
        auto c = chooseColumn(cands, preferred, hint);
        if (c.empty() && !cands.empty() && std::string(what) == "label")
            c = cands.front().name;
        return c;
    };
    r.labelColumn = resolve(options.labelColumn, r.labelCandidates,
        {"cell_type", "celltype", "cell_types", "labels", "label", "cell_ontology_class"}, labelHint, "label");
    r.domainColumn = resolve(
        options.domainColumn, r.domainCandidates, {"domain", "batch", "tech", "technology"}, domainHint, "domain");
    if (!r.labelColumn.empty())
        r.classes = countValues(*ds.findObs(r.labelColumn), r.unlabelledCells);
    if (!r.domainColumn.empty()) {
        std::int64_t m = 0;
        r.domains = countValues(*ds.findObs(r.domainColumn), m);
    }
    if (options.role == DatasetRole::Training) {
        if (r.labelColumn.empty()) {
            if (!options.labelColumn)
                add(r, S::Error, "no-labels",
                    "No obs column looks like cell-type labels (a text or categorical column with 2 to "
                        + std::to_string(options.maxCategories) + " values); choose the label column.");
        } else if (r.classes.size() < 2) {
            add(r, S::Error, "one-class",
                "The label column '" + r.labelColumn + "' has " + std::to_string(r.classes.size())
                    + " class; a classifier needs at least two.");
        }
        if (r.unlabelledCells > 0 && !r.labelColumn.empty())
            add(r, S::Warning, "unlabelled-cells",
                std::to_string(r.unlabelledCells) + " cells have no label in '" + r.labelColumn
                    + "'; they will not be used as labelled examples.");
        std::vector<std::string> small;
        for (const auto &c : r.classes)
            if (c.cells < options.minCellsPerClass)
                small.push_back(c.name + " (" + std::to_string(c.cells) + ")");
        if (!small.empty()) {
            std::string list;
            for (const auto &s : small)
                list += (list.empty() ? "" : ", ") + s;
            add(r, S::Warning, "small-classes",
                std::to_string(small.size()) + " classes have fewer than " + std::to_string(options.minCellsPerClass)
                    + " cells: " + list + ". Their predictions will be unreliable.");
        }
    }
    return r;
}

GeneOverlap geneOverlap(const Dataset &training, const Dataset &target)
{
    GeneOverlap o;
    std::unordered_set<std::string> tgt(target.geneNames.begin(), target.geneNames.end());
    std::unordered_set<std::string> trainSet(training.geneNames.begin(), training.geneNames.end());
    o.trainingGenes = static_cast<std::int64_t>(trainSet.size());
    o.targetGenes = static_cast<std::int64_t>(tgt.size());
    for (const auto &g : trainSet) {
        if (tgt.count(g))
            ++o.shared;
    }
    for (const auto &g : training.geneNames)
        if (!tgt.count(g) && o.missingFromTargetExamples.size() < 10)
            o.missingFromTargetExamples.push_back(g);
    o.percentOfTraining =
        o.trainingGenes ? 100.0 * static_cast<double>(o.shared) / static_cast<double>(o.trainingGenes) : 0;
    o.percentOfTarget = o.targetGenes ? 100.0 * static_cast<double>(o.shared) / static_cast<double>(o.targetGenes) : 0;
    return o;
}

std::pair<PreflightReport, PreflightReport> preflightPair(
    const Dataset &training, const Dataset &target, const PreflightOptions &options)
{
    using S = PreflightMessage::Severity;
    PreflightOptions trainOpt = options, targetOpt = options;
    trainOpt.role = DatasetRole::Training;
    targetOpt.role = DatasetRole::Target;
    targetOpt.labelColumn.reset();
    PreflightReport train = preflight(training, trainOpt);
    PreflightReport tgt = preflight(target, targetOpt);
    const GeneOverlap o = geneOverlap(training, target);
    tgt.overlap = o;
    static const std::regex ensembl("^ENS[A-Z]*G[0-9]+");
    const auto kind = [](const Dataset &d) {
        std::size_t hits = 0;
        for (std::size_t i = 0; i < std::min<std::size_t>(d.geneNames.size(), 50); ++i)
            hits += std::regex_search(d.geneNames[i], ensembl) ? 1 : 0;
        return hits * 2 > std::min<std::size_t>(d.geneNames.size(), 50) ? "Ensembl ids" : "gene symbols";
    };
    const std::string summary = std::to_string(o.shared) + " genes are shared (" + fmt(o.percentOfTraining)
        + "% of the training genes, " + fmt(o.percentOfTarget) + "% of the target genes)";
    if (o.shared == 0) {
        std::string hint;
        if (std::string(kind(training)) != kind(target))
            hint = std::string(" The training file names genes by ") + kind(training) + " and the target by "
                + kind(target) + "; choose a gene-name column that matches.";
        add(tgt, S::Error, "no-overlap", "The training and target files share no gene names." + hint);
    } else if (o.shared < options.minSharedGenes) {
        add(tgt, S::Error, "tiny-overlap",
            "Only " + summary + "; at least " + std::to_string(options.minSharedGenes)
                + " are needed for reliable labels. Check that both files name genes the same way.");
    } else if (o.percentOfTarget < 100.0 * options.warnSharedFraction) {
        add(tgt, S::Warning, "small-overlap", "Only " + summary + "; the model will see only the shared genes.");
    }
    return {std::move(train), std::move(tgt)};
}

}   // namespace nym
