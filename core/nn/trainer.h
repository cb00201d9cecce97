#pragma once

#include "core/data/trainingset.h"
#include "core/eval/calibration.h"
#include "core/model/model.h"
#include "core/model/trainoptions.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stop_token>
#include <vector>

namespace nym {

// What one optimisation step did (METHOD.md §4).
struct StepReport
{
    int epoch = 0;                 // counted from 0
    int step = 0;                  // within the epoch, from 0
    int stepsInEpoch = 0;
    std::int64_t globalStep = 0;   // from 0
    double supervisedLoss = 0;
    double consistencyLoss = 0;    // before weighting
    double adversaryLoss = 0;
    double totalLoss = 0;          // supervised + w_u · consistency + adversary
    double unsupervisedWeight = 0; // w_u in force
    double adversaryWeight = 0;    // w_d in force
    double alignmentStrength = 0;  // distribution-alignment β in force (0 when alignment is off or has faded)
    double adversaryAccuracy = 0;  // domain head accuracy on this step's batch (NaN when off)
    double seconds = 0;            // wall time of this step
    double etaSeconds = 0;         // estimate for the rest of the run
};

// One epoch: means over its steps plus the evaluations that follow it.
struct EpochReport
{
    int epoch = 0;
    int steps = 0;
    double supervisedLoss = 0, consistencyLoss = 0, adversaryLoss = 0, totalLoss = 0;
    double unsupervisedWeight = 0, adversaryWeight = 0;   // in force at the epoch's last step
    double alignmentStrength = 0;      // β in force at the epoch's last step
    double adversaryAccuracy = 0;      // NaN when the adversary is off
    double adversaryChance = 0;        // accuracy of always guessing the largest domain
    double selectionLoss = 0;          // cross-entropy on the model-selection split (eval mode)
    double selectionAccuracy = 0;
    double heldOutAccuracy = 0;        // on the final held-out split (NaN when it is empty)
    CalibrationReport heldOutCalibration;   // reliability of the current weights on the held-out split
    bool best = false;                 // these weights are the best so far (model selection)
    bool averaged = false;             // these weights are part of the model's average (TrainOptions::weightAveraging)
    bool lastEpoch = false;            // training ends after this epoch (all epochs done or early stop)
    bool earlyStop = false;
    double seconds = 0;
    double etaSeconds = 0;
};

struct TrainerCallbacks
{
    std::function<void(const StepReport &)> onStep;     // after every step, on the training thread
    std::function<void(const EpochReport &)> onEpoch;   // after every epoch, on the training thread
};

// The outcome of a training run, with the final model.
struct TrainingSummary
{
    int epochsRun = 0;
    int bestEpoch = -1;                // lowest selection loss; -1: selection never ran
    int averagedFrom = -1;             // weight averaging: the model is the mean of epochs averagedFrom ..
    int averagedEpochs = 0;            //   averagedFrom + averagedEpochs − 1 (0: the best epoch's weights, or the last)
    std::int64_t steps = 0;
    int batchSize = 0;                 // labelled cells per step
    int stepsPerEpoch = 0;
    double trainSeconds = 0;
    std::int64_t trainCells = 0, selectionCells = 0, heldOutCells = 0, targetCells = 0;
    double heldOutAccuracy = 0;        // with the selected weights (NaN when the split is empty)
    double temperature = 1.0;
    double linearShare = 0;            // the linear member's share of the probabilities (0: the network alone)
    CalibrationReport calibrationBefore;   // held-out split, temperature 1
    CalibrationReport calibrationAfter;    // held-out split, the final model (temperatures, linear member)
    bool stopped = false;              // the user stopped it
};

// Trains the scNym network on a TrainingSet (METHOD.md §4–§5). Resumable: runEpoch() advances one epoch and
// training in pieces gives the same result as in one go. Owned by one thread at a time (the GUI's worker, the
// CLI's main thread); the stop token may be triggered from any thread and is honoured between steps. Seeded: the
// same data, options and one thread give bit-identical weights.
class Trainer
{
public:
    Trainer(std::shared_ptr<const TrainingSet> data, const TrainOptions &options);
    ~Trainer();
    Trainer(const Trainer &) = delete;
    Trainer &operator=(const Trainer &) = delete;

    // Starts from a trained model's weights instead of a fresh initialisation ("retrain with my corrections": the
    // same network, taught again with more labelled cells): matched by gene and class name, new classes start
    // fresh. Call before the first epoch; nym::Error after it.
    void startFrom(const Model &model);

    int epoch() const;          // epochs completed
    int numEpochs() const;      // as configured
    bool finished() const;      // all epochs done or stopped early
    int stepsPerEpoch() const;
    int batchSize() const;
    const TrainOptions &options() const;
    const std::vector<EpochReport> &history() const;

    // Runs one epoch and its evaluation; std::nullopt when the stop token fired first (the partial epoch is
    // discarded from the history, its steps stay in the weights). Throws nym::Error when a loss becomes NaN.
    std::optional<EpochReport> runEpoch(const TrainerCallbacks &callbacks = {}, std::stop_token stop = {});
    // Runs epochs until finished(); false when stopped.
    bool run(const TrainerCallbacks &callbacks = {}, std::stop_token stop = {});

    // The trained model: the averaged weights (TrainOptions::weightAveraging), else the selected (best) ones, or the
    // current ones when selection never ran; the calibration temperature fitted on the model-selection and held-out
    // cells when enabled; held-out metrics (their calibration cross-fitted).
    struct Result
    {
        Model model;
        TrainingSummary summary;
    };
    Result finish(const std::vector<std::string> &trainingFiles = {}) const;

private:
    class Impl;
    std::unique_ptr<Impl> d;
};

}   // namespace nym
