#include "core/eval/metrics.h"

#include "core/common/error.h"

#include <map>
#include <set>
#include <unordered_set>

namespace nym {

ClassificationMetrics classificationMetrics(const std::vector<std::string> &truth,
    const std::vector<std::string> &predicted, const std::vector<std::string> &knownClasses)
{
    if (truth.size() != predicted.size())
        throw Error("Cannot score predictions: " + std::to_string(predicted.size()) + " predictions for "
            + std::to_string(truth.size()) + " true labels.");
    const std::unordered_set<std::string> known(knownClasses.begin(), knownClasses.end());
    ClassificationMetrics m;
    std::vector<std::size_t> kept;
    std::set<std::string> names;
    for (std::size_t i = 0; i < truth.size(); ++i) {
        if (truth[i].empty() || !known.count(truth[i])) {
            ++m.skipped;
            continue;
        }
        kept.push_back(i);
        names.insert(truth[i]);
        names.insert(predicted[i]);
    }
    m.evaluated = static_cast<std::int64_t>(kept.size());
    m.classes.assign(names.begin(), names.end());
    std::map<std::string, std::size_t> index;
    for (std::size_t k = 0; k < m.classes.size(); ++k)
        index[m.classes[k]] = k;
    const std::size_t c = m.classes.size();
    m.confusion.assign(c, std::vector<std::int64_t>(c, 0));
    for (auto i : kept)
        ++m.confusion[index[truth[i]]][index[predicted[i]]];
    if (kept.empty())
        return m;

    const double n = static_cast<double>(kept.size());
    std::vector<double> rowSum(c, 0), colSum(c, 0);
    double diag = 0;
    for (std::size_t a = 0; a < c; ++a)
        for (std::size_t b = 0; b < c; ++b) {
            rowSum[a] += static_cast<double>(m.confusion[a][b]);
            colSum[b] += static_cast<double>(m.confusion[a][b]);
            if (a == b)
                diag += static_cast<double>(m.confusion[a][b]);
        }
    m.accuracy = diag / n;
    // Balanced accuracy: mean recall over classes that occur in the truth (scikit-learn's definition).
    double recallSum = 0, truthClasses = 0, f1Sum = 0, expected = 0;
    for (std::size_t k = 0; k < c; ++k) {
        const double tp = static_cast<double>(m.confusion[k][k]);
        if (rowSum[k] > 0) {
            recallSum += tp / rowSum[k];
            truthClasses += 1;
        }
        // F1 = 2TP / (2TP + FP + FN); a class present only in predictions scores 0.
        const double denom = rowSum[k] + colSum[k];
        f1Sum += denom > 0 ? 2 * tp / denom : 0;
        expected += rowSum[k] * colSum[k];
    }
    m.balancedAccuracy = truthClasses > 0 ? recallSum / truthClasses : 0;
    m.macroF1 = f1Sum / static_cast<double>(c);
    // Cohen's κ = (p_o − p_e) / (1 − p_e); 1 − p_e = 0 only when truth and prediction are one and the same class.
    const double pe = expected / (n * n);
    m.kappa = pe < 1 ? (m.accuracy - pe) / (1 - pe) : 1.0;
    return m;
}

}   // namespace nym
