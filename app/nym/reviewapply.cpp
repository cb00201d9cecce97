// nym review-apply: applies a review saved in Nym Studio (a .nymproj project) to its target file, headless.
#include "app/nym/commands.h"
#include "app/nym/common.h"
#include "app/nym/labeloutput.h"

#include "core/common/atomicfile.h"
#include "core/common/error.h"
#include "core/data/trainingset.h"
#include "core/export/labelexport.h"
#include "core/export/reviewfile.h"
#include "core/io/datasetreader.h"
#include "core/io/h5adwriter.h"
#include "core/model/labeling.h"
#include "core/nn/labeler.h"

#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>

namespace nym::cli {

namespace {

struct ReviewApplyArgs
{
    std::string session, input, output, table;
    bool force = false;
};

int run(const ReviewApplyArgs &a)
{
    if (a.output.empty() && a.table.empty())
        throw Error("Nothing to write: give --output (annotated .h5ad) and/or --table (.csv or .tsv).");
    LabelOutputArgs outputs;
    outputs.output = a.output;
    outputs.table = a.table;
    outputs.force = a.force;
    refuseExistingOutputs(outputs, {a.input}, {});
    const ProjectFile project = readProjectFile(a.session);
    if (project.model.empty())
        throw Error(a.session + " holds no model: label the data in Nym Studio before saving the project.");
    // The input must be one of the project's targets, unchanged: a review is never applied to other cells.
    std::size_t which = project.targets.size();
    std::string why;
    for (std::size_t t = 0; t < project.targets.size() && which == project.targets.size(); ++t) {
        const std::string mismatch = fingerprintMismatch(project.targets[t], a.input);
        if (mismatch.empty())
            which = t;
        else if (std::filesystem::path(project.targets[t].path).filename() == std::filesystem::path(a.input).filename())
            why = mismatch;
    }
    if (which == project.targets.size()) {
        std::string names;
        for (const auto &t : project.targets)
            names += (names.empty() ? "" : ", ") + t.path;
        throw Error(why.empty() ? a.input + " is not a target of " + a.session + " (its targets: " + names + ")."
                                : why + " The review in " + a.session + " cannot be applied to it.");
    }
    const Model model = modelFromBytes(project.model);
    const auto target = std::make_shared<const Dataset>(readDataset(a.input));
    const auto labeling = std::make_shared<const Labeling>(labelDataset(model, *target));
    Annotations annotations = annotate(labeling, project.threshold);
    const std::int64_t restored = applyReview(*target, annotations, project.reviews[which]);
    std::int64_t reviewed = 0;
    for (std::int64_t i = 0; i < annotations.cells(); ++i)
        reviewed += annotations.reviewed(i);
    LabelledFile file {.dataset = target.get(), .labeling = labeling.get(), .annotations = &annotations};
    const auto now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    file.provenance = {{"exported_by", std::string("nym review-apply ") + NYM_VERSION}, {"exported", isoTime(now)},
        {"review_session", std::filesystem::absolute(a.session).string()}, {"review_saved", project.saved},
        {"model_checksum", checksumOf(project.model)}, {"threshold", std::to_string(project.threshold)},
        {"cells_edited", std::to_string(restored)}, {"cells_reviewed", std::to_string(reviewed)}};
    if (!a.output.empty()) {
        H5adWriteOptions wo;
        wo.overwrite = a.force;
        const H5adAdditions add = h5adAdditions(file, model);
        if (target->source.format == "h5ad")
            writeAnnotatedCopy(target->source.path, a.output, add, wo);
        else
            writeH5ad(*target, a.output, add, wo);
        std::printf("wrote %s\n", a.output.c_str());
    }
    if (!a.table.empty()) {
        TableWriteOptions to;
        to.overwrite = a.force;
        writePerCellTable(a.table, {file}, to);
        std::printf("wrote %s\n", a.table.c_str());
    }
    std::printf("%s: %lld cells labelled; %lld edited in the review (%lld reviewed), %lld Unassigned at threshold %g\n",
        datasetDisplayName(*target, 0).c_str(), static_cast<long long>(annotations.cells()), static_cast<long long>(restored),
        static_cast<long long>(reviewed), static_cast<long long>(annotations.unassignedCount()), project.threshold);
    return 0;
}

}   // namespace

void addReviewApply(CLI::App &app, int &exitCode)
{
    auto a = std::make_shared<ReviewApplyArgs>();
    auto *cmd = app.add_subcommand("review-apply", kReviewApplySummary);
    cmd->add_option("--session", a->session, "Project saved by Nym Studio (File > Save Project, .nymproj)")->required();
    cmd->add_option("--input", a->input, "The target file the review was made on (checked against the project)")->required();
    cmd->add_option("--output", a->output, "Write the annotated .h5ad (final labels, sources, reviewed flags, colours)");
    cmd->add_option("--table", a->table, "Write the per-cell table (.csv or .tsv)");
    cmd->add_flag("--force", a->force, "Replace output files that exist");
    cmd->callback([a, &exitCode] { exitCode = guarded([&] { return run(*a); }); });
}

}   // namespace nym::cli
