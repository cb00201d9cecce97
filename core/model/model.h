#pragma once

#include "core/model/trainoptions.h"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace nym {

// One named weight array of the network (row-major float32).
struct NamedArray
{
    std::string name;                  // stable registered name, e.g. "encoder.0.weight" (a model-file key)
    std::vector<std::int64_t> shape;
    std::vector<float> values;
};

// A trained scNym classifier: weights, the genes and classes it knows, how its input is normalised, the options it
// was trained with, its calibration temperature and training metrics. Built by the Trainer or read from a model
// file; validated on construction and immutable afterwards, so any number of threads may read it.
class Model
{
public:
    // Bump when the model file layout changes; readers refuse newer versions.
    static constexpr int kFormatVersion = 2;   // 2: the linear member

    struct Contents
    {
        std::vector<std::string> genes;     // input order
        std::vector<std::string> classes;   // output order
        std::vector<std::string> domains;   // domains the adversary saw (informational)
        std::string normalization = "log1p(CPM)";
        TrainOptions options;
        std::vector<NamedArray> weights;    // classifier weights (the adversary head is not kept)
        double temperature = 1.0;           // softmax temperature from calibration (1 = none)
        // Class shares of the cells the classifier was trained on, in class order (for the prior-shift correction
        // when labelling); empty in model files written before it was kept.
        std::vector<double> classPrior;
        // The linear member (TrainOptions::linearShare): its share s of the probabilities, (1 − s)·network +
        // s·linear, and its own calibration temperature; its weights are "linear.weight" (classes × genes) and
        // "linear.bias" in `weights` (needed when the share is above 0; kept at share 0 too, as a second opinion).
        double linearShare = 0.0;
        double linearTemperature = 1.0;
        std::vector<std::pair<std::string, double>> metrics;   // held-out accuracy, ECE, epochs, ...
        std::string labelColumn;            // the training files' label column
        std::vector<std::string> trainingFiles;
        std::string createdBy;              // "Nym Studio 0.1.0"
    };

    // Throws nym::Error naming the problem when the contents are inconsistent (no genes, fewer than two classes,
    // duplicate names, array sizes that do not match their shapes, non-finite weights, temperature ≤ 0, class
    // shares that are not one finite, non-negative number per class with a positive sum).
    explicit Model(Contents contents);

    const Contents &contents() const { return m_contents; }
    const std::vector<std::string> &genes() const { return m_contents.genes; }
    const std::vector<std::string> &classes() const { return m_contents.classes; }
    double temperature() const { return m_contents.temperature; }
    const NamedArray *findWeight(const std::string &name) const;
    // A metric by name, or NaN.
    double metric(const std::string &name) const;

private:
    Contents m_contents;
};

// The options as JSON text (for model files and reports) and back. fromJson starts from `start` (the defaults, or
// the preset the options were based on, so that settings saved before an option existed read as that preset had it)
// and takes the fields present; throws nym::Error on malformed text.
std::string trainOptionsToJson(const TrainOptions &options);
TrainOptions trainOptionsFromJson(const std::string &json, const TrainOptions &start = TrainOptions());

}   // namespace nym
