// nym train: train scNym on labelled files and label the target files.
#include "app/nym/commands.h"
#include "app/nym/common.h"
#include "app/nym/labeloutput.h"

#include "core/common/error.h"
#include "core/data/trainingset.h"
#include "core/io/modelfile.h"
#include "core/nn/blascheck.h"
#include "core/nn/trainer.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <memory>
#include <optional>

namespace nym::cli {

namespace {

struct TrainArgs
{
    std::vector<std::string> train, target;
    std::string label, domain, preset = "scnym-default", model, report;
    bool domainPerFile = false, noCalibration = false, noAlignment = false, priorCorrection = false,
         noAveraging = false, noPartnerRamp = false;
    int threads = 0;
    // Given only when set on the command line; out-of-range values reach TrainOptions::validate, which names them.
    std::optional<int> epochs, batch, minBatch, minSteps, patience;
    std::optional<double> linearShare, learningRate;
    std::uint64_t seed = 0;
    LabelOutputArgs out;
};

nlohmann::json epochJson(const EpochReport &e)
{
    auto num = [](double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); };
    return {{"epoch", e.epoch}, {"supervised_loss", e.supervisedLoss}, {"consistency_loss", e.consistencyLoss},
        {"adversary_loss", e.adversaryLoss}, {"total_loss", e.totalLoss}, {"mixmatch_weight", e.unsupervisedWeight},
        {"adversary_weight", e.adversaryWeight}, {"alignment_strength", e.alignmentStrength},
        {"adversary_accuracy", num(e.adversaryAccuracy)},
        {"selection_loss", e.selectionLoss}, {"selection_accuracy", num(e.selectionAccuracy)},
        {"heldout_accuracy", num(e.heldOutAccuracy)}, {"heldout_ece", e.heldOutCalibration.ece},
        {"best", e.best}, {"seconds", e.seconds}};
}

nlohmann::json reliabilityJson(const CalibrationReport &r)
{
    nlohmann::json bins = nlohmann::json::array();
    for (const auto &b : r.bins)
        bins.push_back({{"lower", b.lower}, {"upper", b.upper}, {"cells", b.cells}, {"confidence", b.meanConfidence},
            {"accuracy", b.accuracy}});
    return {{"ece", r.ece}, {"cells", r.cells}, {"bins", bins}};
}

int run(const TrainArgs &a)
{
    if (const auto blas = checkBlas(); !blas.warning.empty())
        std::fprintf(stderr, "warning: %s\n", blas.warning.c_str());
    TrainOptions opt = TrainOptions::fromPreset(a.preset);
    opt.epochs = a.epochs.value_or(opt.epochs);
    opt.batchSize = a.batch.value_or(opt.batchSize);
    opt.minStepsPerEpoch = a.minSteps.value_or(opt.minStepsPerEpoch);
    opt.minBatchSize = a.minBatch.value_or(opt.minBatchSize);
    opt.patience = a.patience.value_or(opt.patience);
    opt.learningRate = a.learningRate.value_or(opt.learningRate);
    opt.linearShare = a.linearShare.value_or(opt.linearShare);
    opt.seed = a.seed;
    opt.threads = a.threads;
    if (a.noCalibration)
        opt.temperatureScaling = false;
    if (a.noAlignment)
        opt.distributionAlignment = false;
    if (a.noAveraging)
        opt.weightAveraging = false;
    if (a.noPartnerRamp)
        opt.targetPartnerRamp = false;
    if (a.priorCorrection)
        opt.priorCorrection = true;
    if (a.out.noPriorCorrection)
        opt.priorCorrection = false;   // remembered in the model, so nym predict does the same
    opt.validate();
    // Refuse existing outputs before hours of training, not after.
    refuseExistingOutputs(a.out, a.target, {&a.model, &a.report});

    const auto train = readAll(a.train);
    const auto targets = readAll(a.target);
    TrainingSetOptions so;
    if (!a.label.empty())
        so.labelColumn = a.label;
    if (!a.domain.empty()) {
        so.domains = DomainSource::Column;
        so.domainColumn = a.domain;
    } else if (a.domainPerFile) {
        so.domains = DomainSource::PerFile;
    }
    auto set = std::make_shared<const TrainingSet>(prepareTrainingSet(train, targets, so));
    for (const auto &n : set->notes)
        std::fprintf(stderr, "note: %s\n", n.c_str());
    std::fprintf(stderr, "training on %zu labelled cells (%zu classes), %lld target cells, %zu shared genes, %zu domains\n",
        set->labels.size(), set->classes.size(), static_cast<long long>(set->target.rows()), set->genes.size(),
        set->domains.size());

    Trainer trainer(set, opt);
    ProgressBar bar("training");
    nlohmann::json history = nlohmann::json::array();
    TrainerCallbacks cb;
    cb.onStep = [&](const StepReport &s) {
        const double done = (s.epoch + (s.step + 1.0) / s.stepsInEpoch) / opt.epochs;
        char detail[160];
        std::snprintf(detail, sizeof detail, "epoch %d/%d  loss %.3f  ETA %.0f s", s.epoch + 1, opt.epochs,
            s.totalLoss, s.etaSeconds);
        bar.update(done, detail);
    };
    cb.onEpoch = [&](const EpochReport &e) { history.push_back(epochJson(e)); };
    trainer.run(cb);
    bar.finish();
    const Trainer::Result result = trainer.finish(a.train);
    const TrainingSummary &s = result.summary;
    char kept[64];
    if (s.averagedEpochs > 0)
        std::snprintf(kept, sizeof kept, "weights averaged over epochs %d-%d", s.averagedFrom + 1,
            s.averagedFrom + s.averagedEpochs);
    else
        std::snprintf(kept, sizeof kept, "best epoch %d", s.bestEpoch + 1);
    std::printf("trained %d epochs (%lld steps of %d cells) in %.1f s; %s; held-out accuracy %.4f; "
                "ECE %.4f -> %.4f with temperature %.3f; linear share %.2f\n",
        s.epochsRun, static_cast<long long>(s.steps), s.batchSize, s.trainSeconds, kept, s.heldOutAccuracy,
        s.calibrationBefore.ece, s.calibrationAfter.ece, s.temperature, s.linearShare);
    if (!a.model.empty()) {
        saveModel(result.model, a.model, a.out.force);
        std::printf("wrote %s\n", a.model.c_str());
    }
    nlohmann::json j = labelAndWrite(result.model, targets, a.out);
    if (!a.report.empty()) {
        j["preset"] = opt.preset;
        j["options"] = nlohmann::json::parse(trainOptionsToJson(opt));
        j["epochs"] = s.epochsRun;
        j["best_epoch"] = s.bestEpoch;
        j["averaged_epochs"] = s.averagedEpochs;
        j["averaged_from"] = s.averagedEpochs > 0 ? nlohmann::json(s.averagedFrom) : nlohmann::json(nullptr);
        j["steps"] = s.steps;
        j["steps_per_epoch"] = s.stepsPerEpoch;
        j["batch_size"] = s.batchSize;
        j["train_seconds"] = s.trainSeconds;
        j["seconds_per_epoch"] = s.epochsRun > 0 ? s.trainSeconds / s.epochsRun : 0.0;
        j["seconds_per_step"] = s.steps > 0 ? s.trainSeconds / static_cast<double>(s.steps) : 0.0;
        j["heldout_accuracy"] = std::isfinite(s.heldOutAccuracy) ? nlohmann::json(s.heldOutAccuracy) : nullptr;
        j["heldout_ece"] = s.calibrationBefore.ece;
        j["heldout_ece_calibrated"] = s.calibrationAfter.ece;
        j["temperature"] = s.temperature;
        j["linear_share"] = s.linearShare;
        for (const auto &[k, v] : result.model.contents().metrics)
            if (k.rfind("reverse_", 0) == 0 || k.rfind("linear_", 0) == 0 || k == "target_agreement")
                j["linear_member"][k] = std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr);
        j["reliability_before"] = reliabilityJson(s.calibrationBefore);
        j["reliability_after"] = reliabilityJson(s.calibrationAfter);
        j["n_train_cells"] = set->labels.size();
        j["n_target_cells"] = set->target.rows();
        j["n_genes"] = set->genes.size();
        j["n_domains"] = set->domains.size();
        j["classes"] = set->classes;
        j["history"] = history;
        writeJson(a.report, j, a.out.force);
        std::printf("wrote %s\n", a.report.c_str());
    }
    return 0;
}

}   // namespace

void addTrain(CLI::App &app, int &exitCode)
{
    auto a = std::make_shared<TrainArgs>();
    auto *cmd = app.add_subcommand("train", kTrainSummary);
    cmd->add_option("--train", a->train, "Labelled .h5ad or 10x .h5 file(s)")->required()->expected(1, -1);
    cmd->add_option("--target", a->target, "File(s) to label (unlabelled for training)")->required()->expected(1, -1);
    cmd->add_option("--label", a->label, "obs column of the training files with the labels (default: automatic)");
    cmd->add_option("--domain", a->domain, "obs column naming each cell's domain for the adversary "
                                           "(default: training vs target)");
    cmd->add_flag("--domain-per-file", a->domainPerFile, "Every input file is its own domain");
    cmd->add_flag("--no-calibration", a->noCalibration, "Keep the raw softmax confidences (no temperature scaling)");
    cmd->add_flag("--no-distribution-alignment", a->noAlignment,
        "Do not align pseudolabels to the labelled class frequencies (the reference's MixMatch)");
    cmd->add_flag("--no-weight-averaging", a->noAveraging,
        "Keep the epoch with the lowest model-selection loss instead of the mean of the weights from epoch 21 on");
    cmd->add_flag("--no-partner-ramp", a->noPartnerRamp,
        "Mix labelled cells with target cells (and so with their pseudolabels) fully from the first step, as the "
        "reference, instead of at the pace of the MixMatch ramp");
    cmd->add_option("--preset", a->preset, "scnym-default, reference-exact, new-identity-discovery, no-adversary "
                                           "or supervised")
        ->capture_default_str();
    cmd->add_option("--epochs", a->epochs, "Epochs (default: the preset's, 100)");
    cmd->add_option("--batch", a->batch,
        "Labelled cells per step (default 256; fewer on small training sets, see --min-batch)");
    cmd->add_option("--min-steps", a->minSteps, "Minimum steps per epoch (default 10; 0 = reference behaviour)");
    cmd->add_option("--min-batch", a->minBatch,
        "Smallest batch when the labelled cells are too few for the minimum steps per epoch at --batch (default 64; "
        "--batch or more keeps the batch)");
    cmd->add_option("--learning-rate", a->learningRate, "Adadelta learning rate (default: the preset's, 1)");
    cmd->add_option("--patience", a->patience,
        "Epochs without a better model-selection loss before training stops (0 = automatic, the default: 5, or 15 "
        "when the model-selection split has fewer than 20 cells; reference-exact 40)");
    cmd->add_option("--linear-share", a->linearShare,
        "Share of the linear member in the probabilities: -1 = chosen by reverse validation (default), 0 = the "
        "network alone, up to 1 = the linear model alone");
    cmd->add_option("--seed", a->seed, "Random seed")->capture_default_str();
    cmd->add_option("--threads", a->threads, "CPU threads (0 = all cores)")->capture_default_str();
    cmd->add_option("--truth", a->out.truth, "obs column of the target with true labels, for evaluation only");
    cmd->add_option("--threshold", a->out.threshold, "Confidence below which cells are Unassigned")
        ->capture_default_str();
    cmd->add_option("--model", a->model, "Write the trained model (.nym)");
    cmd->add_option("--output", a->out.output, "Write the annotated target .h5ad");
    cmd->add_option("--table", a->out.table, "Write the per-cell table (.csv or .tsv)");
    cmd->add_option("--report", a->report, "Write a JSON report");
    cmd->add_flag("--umap", a->out.umap,
        "Lay the labelled cells out in a UMAP map of the embedding (obsm/X_umap in --output, umap_1/umap_2 in --table)");
    cmd->add_option("--umap-seed", a->out.umapArgs.options.seed, "Seed of the UMAP map")->capture_default_str();
    cmd->add_flag("--prior-correction", a->priorCorrection,
        "Correct the probabilities for the target's own class mix (estimated by EM; the default except with reference-exact)");
    cmd->add_flag("--no-prior-correction", a->out.noPriorCorrection,
        "Do not correct the probabilities for the target's own class mix");
    cmd->add_flag("--force", a->out.force, "Replace output files that exist");
    cmd->callback([a, &exitCode] { exitCode = guarded([&] { return run(*a); }); });
}

}   // namespace nym::cli
