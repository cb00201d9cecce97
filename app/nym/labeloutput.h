#pragma once

#include "app/nym/umaplayout.h"

#include "core/data/dataset.h"
#include "core/model/model.h"

#include <nlohmann/json_fwd.hpp>

#include <memory>
#include <string>
#include <vector>

namespace nym::cli {

// Shared by `nym train` and `nym predict`: labels the targets with a model, writes the annotated copies and the
// table, and scores against a truth column. Single-threaded.
struct LabelOutputArgs
{
    std::string output;   // annotated .h5ad (one target) or name stem (several)
    std::string table;    // per-cell CSV/TSV
    std::string truth;    // obs column of the targets with true labels (evaluation only)
    double threshold = 0.5;
    bool force = false;
    bool noPriorCorrection = false;   // keep the probabilities under the training data's class mix
    bool umap = false;                // lay the targets out in one UMAP map: obsm/X_umap, table umap_1/umap_2
    UmapArgs umapArgs;
};

// Labels every target, writes the requested files and returns the JSON fields for the report (target_* metrics
// with --truth, unassigned counts, notes). Prints a short summary on stdout.
nlohmann::json labelAndWrite(const Model &model, const std::vector<std::shared_ptr<const Dataset>> &targets,
    const LabelOutputArgs &args);

// Refuses, before any work, a confidence threshold outside 0–1 and outputs that exist (unless args.force): the table
// and `extra` files, and the annotated copy — one per target file when there are several (named as labelAndWrite
// names them).
void refuseExistingOutputs(const LabelOutputArgs &args, const std::vector<std::string> &targetPaths,
    const std::vector<const std::string *> &extra);

// Reads the files (with a progress line on a terminal); nym::Error names the file that failed.
std::vector<std::shared_ptr<const Dataset>> readAll(const std::vector<std::string> &paths);

// Writes JSON to a file atomically, refusing to replace an existing one unless force.
void writeJson(const std::string &path, const nlohmann::json &json, bool force);

}   // namespace nym::cli
