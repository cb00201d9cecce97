// nym explain: the genes that drove a model's calls (saliency), per class or per cell.
#include "app/nym/commands.h"
#include "app/nym/common.h"

#include "core/common/atomicfile.h"
#include "core/common/error.h"
#include "core/io/datasetreader.h"
#include "core/io/modelfile.h"
#include "core/io/tablewriter.h"
#include "core/nn/labeler.h"
#include "core/nn/saliency.h"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <unordered_map>

namespace nym::cli {

namespace {

struct ExplainArgs
{
    std::string model, input, cls, method = "expected", output;
    std::vector<std::string> cells;
    int top = 50, samples = 100;
    std::uint64_t seed = 0;
    bool force = false;
};

int run(const ExplainArgs &a)
{
    checkOutputPath("", a.output, a.force, false);
    if (a.top < 1)
        throw Error("--top must be at least 1.");
    const Model model = loadModel(a.model);
    const Dataset ds = readDataset(a.input);
    LabelingOptions lo;
    lo.keepMatrix = true;
    const Labeling l = labelDataset(model, ds, lo);
    SaliencyOptions so;
    so.method = saliencyMethodFromName(a.method);
    so.samples = a.samples;
    so.seed = a.seed;
    const Saliency saliency(model, l.matrix, l.predictions.label, so);

    std::vector<std::string> keys, genes;
    std::vector<double> rank, attr, expr, classMean, otherMean;
    std::vector<std::string> cellCol, classCol;
    auto add = [&](const std::string &cell, const std::string &cls, const std::vector<GeneAttribution> &list) {
        for (std::size_t i = 0; i < list.size(); ++i) {
            cellCol.push_back(cell);
            classCol.push_back(cls);
            rank.push_back(static_cast<double>(i + 1));
            genes.push_back(list[i].gene);
            attr.push_back(list[i].attribution);
            expr.push_back(list[i].expression);
            classMean.push_back(list[i].classMean);
            otherMean.push_back(list[i].otherMean);
        }
    };
    const auto &classes = model.classes();
    auto classIndex = [&](const std::string &name) {
        auto it = std::find(classes.begin(), classes.end(), name);
        if (it == classes.end()) {
            std::string all;
            for (const auto &c : classes)
                all += (all.empty() ? "" : ", ") + c;
            throw Error("The model has no class \"" + name + "\"; its classes are " + all + ".");
        }
        return static_cast<std::int32_t>(it - classes.begin());
    };
    ProgressBar bar("explaining");
    if (!a.cells.empty()) {
        std::unordered_map<std::string, std::int64_t> where;
        for (std::int64_t i = 0; i < ds.cells(); ++i)
            where.emplace(ds.cellIds[static_cast<std::size_t>(i)], i);
        for (std::size_t k = 0; k < a.cells.size(); ++k) {
            auto it = where.find(a.cells[k]);
            if (it == where.end())
                throw Error(a.input + ": there is no cell \"" + a.cells[k] + "\".");
            const std::int32_t cls = a.cls.empty() ? -1 : classIndex(a.cls);
            const auto list = saliency.explainCell(it->second, a.top, cls);
            add(a.cells[k], classes[static_cast<std::size_t>(cls < 0 ? l.predictions.label[static_cast<std::size_t>(it->second)] : cls)], list);
            bar.update(static_cast<double>(k + 1) / static_cast<double>(a.cells.size()));
        }
    } else {
        std::vector<std::int32_t> todo;
        if (!a.cls.empty())
            todo.push_back(classIndex(a.cls));
        else
            for (std::size_t c = 0; c < classes.size(); ++c)
                if (std::count(l.predictions.label.begin(), l.predictions.label.end(), static_cast<std::int32_t>(c)) > 0)
                    todo.push_back(static_cast<std::int32_t>(c));
        for (std::size_t k = 0; k < todo.size(); ++k) {
            add("", classes[static_cast<std::size_t>(todo[k])], saliency.explainClass(todo[k], a.top));
            bar.update(static_cast<double>(k + 1) / static_cast<double>(todo.size()));
        }
    }
    std::vector<TableColumn> cols;
    if (!a.cells.empty())
        cols.push_back(TableColumn::ofText("cell", cellCol));
    cols.push_back(TableColumn::ofText("class", classCol));
    cols.push_back(TableColumn::ofNumbers("rank", rank));
    cols.push_back(TableColumn::ofText("gene", genes));
    cols.push_back(TableColumn::ofNumbers("attribution", attr));
    if (!a.cells.empty())
        cols.push_back(TableColumn::ofNumbers("expression", expr));
    cols.push_back(TableColumn::ofNumbers("class_mean_expression", classMean));
    cols.push_back(TableColumn::ofNumbers("other_mean_expression", otherMean));
    TableWriteOptions to;
    to.overwrite = a.force;
    writeTable(a.output, cols, to);
    std::printf("wrote %s (%zu rows, method %s)\n", a.output.c_str(), genes.size(), a.method.c_str());
    return 0;
}

}   // namespace

void addExplain(CLI::App &app, int &exitCode)
{
    auto a = std::make_shared<ExplainArgs>();
    auto *cmd = app.add_subcommand("explain", kExplainSummary);
    cmd->add_option("--model", a->model, "Model file")->required();
    cmd->add_option("--input", a->input, "Cells to explain (.h5ad or 10x .h5)")->required();
    cmd->add_option("--class", a->cls, "Explain this class (default: every predicted class)");
    cmd->add_option("--cells", a->cells, "Explain these cells (obs names) instead of whole classes")->expected(1, -1);
    cmd->add_option("--method", a->method, "expected, integrated or vanilla")->capture_default_str();
    cmd->add_option("--top", a->top, "Genes per class or cell")->capture_default_str();
    cmd->add_option("--samples", a->samples, "Expected gradients: reference draws per cell")->capture_default_str();
    cmd->add_option("--seed", a->seed, "Random seed")->capture_default_str();
    cmd->add_option("--output", a->output, "Output table (.csv or .tsv)")->required();
    cmd->add_flag("--force", a->force, "Replace OUT if it exists");
    cmd->callback([a, &exitCode] { exitCode = guarded([&] { return run(*a); }); });
}

}   // namespace nym::cli
