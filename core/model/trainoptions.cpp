#include "core/model/trainoptions.h"

#include "core/common/error.h"

#include <algorithm>
#include <cmath>

namespace nym {

namespace {

void require(bool ok, const std::string &what)
{
    if (!ok)
        throw Error("Training setting out of range: " + what + ".");
}

}   // namespace

std::vector<std::string> TrainOptions::presetNames()
{
    return {"scnym-default", "reference-exact", "new-identity-discovery", "no-adversary", "supervised"};
}

TrainOptions TrainOptions::fromPreset(const std::string &name)
{
    TrainOptions o;
    o.preset = name;
    if (name == "scnym-default")
        return o;
    if (name == "reference-exact") {
        // The reference's "default" schedule exactly: one pass over the labelled split per epoch.
        o.minStepsPerEpoch = 0;
        o.patience = 40;
        o.distributionAlignment = false;
        o.priorCorrection = false;
        o.linearShare = 0.0;
        o.weightAveraging = false;
        o.targetPartnerRamp = false;
        return o;
    }
    if (name == "new-identity-discovery") {
        o.pseudolabelThreshold = 0.9;
        o.lowConfidenceOutOfAdversary = true;
        return o;
    }
    if (name == "no-adversary") {
        o.adversary = false;
        return o;
    }
    if (name == "supervised") {
        // Fixes the reference's "no_ssl", which left MixMatch on (METHOD.md §8).
        o.adversary = false;
        o.mixMatch = false;
        return o;
    }
    std::string names;
    for (const auto &n : presetNames())
        names += (names.empty() ? "" : ", ") + n;
    throw Error("Unknown preset \"" + name + "\"; the presets are " + names + ".");
}

void TrainOptions::validate() const
{
    require(classifier.hiddenLayers >= 1 && classifier.hiddenLayers <= 16, "hidden layers must be 1 to 16");
    require(classifier.hiddenSize >= 2 && classifier.hiddenSize <= 8192, "hidden size must be 2 to 8192");
    require(classifier.dropout >= 0 && classifier.dropout < 1, "dropout must be in [0, 1)");
    require(classifier.batchNormMomentum > 0 && classifier.batchNormMomentum <= 1, "BatchNorm momentum in (0, 1]");
    require(classifier.batchNormEps > 0, "BatchNorm eps must be positive");
    require(classifier.adversaryHidden >= 1 && classifier.adversaryHidden <= 8192, "adversary width 1 to 8192");
    require(epochs >= 1 && epochs <= 100000, "epochs must be 1 to 100000");
    require(patience >= 0, "patience must be 0 (automatic) or more");
    require(minEpochForSelection >= 0, "the first model-selection epoch must be 0 or more");
    require(batchSize >= 2 && batchSize <= 65536, "batch size must be 2 to 65536 (BatchNorm needs two cells)");
    require(minStepsPerEpoch >= 0 && minStepsPerEpoch <= 100000, "minimum steps per epoch must be 0 to 100000");
    require(minBatchSize >= 2 && minBatchSize <= 65536, "smallest batch must be 2 to 65536 (BatchNorm needs two cells)");
    require(learningRate > 0 && std::isfinite(learningRate), "learning rate must be positive");
    require(rho > 0 && rho < 1, "Adadelta rho must be in (0, 1)");
    require(adadeltaEps > 0, "Adadelta eps must be positive");
    require(weightDecay >= 0 && std::isfinite(weightDecay), "weight decay must be 0 or more");
    require(mixupAlpha > 0 && std::isfinite(mixupAlpha), "MixUp alpha must be positive");
    require(sharpenTemperature > 0 && sharpenTemperature <= 10, "sharpening temperature must be in (0, 10]");
    require(unsupervisedWeight >= 0 && std::isfinite(unsupervisedWeight), "MixMatch weight must be 0 or more");
    require(unsupervisedRampEpochs >= 0, "MixMatch ramp must be 0 epochs or more");
    require(pseudolabelThreshold >= 0 && pseudolabelThreshold < 1, "pseudolabel threshold must be in [0, 1)");
    require(alignmentStrength >= 0 && alignmentStrength <= 1, "alignment strength must be in [0, 1]");
    require(alignmentDecayEpochs >= 0, "alignment decay must be 0 epochs or more");
    require(adversaryWeight >= 0 && std::isfinite(adversaryWeight), "adversary weight must be 0 or more");
    require(adversaryRampEpochs >= 0, "adversary ramp must be 0 epochs or more");
    require(augmentDropProbability >= 0 && augmentDropProbability < 1, "augmentation drop must be in [0, 1)");
    require(modelSelectionFraction > 0 && modelSelectionFraction < 0.5, "model-selection fraction in (0, 0.5)");
    require(heldOutFraction >= 0 && heldOutFraction < 0.5, "held-out fraction in [0, 0.5)");
    require(std::isfinite(linearShare) && linearShare <= 1, "linear share must be negative (automatic) or in [0, 1]");
    require(threads >= 0 && threads <= 1024, "threads must be 0 (all cores) to 1024");
}

bool TrainOptions::sameSettings(const TrainOptions &o) const
{
    const auto &a = classifier, &b = o.classifier;
    return a.hiddenLayers == b.hiddenLayers && a.hiddenSize == b.hiddenSize && a.dropout == b.dropout
        && a.batchNormMomentum == b.batchNormMomentum && a.batchNormEps == b.batchNormEps
        && a.adversaryHidden == b.adversaryHidden && epochs == o.epochs && patience == o.patience
        && minEpochForSelection == o.minEpochForSelection && batchSize == o.batchSize
        && minStepsPerEpoch == o.minStepsPerEpoch && minBatchSize == o.minBatchSize && learningRate == o.learningRate
        && rho == o.rho
        && adadeltaEps == o.adadeltaEps && weightDecay == o.weightDecay && mixMatch == o.mixMatch
        && mixupAlpha == o.mixupAlpha && sharpenTemperature == o.sharpenTemperature
        && unsupervisedWeight == o.unsupervisedWeight && unsupervisedRampEpochs == o.unsupervisedRampEpochs
        && pseudolabelThreshold == o.pseudolabelThreshold && lowConfidenceOutOfAdversary == o.lowConfidenceOutOfAdversary
        && distributionAlignment == o.distributionAlignment && alignmentStrength == o.alignmentStrength
        && alignmentDecayEpochs == o.alignmentDecayEpochs && priorCorrection == o.priorCorrection
        && adversary == o.adversary && adversaryWeight == o.adversaryWeight
        && adversaryRampEpochs == o.adversaryRampEpochs && augmentDropProbability == o.augmentDropProbability
        && modelSelectionFraction == o.modelSelectionFraction && heldOutFraction == o.heldOutFraction
        && temperatureScaling == o.temperatureScaling && weightAveraging == o.weightAveraging
        && targetPartnerRamp == o.targetPartnerRamp && linearShare == o.linearShare && seed == o.seed
        && threads == o.threads;
}

int effectivePatience(const TrainOptions &o, std::int64_t selectionCells)
{
    if (o.patience > 0)
        return o.patience;
    return selectionCells < kSmallSelectionCells ? kSmallSelectionPatience : kAutomaticPatience;
}

double unsupervisedWeightAt(const TrainOptions &o, int epoch)
{
    if (!o.mixMatch)
        return 0.0;
    if (o.unsupervisedRampEpochs <= 0)
        return o.unsupervisedWeight;
    return o.unsupervisedWeight * std::min(1.0, static_cast<double>(epoch) / o.unsupervisedRampEpochs);
}

double adversaryWeightAt(const TrainOptions &o, int epoch)
{
    if (!o.adversary)
        return 0.0;
    if (epoch >= o.adversaryRampEpochs)
        return o.adversaryWeight;
    const double t = static_cast<double>(epoch) / o.adversaryRampEpochs - 1.0;
    return o.adversaryWeight * std::exp(-5.0 * t * t);
}

double alignmentStrengthAt(const TrainOptions &o, double progress)
{
    if (!o.mixMatch || !o.distributionAlignment)
        return 0.0;
    if (o.alignmentDecayEpochs <= 0)
        return o.alignmentStrength;
    return o.alignmentStrength * std::max(0.0, 1.0 - progress / o.alignmentDecayEpochs);
}

double targetPartnerShareAt(const TrainOptions &o, int epoch)
{
    if (!o.targetPartnerRamp || o.unsupervisedRampEpochs <= 0)
        return 1.0;
    return std::min(1.0, static_cast<double>(epoch) / o.unsupervisedRampEpochs);
}

}   // namespace nym
