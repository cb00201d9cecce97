#pragma once

#include "core/common/largevector.h"

#include <cstdint>
#include <span>
#include <vector>

namespace nym {

// A cells × genes expression matrix in compressed sparse row form: float32 values, int32 gene indices and
// 64-bit row pointers (so nnz may exceed 2^31). Column indices are sorted and unique within each row.
// Value type: copyable, immutable after construction (the constructor validates every invariant), and safe
// to read from any number of threads at once.
class CellMatrix
{
public:
    CellMatrix() = default;
    // An all-zero matrix of the given shape.
    CellMatrix(std::int64_t rows, std::int64_t cols);
    // Marks arrays a reader has already checked with exactly the rules of the checking constructor (a file reader
    // validates while it reads, to name the file, element and cell in its messages, and must not pay twice).
    struct Prevalidated
    {
    };

    // Takes ownership of CSR arrays; throws nym::Error when they are inconsistent (lengths, ordering, range).
    CellMatrix(std::int64_t rows, std::int64_t cols, LargeVector<std::int64_t> indptr,
        LargeVector<std::int32_t> indices, LargeVector<float> values);
    // Copies the arrays (for callers holding plain vectors); same checks.
    CellMatrix(std::int64_t rows, std::int64_t cols, std::span<const std::int64_t> indptr,
        std::span<const std::int32_t> indices, std::span<const float> values);
    // Takes ownership without re-checking; only for arrays validated with the same rules (see Prevalidated).
    CellMatrix(Prevalidated, std::int64_t rows, std::int64_t cols, LargeVector<std::int64_t> indptr,
        LargeVector<std::int32_t> indices, LargeVector<float> values);

    std::int64_t rows() const { return m_rows; }
    std::int64_t cols() const { return m_cols; }
    std::int64_t nnz() const { return static_cast<std::int64_t>(m_values.size()); }
    std::span<const std::int64_t> indptr() const { return m_indptr; }
    std::span<const std::int32_t> indices() const { return m_indices; }
    std::span<const float> values() const { return m_values; }

    // The nonzeros of one row.
    std::span<const std::int32_t> rowIndices(std::int64_t row) const;
    std::span<const float> rowValues(std::int64_t row) const;

    // A new matrix holding the given rows, in the given order (repeats allowed): a minibatch.
    CellMatrix rowBatch(std::span<const std::int64_t> rows) const;
    // The given rows as a dense row-major block (rows.size() × cols()), for feeding a network.
    std::vector<float> denseRows(std::span<const std::int64_t> rows) const;
    // One gene's value in every cell (dense, length rows()), for colouring cells by a gene.
    std::vector<float> column(std::int64_t col) const;
    // Sum of each row (double accumulation), length rows().
    std::vector<double> rowSums() const;
    // The same structure with new values (same length as values()); used by normalisation.
    CellMatrix withValues(LargeVector<float> values) const;
    CellMatrix withValues(std::span<const float> values) const;

    // Bytes held by the three arrays.
    std::int64_t memoryBytes() const;

private:
    std::int64_t m_rows = 0;
    std::int64_t m_cols = 0;
    LargeVector<std::int64_t> m_indptr {0};
    LargeVector<std::int32_t> m_indices;
    LargeVector<float> m_values;
};

}   // namespace nym
