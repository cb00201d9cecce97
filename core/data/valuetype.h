#pragma once

#include <cstdint>
#include <string>

namespace nym {

class CellMatrix;

// What the numbers in an expression matrix are.
enum class ValueType {
    Empty,         // no stored values at all
    RawCounts,     // whole numbers (UMI or read counts)
    Log1pCounts,   // log1p of whole numbers, not normalised per cell
    Log1pCP10k,    // log1p(counts / library size × 1e4) (scanpy's and Seurat's default)
    Log1pCPM,      // log1p(counts / library size × 1e6) (what scNym expects)
    Other          // anything else: scaled, centred, or of unknown scale
};

std::string toString(ValueType type);

struct ValueTypeOptions
{
    // How many non-empty cells (spread evenly over the matrix) are used for the per-cell sum test.
    // More is slower and surer; default 2000.
    std::int64_t maxCellsSampled = 2000;
    // Relative tolerance when comparing per-cell sums of expm1(x) with 1e4 or 1e6; default 0.02 (2%).
    double sumTolerance = 0.02;
};

// The verdict with the facts that led to it.
struct ValueTypeReport
{
    ValueType type = ValueType::Empty;
    std::string evidence;   // one or two sentences for the user
    double minValue = 0;
    double maxValue = 0;
    std::int64_t storedValues = 0;
    std::int64_t negativeValues = 0;
    std::int64_t nonFiniteValues = 0;
    bool allInteger = false;
    double medianExpm1Sum = 0;        // median over sampled cells of sum(expm1(x)); 0 when not computed
    double fractionAtMedianSum = 0;   // share of sampled cells whose sum is within tolerance of the median
    std::int64_t cellsSampled = 0;
};

// Looks at the values and decides what they are. Never throws on data; an unusual matrix is ValueType::Other
// with the reason in `evidence`.
ValueTypeReport detectValueType(const CellMatrix &matrix, const ValueTypeOptions &options = {});

}   // namespace nym
