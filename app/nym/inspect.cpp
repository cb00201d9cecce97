// nym inspect FILE [--target FILE] [--json]: the preflight report; exits 2 when it holds an error.
#include "app/nym/commands.h"
#include "app/nym/common.h"
#include "app/nym/reportjson.h"

#include "core/data/preflight.h"
#include "core/io/datasetreader.h"

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <sys/resource.h>

namespace nym::cli {

namespace {

struct InspectArgs
{
    std::string file;
    std::string target;
    bool json = false;
    std::string label;
    std::string domain;
    std::string matrix = "X";
    std::string geneNames;
    std::string genome;
    bool allFeatures = false;
};

DatasetReadOptions readOptions(const InspectArgs &a)
{
    DatasetReadOptions o;
    o.h5ad.matrix = a.matrix;
    o.h5ad.loadObsm = false;
    if (!a.geneNames.empty())
        o.h5ad.geneNameColumn = a.geneNames;
    if (!a.genome.empty())
        o.tenx.genome = a.genome;
    if (a.allFeatures)
        o.tenx.featureTypes.clear();
    return o;
}

double seconds(std::chrono::steady_clock::time_point since)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

// Peak resident memory of this process so far, in MiB (for the load benchmark).
double peakRssMiB()
{
    rusage u {};
    getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_maxrss) / 1024.0;
}

int run(const InspectArgs &a)
{
    PreflightOptions po;
    if (!a.label.empty())
        po.labelColumn = a.label;
    if (!a.domain.empty())
        po.domainColumn = a.domain;
    const auto opts = readOptions(a);
    const auto t0 = std::chrono::steady_clock::now();
    const Dataset first = readDataset(a.file, opts);
    const double readSeconds = seconds(t0);
    if (a.target.empty()) {
        const auto t1 = std::chrono::steady_clock::now();
        const PreflightReport r = preflight(first, po);
        if (a.json) {
            auto j = toJson(r);
            j["timing"] = {{"read_seconds", readSeconds}, {"preflight_seconds", seconds(t1)},
                {"peak_rss_mib", peakRssMiB()}, {"csr_bytes", first.matrix.memoryBytes()}};
            std::printf("%s\n", j.dump(2).c_str());
        } else
            std::printf("%s", toText(r).c_str());
        return r.hasErrors() ? 2 : 0;
    }
    const Dataset second = readDataset(a.target, opts);
    const auto [train, target] = preflightPair(first, second, po);
    const bool errors = train.hasErrors() || target.hasErrors();
    if (a.json) {
        // The training report at the top level (so the single-file keys stay), the target and overlap beside it,
        // and every warning and error of both in the top-level lists.
        nlohmann::json j = toJson(train);
        j["target"] = toJson(target);
        j["overlap"] = toJson(*target.overlap);
        for (const auto &w : target.warnings())
            j["warnings"].push_back("target: " + w);
        for (const auto &e : target.errors())
            j["errors"].push_back("target: " + e);
        std::printf("%s\n", j.dump(2).c_str());
    } else {
        std::printf("Training: %s\nTarget: %s", toText(train).c_str(), toText(target).c_str());
    }
    return errors ? 2 : 0;
}

}   // namespace

void addInspect(CLI::App &app, int &exitCode)
{
    auto args = std::make_shared<InspectArgs>();
    auto *cmd = app.add_subcommand("inspect",
        "Check a dataset (or a training + target pair) before training: cells, "
        "genes, value type, labels, domains, gene overlap, problems. Exits 2 "
        "when the report holds an error.");
    cmd->add_option("FILE", args->file, "An .h5ad or 10x .h5 file (the training file when --target is given)")
        ->required();
    cmd->add_option("--target", args->target, "A second file to label; adds the gene-overlap report");
    cmd->add_flag("--json", args->json, "Print the report as JSON");
    cmd->add_option("--label", args->label, "obs column holding the labels (default: automatic)");
    cmd->add_option("--domain", args->domain, "obs column holding the domain/batch (default: automatic)");
    cmd->add_option("--matrix", args->matrix, "Matrix to read: X, raw/X or layers/NAME (default X)");
    cmd->add_option("--gene-names", args->geneNames,
        "var column naming the genes (default: automatic; symbols when the index holds Ensembl ids)");
    cmd->add_option("--genome", args->genome, "10x files: the genome to read");
    cmd->add_flag("--all-features", args->allFeatures, "10x files: keep every feature type, not only Gene Expression");
    cmd->callback([args, &exitCode] { exitCode = guarded([&] { return run(*args); }); });
}

}   // namespace nym::cli
