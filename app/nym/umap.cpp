// nym umap: a UMAP map of one or several files, laid out together, written as obsm/X_umap of annotated copies.
#include "app/nym/commands.h"
#include "app/nym/common.h"
#include "app/nym/labeloutput.h"
#include "app/nym/umaplayout.h"

#include "core/common/atomicfile.h"
#include "core/common/error.h"
#include "core/data/trainingset.h"
#include "core/io/h5adwriter.h"
#include "core/io/modelfile.h"
#include "core/nn/labeler.h"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <memory>

namespace nym::cli {

namespace {

struct UmapCommandArgs
{
    std::vector<std::string> input, output;
    std::string obsm, model;
    bool force = false;
    UmapArgs umap;
};

int run(const UmapCommandArgs &a)
{
    if (a.output.size() != a.input.size())
        throw Error("Give one --output per --input (" + std::to_string(a.input.size()) + " inputs, " +
            std::to_string(a.output.size()) + " outputs): each file keeps its own cells, laid out in one shared map.");
    if (!a.obsm.empty() && !a.model.empty())
        throw Error("Use either --obsm (an embedding in the files) or --model (embed the cells with a model), not both.");
    for (std::size_t f = 0; f < a.input.size(); ++f)
        checkOutputPath(a.input[f], a.output[f], a.force, false);
    const auto inputs = readAll(a.input);
    std::vector<std::shared_ptr<const Labeling>> labelings;
    std::vector<EmbeddingBlock> blocks;
    std::string key = a.obsm.empty() ? std::string("X_nym") : a.obsm;
    if (!a.model.empty()) {
        const Model model = loadModel(a.model);
        key = "X_nym";
        for (std::size_t f = 0; f < inputs.size(); ++f) {
            labelings.push_back(std::make_shared<const Labeling>(labelDataset(model, *inputs[f], {})));
            const auto &p = labelings.back()->predictions;
            blocks.push_back({p.embedding.data(), p.cells, p.embeddingSize, datasetDisplayName(*inputs[f], f)});
        }
    } else {
        for (std::size_t f = 0; f < inputs.size(); ++f) {
            const DenseArray *e = inputs[f]->findObsm(key);
            if (!e)
                throw Error(inputs[f]->source.path + ": there is no obsm/" + key + (a.obsm.empty()
                    ? " (label the file with nym train/predict first, pass --model to embed it now, or choose another "
                      "embedding with --obsm)" : "") + ".");
            blocks.push_back({e->values.data(), e->rows, e->cols, datasetDisplayName(*inputs[f], f)});
        }
    }
    std::string description;
    const auto layouts = jointUmap(blocks, a.umap, description);
    for (std::size_t f = 0; f < inputs.size(); ++f) {
        H5adAdditions add;
        add.unsGroup = "nym_umap";
        DenseArray umap;
        umap.name = "X_umap";
        umap.rows = inputs[f]->cells();
        umap.cols = 2;
        umap.values = layouts[f];
        add.obsm.push_back(std::move(umap));
        if (!labelings.empty()) {
            const auto &p = labelings[f]->predictions;
            add.obsm.push_back({"X_nym", p.cells, p.embeddingSize, p.embedding});
        }
        add.uns = {{"embedding", "obsm/" + key + (a.model.empty() ? "" : " of model " + a.model)},
            {"layout", description}};
        std::string together;
        for (const auto &other : a.input)
            together += (together.empty() ? "" : "\t") + other;
        add.uns.emplace_back("files_laid_out_together", together);
        H5adWriteOptions wo;
        wo.overwrite = a.force;
        if (inputs[f]->source.format == "h5ad")
            writeAnnotatedCopy(inputs[f]->source.path, a.output[f], add, wo);
        else
            writeH5ad(*inputs[f], a.output[f], add, wo);
        std::printf("wrote %s\n", a.output[f].c_str());
    }
    return 0;
}

}   // namespace

void addUmap(CLI::App &app, int &exitCode)
{
    auto a = std::make_shared<UmapCommandArgs>();
    auto *cmd = app.add_subcommand("umap", kUmapSummary);
    cmd->add_option("--input", a->input, "File(s) to lay out together in one map")->required()->expected(1, -1);
    cmd->add_option("--obsm", a->obsm, "Embedding in the files to lay out (default X_nym, written by nym train/predict)");
    cmd->add_option("--model", a->model, "Embed the cells with this model first (its 256-d X_nym)");
    addUmapOptions(*cmd, a->umap);
    cmd->add_option("--output", a->output, "Annotated copy of each input with obsm/X_umap (one per --input, same order)")
        ->required()->expected(1, -1);
    cmd->add_flag("--force", a->force, "Replace output files that exist");
    cmd->callback([a, &exitCode] { exitCode = guarded([&] { return run(*a); }); });
}

}   // namespace nym::cli
