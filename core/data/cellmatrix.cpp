#include "core/data/cellmatrix.h"

#include "core/common/error.h"

#include <algorithm>
#include <limits>
#include <string>

namespace nym {

CellMatrix::CellMatrix(std::int64_t rows, std::int64_t cols)
    : CellMatrix(rows, cols, LargeVector<std::int64_t>(rows < 0 ? 1 : static_cast<std::size_t>(rows) + 1, 0),
        LargeVector<std::int32_t>(), LargeVector<float>())
{ }

CellMatrix::CellMatrix(std::int64_t rows, std::int64_t cols, std::span<const std::int64_t> indptr,
    std::span<const std::int32_t> indices, std::span<const float> values)
    : CellMatrix(rows, cols, LargeVector<std::int64_t>(indptr.begin(), indptr.end()),
        LargeVector<std::int32_t>(indices.begin(), indices.end()), LargeVector<float>(values.begin(), values.end()))
{ }

CellMatrix::CellMatrix(std::int64_t rows, std::int64_t cols, LargeVector<std::int64_t> indptr,
    LargeVector<std::int32_t> indices, LargeVector<float> values)
    : CellMatrix(Prevalidated {}, rows, cols, std::move(indptr), std::move(indices), std::move(values))
{
    if (rows < 0 || cols < 0)
        throw Error("matrix: negative shape");
    if (cols > std::numeric_limits<std::int32_t>::max())
        throw Error("matrix: more than 2^31 genes is not supported");
    if (m_indptr.size() != static_cast<std::size_t>(rows) + 1)
        throw Error("matrix: row pointer length " + std::to_string(m_indptr.size()) + " does not match "
            + std::to_string(rows) + " rows");
    if (m_indices.size() != m_values.size())
        throw Error("matrix: " + std::to_string(m_indices.size()) + " indices but " + std::to_string(m_values.size())
            + " values");
    if (m_indptr.front() != 0 || m_indptr.back() != static_cast<std::int64_t>(m_values.size()))
        throw Error("matrix: row pointers must start at 0 and end at the number of stored values");
    // All pointers first (with the first and last checked above, non-decreasing keeps every row in bounds).
    for (std::int64_t r = 0; r < rows; ++r)
        if (m_indptr[r + 1] < m_indptr[r])
            throw Error("matrix: row pointers decrease at row " + std::to_string(r));
    for (std::int64_t r = 0; r < rows; ++r) {
        const std::int64_t b = m_indptr[r], e = m_indptr[r + 1];
        std::int32_t prev = -1;
        for (std::int64_t k = b; k < e; ++k) {
            const std::int32_t c = m_indices[k];
            if (c < 0 || c >= cols)
                throw Error("matrix: gene index " + std::to_string(c) + " out of range in row " + std::to_string(r));
            if (c <= prev)
                throw Error("matrix: gene indices not strictly increasing in row " + std::to_string(r));
            prev = c;
        }
    }
}

CellMatrix::CellMatrix(Prevalidated, std::int64_t rows, std::int64_t cols, LargeVector<std::int64_t> indptr,
    LargeVector<std::int32_t> indices, LargeVector<float> values)
    : m_rows(rows)
    , m_cols(cols)
    , m_indptr(std::move(indptr))
    , m_indices(std::move(indices))
    , m_values(std::move(values))
{ }

std::span<const std::int32_t> CellMatrix::rowIndices(std::int64_t row) const
{
    return std::span<const std::int32_t>(m_indices).subspan(m_indptr[row], m_indptr[row + 1] - m_indptr[row]);
}

std::span<const float> CellMatrix::rowValues(std::int64_t row) const
{
    return std::span<const float>(m_values).subspan(m_indptr[row], m_indptr[row + 1] - m_indptr[row]);
}

static void checkRow(std::int64_t r, std::int64_t rows)
{
    if (r < 0 || r >= rows)
        throw Error("matrix: row " + std::to_string(r) + " out of range (" + std::to_string(rows) + " rows)");
}

CellMatrix CellMatrix::rowBatch(std::span<const std::int64_t> rows) const
{
    LargeVector<std::int64_t> ptr(rows.size() + 1, 0);
    for (std::size_t i = 0; i < rows.size(); ++i) {
        checkRow(rows[i], m_rows);
        ptr[i + 1] = ptr[i] + (m_indptr[rows[i] + 1] - m_indptr[rows[i]]);
    }
    LargeVector<std::int32_t> idx(static_cast<std::size_t>(ptr.back()));
    LargeVector<float> val(static_cast<std::size_t>(ptr.back()));
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const auto b = m_indptr[rows[i]], e = m_indptr[rows[i] + 1];
        std::copy(m_indices.begin() + b, m_indices.begin() + e, idx.begin() + ptr[i]);
        std::copy(m_values.begin() + b, m_values.begin() + e, val.begin() + ptr[i]);
    }
    return CellMatrix(static_cast<std::int64_t>(rows.size()), m_cols, std::move(ptr), std::move(idx), std::move(val));
}

std::vector<float> CellMatrix::denseRows(std::span<const std::int64_t> rows) const
{
    std::vector<float> out(rows.size() * static_cast<std::size_t>(m_cols), 0.0f);
    for (std::size_t i = 0; i < rows.size(); ++i) {
        checkRow(rows[i], m_rows);
        float *dst = out.data() + i * static_cast<std::size_t>(m_cols);
        for (std::int64_t k = m_indptr[rows[i]]; k < m_indptr[rows[i] + 1]; ++k)
            dst[m_indices[k]] = m_values[k];
    }
    return out;
}

std::vector<float> CellMatrix::column(std::int64_t col) const
{
    if (col < 0 || col >= m_cols)
        throw Error("matrix: gene " + std::to_string(col) + " out of range (" + std::to_string(m_cols) + " genes)");
    std::vector<float> out(static_cast<std::size_t>(m_rows), 0.0f);
    const auto c = static_cast<std::int32_t>(col);
    for (std::int64_t r = 0; r < m_rows; ++r) {
        const auto b = m_indices.begin() + m_indptr[r], e = m_indices.begin() + m_indptr[r + 1];
        const auto it = std::lower_bound(b, e, c);
        if (it != e && *it == c)
            out[r] = m_values[it - m_indices.begin()];
    }
    return out;
}

std::vector<double> CellMatrix::rowSums() const
{
    std::vector<double> out(static_cast<std::size_t>(m_rows), 0.0);
    for (std::int64_t r = 0; r < m_rows; ++r) {
        double s = 0.0;
        for (std::int64_t k = m_indptr[r]; k < m_indptr[r + 1]; ++k)
            s += m_values[k];
        out[r] = s;
    }
    return out;
}

CellMatrix CellMatrix::withValues(LargeVector<float> values) const
{
    if (values.size() != m_values.size())
        throw Error("matrix: new values do not match the number of stored entries");
    CellMatrix m;
    m.m_rows = m_rows;
    m.m_cols = m_cols;
    m.m_indptr = m_indptr;
    m.m_indices = m_indices;
    m.m_values = std::move(values);
    return m;
}

CellMatrix CellMatrix::withValues(std::span<const float> values) const
{
    return withValues(LargeVector<float>(values.begin(), values.end()));
}

std::int64_t CellMatrix::memoryBytes() const
{
    return static_cast<std::int64_t>(m_indptr.size() * sizeof(std::int64_t) + m_indices.size() * sizeof(std::int32_t)
        + m_values.size() * sizeof(float));
}

}   // namespace nym
