#include "app/nym/reportjson.h"

#include "core/data/preflight.h"

#include <cstdio>
#include <nlohmann/json.hpp>

namespace nym::cli {

using nlohmann::json;

static json counts(const std::vector<ClassCount> &v)
{
    json a = json::array();
    for (const auto &c : v)
        a.push_back({{"name", c.name}, {"cells", c.cells}});
    return a;
}

static json candidates(const std::vector<ColumnCandidate> &v)
{
    json a = json::array();
    for (const auto &c : v)
        a.push_back({{"name", c.name}, {"categories", c.categories}});
    return a;
}

json toJson(const GeneOverlap &o)
{
    return {{"training_genes", o.trainingGenes}, {"target_genes", o.targetGenes}, {"shared_genes", o.shared},
        {"percent_of_training", o.percentOfTraining}, {"percent_of_target", o.percentOfTarget},
        {"missing_from_target_examples", o.missingFromTargetExamples}};
}

json toJson(const PreflightReport &r)
{
    const auto &v = r.valueType;
    json j = {
        {"path", r.path},
        {"format", r.format},
        {"generation", r.generation},
        {"matrix", r.matrixElement},
        {"n_cells", r.cells},
        {"n_genes", r.genes},
        {"stored_values", r.storedValues},
        {"value_type", toString(v.type)},
        {"value_type_evidence", v.evidence},
        {"value_stats",
            {{"min", v.minValue}, {"max", v.maxValue}, {"all_integer", v.allInteger},
                {"median_expm1_sum", v.medianExpm1Sum}, {"cells_sampled", v.cellsSampled}}},
        {"label_column", r.labelColumn},
        {"domain_column", r.domainColumn},
        {"label_candidates", candidates(r.labelCandidates)},
        {"domain_candidates", candidates(r.domainCandidates)},
        {"classes", counts(r.classes)},
        {"unlabelled_cells", r.unlabelledCells},
        {"domains", counts(r.domains)},
        {"all_zero_cells", r.allZeroCells},
        {"duplicate_cell_ids", r.duplicateCellIds},
        {"duplicate_gene_names", r.duplicateGeneNames},
        {"nan_values", r.nanValues},
        {"negative_values", r.negativeValues},
        {"warnings", r.warnings()},
        {"errors", r.errors()},
    };
    json codes = json::array();
    for (const auto &m : r.messages)
        codes.push_back({{"severity", m.severity == PreflightMessage::Severity::Error ? "error" : "warning"},
            {"code", m.code}, {"text", m.text}});
    j["messages"] = codes;
    if (r.overlap)
        j["overlap"] = toJson(*r.overlap);
    return j;
}

std::string toText(const PreflightReport &r)
{
    std::string s;
    char buf[512];
    std::snprintf(buf, sizeof buf,
        "%s\n  format      %s (%s), matrix %s\n  size        %lld cells x %lld genes, %lld stored values\n",
        r.path.c_str(), r.format.c_str(), r.generation.c_str(),
        r.matrixElement.empty() ? "(none)" : r.matrixElement.c_str(), static_cast<long long>(r.cells),
        static_cast<long long>(r.genes), static_cast<long long>(r.storedValues));
    s += buf;
    s += "  values      " + toString(r.valueType.type) + ": " + r.valueType.evidence + "\n";
    s += "  labels      " + (r.labelColumn.empty() ? std::string("(none found)") : r.labelColumn) + "\n";
    for (const auto &c : r.classes)
        s += "                " + std::to_string(c.cells) + "\t" + c.name + "\n";
    s += "  domains     " + (r.domainColumn.empty() ? std::string("(none)") : r.domainColumn) + "\n";
    for (const auto &c : r.domains)
        s += "                " + std::to_string(c.cells) + "\t" + c.name + "\n";
    s += "  empty cells " + std::to_string(r.allZeroCells) + "\n";
    if (r.overlap) {
        std::snprintf(buf, sizeof buf, "  overlap     %lld shared genes (%.1f%% of training, %.1f%% of target)\n",
            static_cast<long long>(r.overlap->shared), r.overlap->percentOfTraining, r.overlap->percentOfTarget);
        s += buf;
    }
    for (const auto &m : r.messages)
        s += std::string(m.severity == PreflightMessage::Severity::Error ? "  ERROR       " : "  warning     ") + m.text
            + "\n";
    return s;
}

}   // namespace nym::cli
