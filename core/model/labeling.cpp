#include "core/model/labeling.h"

namespace nym {

Annotations annotate(const std::shared_ptr<const Labeling> &labeling, double threshold)
{
    const Predictions &p = labeling->predictions;
    Annotations::Predicted in;
    in.classes = p.classes;
    in.label = p.label;
    in.confidence = p.confidence;
    in.noCounts = labeling->noCounts;
    in.secondLabel = p.linearLabel;
    in.secondConfidence = p.linearConfidence;
    // Aliasing pointer: no copy of cells × classes floats; the labelling lives as long as the annotations need it.
    in.probabilities = std::shared_ptr<const std::vector<float>>(labeling, &p.probabilities);
    return Annotations(std::move(in), threshold);
}

}   // namespace nym
