#include "app/nym/labeloutput.h"

#include "core/common/atomicfile.h"
#include "core/common/error.h"
#include "core/data/annotations.h"
#include "core/data/trainingset.h"
#include "core/eval/calibration.h"
#include "core/eval/metrics.h"
#include "core/export/labelexport.h"
#include "core/io/datasetreader.h"
#include "core/io/h5adwriter.h"
#include "core/io/tablewriter.h"
#include "core/nn/labeler.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>

namespace nym::cli {

namespace {

std::string derivedName(const std::string &base, const std::string &stem, const char *defaultExt)
{
    std::filesystem::path p(base);
    const std::string ext = p.has_extension() ? p.extension().string() : std::string(defaultExt);
    p.replace_extension();
    return p.string() + "." + stem + ext;
}

}   // namespace

void refuseExistingOutputs(const LabelOutputArgs &args, const std::vector<std::string> &targetPaths,
    const std::vector<const std::string *> &extra)
{
    Annotations::validateThreshold(args.threshold);   // not after hours of training
    std::vector<std::string> outputs;
    for (const auto *p : extra)
        outputs.push_back(*p);
    outputs.push_back(args.table);
    if (targetPaths.size() == 1)
        outputs.push_back(args.output);
    else if (!args.output.empty())
        for (const auto &t : targetPaths)
            outputs.push_back(derivedName(args.output, std::filesystem::path(t).stem().string(), ".h5ad"));
    for (const auto &o : outputs)
        if (!o.empty())
            checkOutputPath("", o, args.force, false);
}

std::vector<std::shared_ptr<const Dataset>> readAll(const std::vector<std::string> &paths)
{
    std::vector<std::shared_ptr<const Dataset>> out;
    for (const auto &p : paths)
        out.push_back(std::make_shared<const Dataset>(readDataset(p)));
    return out;
}

void writeJson(const std::string &path, const nlohmann::json &json, bool force)
{
    checkOutputPath("", path, force, false);
    AtomicFile tmp(path);
    {
        std::ofstream out(tmp.path());
        out << json.dump(2) << "\n";
        out.flush();
        if (!out)
            throw Error(path + ": cannot write the report (is the disk full?)");
    }
    tmp.commit();
}

nlohmann::json labelAndWrite(const Model &model, const std::vector<std::shared_ptr<const Dataset>> &targets,
    const LabelOutputArgs &args)
{
    nlohmann::json j;
    LabelingOptions lo;
    lo.priorCorrection = !args.noPriorCorrection;
    nlohmann::json composition = nlohmann::json::object(), memberGaps = nlohmann::json::object(),
                   shiftTests = nlohmann::json::object();
    std::vector<std::string> allTruth, allPred;
    std::vector<float> conf;
    // The table is written once at the end, from every file (core/export: the one column order).
    std::vector<std::shared_ptr<const Labeling>> labelings;
    std::vector<Annotations> annotations;
    std::vector<std::vector<std::string>> truths;
    std::int64_t cells = 0, unassigned = 0;
    nlohmann::json notes = nlohmann::json::array();
    for (std::size_t f = 0; f < targets.size(); ++f) {
        const Dataset &ds = *targets[f];
        const std::string stem = datasetDisplayName(ds, f);
        const auto l = std::make_shared<const Labeling>(labelDataset(model, ds, lo));
        Annotations a = annotate(l, args.threshold);
        for (const auto &n : l->notes) {
            notes.push_back(stem + ": " + n);
            std::fprintf(stderr, "note: %s: %s\n", stem.c_str(), n.c_str());
        }
        if (l->memberCompositionGap >= 0)
            memberGaps[stem] = l->memberCompositionGap;
        if (l->shiftStatistic >= 0)
            shiftTests[stem] = {{"statistic", l->shiftStatistic}, {"threshold", l->shiftThreshold}};
        if (!l->composition.empty()) {
            nlohmann::json shares = nlohmann::json::object();
            for (std::size_t k = 0; k < l->composition.size(); ++k)
                shares[model.classes()[k]] = l->composition[k];
            composition[stem] = shares;
        }
        cells += l->predictions.cells;
        unassigned += a.unassignedCount();
        std::vector<std::string> truth;
        if (!args.truth.empty()) {
            const ObsColumn *col = ds.findObs(args.truth);
            if (!col)
                throw Error(ds.source.path + ": there is no obs column '" + args.truth + "' for --truth.");
            for (std::int64_t i = 0; i < ds.cells(); ++i)
                truth.push_back(col->text(i));
            allTruth.insert(allTruth.end(), truth.begin(), truth.end());
            allPred.insert(allPred.end(), l->labels.begin(), l->labels.end());
            conf.insert(conf.end(), l->predictions.confidence.begin(), l->predictions.confidence.end());
        }
        // Per-class counts for the summary line.
        std::map<std::string, std::int64_t> counts;
        for (std::int64_t i = 0; i < a.cells(); ++i)
            ++counts[a.finalLabel(i)];
        std::printf("%s: %lld cells labelled;", stem.c_str(), static_cast<long long>(l->predictions.cells));
        for (const auto &[name, n] : counts)
            std::printf(" %s %lld;", name.c_str(), static_cast<long long>(n));
        if (!l->composition.empty())
            std::printf(" probabilities corrected for the file's own class mix;");
        std::printf("\n");
        labelings.push_back(l);
        annotations.push_back(std::move(a));
        truths.push_back(std::move(truth));
    }
    // One map for every target, so they can be compared on it.
    std::vector<std::vector<float>> layouts;
    std::string umapDescription;
    if (args.umap) {
        std::vector<EmbeddingBlock> blocks;
        for (std::size_t f = 0; f < targets.size(); ++f) {
            const auto &p = labelings[f]->predictions;
            blocks.push_back({p.embedding.data(), p.cells, p.embeddingSize, datasetDisplayName(*targets[f], f)});
        }
        layouts = jointUmap(blocks, args.umapArgs, umapDescription);
        j["umap"] = umapDescription;
    }
    auto file = [&](std::size_t f) {
        return LabelledFile {.dataset = targets[f].get(), .labeling = labelings[f].get(), .annotations = &annotations[f],
            .truth = truths[f], .umap = layouts.empty() ? nullptr : &layouts[f], .umapDescription = umapDescription};
    };
    if (!args.output.empty()) {
        for (std::size_t f = 0; f < targets.size(); ++f) {
            const Dataset &ds = *targets[f];
            const std::string out = targets.size() == 1 ? args.output
                                                        : derivedName(args.output, datasetDisplayName(ds, f), ".h5ad");
            H5adWriteOptions wo;
            wo.overwrite = args.force;
            const H5adAdditions add = h5adAdditions(file(f), model);
            if (ds.source.format == "h5ad")
                writeAnnotatedCopy(ds.source.path, out, add, wo);
            else
                writeH5ad(ds, out, add, wo);
            std::printf("wrote %s\n", out.c_str());
        }
    }
    if (!args.table.empty()) {
        std::vector<LabelledFile> files;
        for (std::size_t f = 0; f < targets.size(); ++f)
            files.push_back(file(f));
        TableWriteOptions to;
        to.overwrite = args.force;
        writePerCellTable(args.table, files, to);
        std::printf("wrote %s\n", args.table.c_str());
    }
    j["n_labelled_cells"] = cells;
    j["n_unassigned"] = unassigned;
    j["unassigned_threshold"] = args.threshold;
    j["notes"] = notes;
    j["prior_correction"] = !composition.empty();   // applied (asked for, allowed by the model, shares known)
    j["estimated_composition"] = composition;
    if (!memberGaps.empty())
        j["composition_member_gap"] = memberGaps;
    if (!shiftTests.empty())
        j["composition_shift_test"] = shiftTests;   // 2Λ and its 1% threshold, per file
    if (!args.truth.empty()) {
        const ClassificationMetrics m = classificationMetrics(allTruth, allPred, model.classes());
        std::vector<std::uint8_t> correct;
        std::vector<float> keptConf;
        for (std::size_t i = 0; i < allTruth.size(); ++i) {
            if (allTruth[i].empty()
                || std::find(model.classes().begin(), model.classes().end(), allTruth[i]) == model.classes().end())
                continue;
            correct.push_back(allTruth[i] == allPred[i]);
            keptConf.push_back(conf[i]);
        }
        const CalibrationReport cal = calibrationReport(keptConf, correct);
        j["target_accuracy"] = m.accuracy;
        j["target_balanced_accuracy"] = m.balancedAccuracy;
        j["target_kappa"] = m.kappa;
        j["target_macro_f1"] = m.macroF1;
        j["target_ece"] = cal.ece;
        j["target_cells_scored"] = m.evaluated;
        j["target_cells_not_scored"] = m.skipped;
        j["confusion_classes"] = m.classes;
        j["confusion"] = m.confusion;
        std::printf("target accuracy %.4f, balanced %.4f, kappa %.4f, macro-F1 %.4f, ECE %.4f (%lld cells scored, "
                    "%lld not: no label or a class the model never saw)\n",
            m.accuracy, m.balancedAccuracy, m.kappa, m.macroF1, cal.ece, static_cast<long long>(m.evaluated),
            static_cast<long long>(m.skipped));
    }
    return j;
}

}   // namespace nym::cli
