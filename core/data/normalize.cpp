#include "core/data/normalize.h"

#include "core/common/error.h"

#include <cmath>
#include <vector>

namespace nym {

NormalizeResult normalizeToLog1pCpm(const CellMatrix &matrix, const NormalizeOptions &options)
{
    NormalizeResult result;
    if (options.assume) {
        result.detected.type = *options.assume;
        result.detected.evidence = "Given by the caller.";
    } else {
        result.detected = detectValueType(matrix, options.detection);
    }
    const auto type = result.detected.type;
    for (std::int64_t c = 0; c < matrix.rows(); ++c) {
        bool any = false;
        for (float v : matrix.rowValues(c))
            any = any || v != 0.0f;
        result.allZeroCells += any ? 0 : 1;
    }

    const auto src = matrix.values();
    LargeVector<float> out(src.size());
    switch (type) {
    case ValueType::Log1pCPM:
        std::copy(src.begin(), src.end(), out.begin());
        result.action = "Values are already log1p(CPM); used as they are.";
        break;
    case ValueType::Log1pCP10k:
        for (std::size_t k = 0; k < src.size(); ++k)
            out[k] = static_cast<float>(std::log1p(std::expm1(static_cast<double>(src[k])) * 100.0));
        result.action = "Rescaled log1p(CP10k) to log1p(CPM).";
        break;
    case ValueType::RawCounts:
    case ValueType::Log1pCounts:
        for (std::int64_t c = 0; c < matrix.rows(); ++c) {
            const auto b = matrix.indptr()[c], e = matrix.indptr()[c + 1];
            double total = 0;
            for (auto k = b; k < e; ++k)
                total += type == ValueType::RawCounts ? src[k] : std::expm1(static_cast<double>(src[k]));
            const double scale = total > 0 ? 1e6 / total : 0.0;
            for (auto k = b; k < e; ++k) {
                const double count = type == ValueType::RawCounts ? src[k] : std::expm1(static_cast<double>(src[k]));
                out[k] = static_cast<float>(std::log1p(count * scale));
            }
        }
        result.action = type == ValueType::RawCounts
            ? "Normalised raw counts to log1p(CPM) using each cell's total over the file's genes."
            : "Undid log1p, then normalised the counts to log1p(CPM).";
        break;
    case ValueType::Empty:
        throw Error("The expression matrix holds no nonzero values, so there is nothing to normalise.");
    case ValueType::Other:
        throw Error("Cannot normalise these values to log1p(CPM): " + result.detected.evidence
            + " Provide raw counts (for example a 'counts' layer or raw/X) or log1p-normalised data.");
    }
    result.matrix = matrix.withValues(std::move(out));
    return result;
}

}   // namespace nym
