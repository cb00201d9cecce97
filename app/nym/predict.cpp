// nym predict: label files with a saved model.
#include "app/nym/commands.h"
#include "app/nym/common.h"
#include "app/nym/labeloutput.h"

#include "core/io/modelfile.h"
#include "core/nn/blascheck.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <memory>

namespace nym::cli {

namespace {

struct PredictArgs
{
    std::string model, report;
    std::vector<std::string> input;
    LabelOutputArgs out;
};

int run(const PredictArgs &a)
{
    if (const auto blas = checkBlas(); !blas.warning.empty())
        std::fprintf(stderr, "warning: %s\n", blas.warning.c_str());
    refuseExistingOutputs(a.out, a.input, {&a.report});
    const Model model = loadModel(a.model);
    const auto inputs = readAll(a.input);
    nlohmann::json j = labelAndWrite(model, inputs, a.out);
    if (!a.report.empty()) {
        j["model"] = a.model;
        j["n_genes"] = model.genes().size();
        j["classes"] = model.classes();
        j["temperature"] = model.temperature();
        writeJson(a.report, j, a.out.force);
        std::printf("wrote %s\n", a.report.c_str());
    }
    return 0;
}

}   // namespace

void addPredict(CLI::App &app, int &exitCode)
{
    auto a = std::make_shared<PredictArgs>();
    auto *cmd = app.add_subcommand("predict", kPredictSummary);
    cmd->add_option("--model", a->model, "Model file written by nym train --model")->required();
    cmd->add_option("--input", a->input, "File(s) to label")->required()->expected(1, -1);
    cmd->add_option("--truth", a->out.truth, "obs column with true labels, for evaluation");
    cmd->add_option("--threshold", a->out.threshold, "Confidence below which cells are Unassigned")
        ->capture_default_str();
    cmd->add_option("--output", a->out.output, "Write the annotated .h5ad");
    cmd->add_option("--table", a->out.table, "Write the per-cell table (.csv or .tsv)");
    cmd->add_option("--report", a->report, "Write a JSON report");
    cmd->add_flag("--umap", a->out.umap,
        "Lay the labelled cells out in a UMAP map of the embedding (obsm/X_umap in --output, umap_1/umap_2 in --table)");
    cmd->add_option("--umap-seed", a->out.umapArgs.options.seed, "Seed of the UMAP map")->capture_default_str();
    cmd->add_flag("--no-prior-correction", a->out.noPriorCorrection,
        "Do not correct the probabilities for the target's own class mix (estimated by EM)");
    cmd->add_flag("--force", a->out.force, "Replace output files that exist");
    cmd->callback([a, &exitCode] { exitCode = guarded([&] { return run(*a); }); });
}

}   // namespace nym::cli
