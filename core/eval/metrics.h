#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace nym {

// Agreement between true and predicted labels (plain C++; any thread).
struct ClassificationMetrics
{
    std::int64_t evaluated = 0;   // cells scored: true label present and known to the model
    std::int64_t skipped = 0;     // cells left out: no true label, or a true class the model was never taught
    double accuracy = 0;          // fraction correct
    double balancedAccuracy = 0;  // mean recall over the true classes present
    double kappa = 0;             // Cohen's κ
    double macroF1 = 0;           // mean F1 over classes present in truth or prediction (scikit-learn's "macro")
    std::vector<std::string> classes;             // rows and columns of the confusion matrix
    std::vector<std::vector<std::int64_t>> confusion;   // [true][predicted] counts over the evaluated cells
};

// Scores predictions against truth. Cells whose truth is empty or not in `knownClasses` (the classes the model
// was trained on) are skipped, as METHOD.md's benchmark does; predictions may include "Unassigned" or any name.
ClassificationMetrics classificationMetrics(const std::vector<std::string> &truth,
    const std::vector<std::string> &predicted, const std::vector<std::string> &knownClasses);

}   // namespace nym
