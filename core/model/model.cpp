#include "core/model/model.h"

#include "core/common/error.h"
#include "core/eval/priorshift.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <limits>
#include <unordered_set>

namespace nym {

namespace {

void requireUnique(const std::vector<std::string> &names, const char *what)
{
    std::unordered_set<std::string> seen;
    for (const auto &n : names)
        if (!seen.insert(n).second)
            throw Error(std::string("The model lists the ") + what + " '" + n + "' twice.");
}

}   // namespace

Model::Model(Contents contents)
    : m_contents(std::move(contents))
{
    const auto &c = m_contents;
    if (c.genes.empty())
        throw Error("The model has no genes.");
    if (c.classes.size() < 2)
        throw Error("The model has fewer than two classes.");
    requireUnique(c.genes, "gene");
    requireUnique(c.classes, "class");
    if (!(c.temperature > 0) || !std::isfinite(c.temperature))
        throw Error("The model's calibration temperature is not a positive number.");
    if (!c.classPrior.empty())
        requireClassShares(c.classPrior, c.classes.size(), "The model's training class shares");
    if (c.weights.empty())
        throw Error("The model has no weights.");
    for (const auto &w : c.weights) {
        std::int64_t n = 1;
        for (auto d : w.shape) {
            if (d < 0 || (d > 0 && n > std::numeric_limits<std::int64_t>::max() / d))
                throw Error("The model's weight '" + w.name + "' has an impossible shape.");
            n *= d;
        }
        if (static_cast<std::int64_t>(w.values.size()) != n)
            throw Error("The model's weight '" + w.name + "' holds " + std::to_string(w.values.size())
                + " numbers but its shape needs " + std::to_string(n) + ".");
        for (float v : w.values)
            if (!std::isfinite(v))
                throw Error("The model's weight '" + w.name + "' contains NaN or infinite values.");
    }
    if (!(c.linearShare >= 0 && c.linearShare <= 1))
        throw Error("The model's linear share is not a number from 0 to 1.");
    if (!(c.linearTemperature > 0) || !std::isfinite(c.linearTemperature))
        throw Error("The model's linear calibration temperature is not a positive number.");
    if (c.linearShare > 0) {
        const auto rows = static_cast<std::int64_t>(c.classes.size()), cols = static_cast<std::int64_t>(c.genes.size());
        const NamedArray *w = findWeight("linear.weight");
        const NamedArray *b = findWeight("linear.bias");
        if (!w || w->shape != std::vector<std::int64_t> {rows, cols} || !b || b->shape != std::vector<std::int64_t> {rows})
            throw Error("The model uses a linear member but lacks its weights (linear.weight: classes × genes, "
                        "linear.bias: classes).");
    }
    c.options.validate();
}

const NamedArray *Model::findWeight(const std::string &name) const
{
    for (const auto &w : m_contents.weights)
        if (w.name == name)
            return &w;
    return nullptr;
}

double Model::metric(const std::string &name) const
{
    for (const auto &[k, v] : m_contents.metrics)
        if (k == name)
            return v;
    return std::numeric_limits<double>::quiet_NaN();
}

// Field list shared by both directions so they cannot drift apart.
#define NYM_TRAIN_FIELDS(X)                                                                                          \
    X(preset) X(epochs) X(patience) X(minEpochForSelection) X(batchSize) X(minStepsPerEpoch) X(minBatchSize)     \
        X(learningRate) X(rho)                                                                                       \
        X(adadeltaEps) X(weightDecay) X(mixMatch) X(mixupAlpha) X(sharpenTemperature) X(unsupervisedWeight)          \
            X(unsupervisedRampEpochs) X(pseudolabelThreshold) X(distributionAlignment) X(alignmentStrength)         \
                X(alignmentDecayEpochs) X(priorCorrection) X(lowConfidenceOutOfAdversary) X(adversary)               \
                X(adversaryWeight) X(adversaryRampEpochs) X(augmentDropProbability) X(modelSelectionFraction)        \
                    X(heldOutFraction) X(temperatureScaling) X(weightAveraging) X(targetPartnerRamp) X(linearShare)  \
                        X(seed) X(threads)
#define NYM_CLASSIFIER_FIELDS(X)                                                                                     \
    X(hiddenLayers) X(hiddenSize) X(dropout) X(batchNormMomentum) X(batchNormEps) X(adversaryHidden)

std::string trainOptionsToJson(const TrainOptions &o)
{
    nlohmann::json j, c;
#define TO_J(f) j[#f] = o.f;
#define TO_C(f) c[#f] = o.classifier.f;
    NYM_TRAIN_FIELDS(TO_J)
    NYM_CLASSIFIER_FIELDS(TO_C)
#undef TO_J
#undef TO_C
    j["classifier"] = c;
    return j.dump();
}

TrainOptions trainOptionsFromJson(const std::string &text, const TrainOptions &start)
{
    TrainOptions o = start;
    try {
        const auto j = nlohmann::json::parse(text);
        const auto c = j.value("classifier", nlohmann::json::object());
#define FROM_J(f)                                                                                                    \
    if (j.contains(#f))                                                                                              \
        j.at(#f).get_to(o.f);
#define FROM_C(f)                                                                                                    \
    if (c.contains(#f))                                                                                              \
        c.at(#f).get_to(o.classifier.f);
        NYM_TRAIN_FIELDS(FROM_J)
        NYM_CLASSIFIER_FIELDS(FROM_C)
#undef FROM_J
#undef FROM_C
    } catch (const nlohmann::json::exception &e) {
        throw Error(std::string("The training settings are not readable: ") + e.what());
    }
    return o;
}

}   // namespace nym
