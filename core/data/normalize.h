#pragma once

#include "core/data/cellmatrix.h"
#include "core/data/valuetype.h"

#include <cstdint>
#include <optional>
#include <string>

namespace nym {

struct NormalizeOptions
{
    // Treat the input as this type instead of detecting it. Default: detect (detectValueType).
    std::optional<ValueType> assume;
    // Options for detection when `assume` is empty.
    ValueTypeOptions detection;
};

struct NormalizeResult
{
    CellMatrix matrix;               // log1p(CPM), same sparsity pattern as the input
    ValueTypeReport detected;        // what the input was judged to be
    std::string action;              // what was done, as a sentence
    std::int64_t allZeroCells = 0;   // cells with no counts; left all-zero (callers exclude them)
};

// Brings a matrix to log1p(counts per million), the scale scNym works on (METHOD.md §1): raw counts are
// divided by the cell's total and scaled to 1e6; log1p(CP10k) is rescaled; log1p(CPM) is kept. Throws
// nym::Error with what it saw when the input is anything else (scaled data, unknown scale, empty).
NormalizeResult normalizeToLog1pCpm(const CellMatrix &matrix, const NormalizeOptions &options = {});

}   // namespace nym
