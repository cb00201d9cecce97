#include "core/io/matrixread_p.h"

#include "core/common/error.h"
#include "core/common/largevector.h"
#include "core/io/bulkreader_p.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace nym::io {

namespace {

// Sizes an array about to be filled completely (no zero-fill: the filling threads take the page faults).
template<class T> void resizeFor(LargeVector<T> &v, std::size_t n)
{
    v.resize(n);
}

constexpr std::uint64_t kChunk = std::uint64_t(1) << 22;   // entries per streamed read

std::string nameOf(const std::vector<std::string> *names, std::int64_t i)
{
    if (names && i >= 0 && i < static_cast<std::int64_t>(names->size()))
        return "'" + (*names)[static_cast<std::size_t>(i)] + "'";
    return "#" + std::to_string(i);
}

// Reads and checks the pointer array: length outer + 1, starts at 0, never decreases, ends at nnz.
LargeVector<std::int64_t> readPointers(const h5::Node &group, std::int64_t outer, std::uint64_t nnz, const char *unit)
{
    const h5::Node ptrNode = group.open("indptr");
    const auto len = ptrNode.length();
    if (len != static_cast<std::uint64_t>(outer) + 1)
        ptrNode.fail("has " + std::to_string(len) + " entries but the shape has " + std::to_string(outer) + " " + unit
            + "s (expected " + std::to_string(outer + 1) + ")");
    const auto raw = ptrNode.readInt64();
    LargeVector<std::int64_t> ptr(raw.begin(), raw.end());
    if (ptr.front() != 0)
        ptrNode.fail("must start at 0 but starts at " + std::to_string(ptr.front()));
    for (std::int64_t i = 0; i < outer; ++i)
        if (ptr[i + 1] < ptr[i])
            ptrNode.fail("decreases at " + std::string(unit) + " " + std::to_string(i) + " (" + std::to_string(ptr[i])
                + " then " + std::to_string(ptr[i + 1]) + ")");
    if (static_cast<std::uint64_t>(ptr.back()) != nnz)
        ptrNode.fail("ends at " + std::to_string(ptr.back()) + " but data holds " + std::to_string(nnz) + " values");
    return ptr;
}

struct Arrays
{
    h5::Node data, indices;
    std::uint64_t nnz = 0;
};

Arrays openArrays(const h5::Node &group)
{
    if (!group.isGroup())
        group.fail("expected a sparse matrix group");
    Arrays a {group.open("data"), group.open("indices"), 0};
    a.nnz = a.data.length();
    const auto ni = a.indices.length();
    if (ni != a.nnz)
        a.indices.fail("has " + std::to_string(ni) + " entries but data has " + std::to_string(a.nnz));
    if (!a.data.isNumeric())
        a.data.fail("expected numbers but found " + a.data.describeType() + " data");
    if (!a.indices.isInteger())
        a.indices.fail("expected integers but found " + a.indices.describeType() + " data");
    const auto limit = h5::maxReadBytes();
    if (a.nnz > limit / 8)
        group.fail("holds " + std::to_string(a.nnz) + " values, more than this machine's memory can hold");
    return a;
}

void failValue(const h5::Node &data, float v, std::int64_t row, std::int64_t col, const MatrixNames &names)
{
    data.fail(std::string(std::isnan(v) ? "holds NaN" : "holds an infinite value") + " for cell "
        + nameOf(names.cells, row) + " and gene " + nameOf(names.genes, col)
        + "; expression values must be finite numbers");
}

// Sorts each row's (index, value) pairs and merges duplicates by summing them, in place.
void canonicalise(LargeVector<std::int64_t> &ptr, LargeVector<std::int32_t> &idx, LargeVector<float> &val)
{
    const std::int64_t rows = static_cast<std::int64_t>(ptr.size()) - 1;
    std::vector<std::pair<std::int32_t, float>> tmp;
    std::int64_t out = 0;
    for (std::int64_t r = 0; r < rows; ++r) {
        const auto b = ptr[r], e = ptr[r + 1];
        tmp.clear();
        for (auto k = b; k < e; ++k)
            tmp.emplace_back(idx[k], val[k]);
        std::sort(tmp.begin(), tmp.end(), [](const auto &x, const auto &y) { return x.first < y.first; });
        ptr[r] = out;
        for (std::size_t i = 0; i < tmp.size(); ++i) {
            if (i > 0 && tmp[i].first == tmp[i - 1].first) {
                val[out - 1] += tmp[i].second;
                continue;
            }
            idx[out] = tmp[i].first;
            val[out] = tmp[i].second;
            ++out;
        }
    }
    ptr[rows] = out;
    idx.resize(static_cast<std::size_t>(out));
    val.resize(static_cast<std::size_t>(out));
    idx.shrink_to_fit();
    val.shrink_to_fit();
}

// One pass over the rows: every index in range, every value finite (errors name the cell and gene); rows whose
// indices are not strictly increasing are then sorted and their duplicates summed. Afterwards the arrays satisfy
// every rule of CellMatrix's checking constructor, which is therefore skipped.
CellMatrix checkedMatrix(const h5::Node &indices, const h5::Node &data, std::int64_t rows, std::int64_t cols,
    LargeVector<std::int64_t> ptr, LargeVector<std::int32_t> idx, LargeVector<float> val, const MatrixNames &names,
    const char *unit)
{
    bool sorted = true;
    const auto ucols = static_cast<std::uint32_t>(cols);
    for (std::int64_t r = 0; r < rows; ++r) {
        std::int32_t prev = -1;
        bool bad = false;
        for (auto k = ptr[r]; k < ptr[r + 1]; ++k) {
            const std::int32_t c = idx[k];
            bad |= static_cast<std::uint32_t>(c) >= ucols;
            bad |= !std::isfinite(val[k]);
            sorted &= c > prev;
            prev = c;
        }
        if (!bad)
            continue;
        for (auto k = ptr[r]; k < ptr[r + 1]; ++k) {
            if (static_cast<std::uint32_t>(idx[k]) >= ucols)
                indices.fail(std::string(unit) + " index " + std::to_string(idx[k])
                    + " is out of range (the matrix has " + std::to_string(cols) + " " + unit + "s) for cell "
                    + nameOf(names.cells, r));
            if (!std::isfinite(val[k]))
                failValue(data, val[k], r, idx[k], names);
        }
    }
    if (!sorted) {
        canonicalise(ptr, idx, val);
        // Summed duplicates can overflow to infinity.
        for (std::int64_t r = 0; r < rows; ++r)
            for (auto k = ptr[r]; k < ptr[r + 1]; ++k)
                if (!std::isfinite(val[k]))
                    data.fail("repeated entries for cell " + nameOf(names.cells, r) + " add up to more than a float "
                        + "can hold");
    }
    return CellMatrix(CellMatrix::Prevalidated {}, rows, cols, std::move(ptr), std::move(idx), std::move(val));
}

}   // namespace

CellMatrix readCompressedRows(const h5::Node &group, std::int64_t rows, std::int64_t cols, const MatrixNames &names,
    const std::vector<std::int32_t> &colMap, std::int64_t keptCols)
{
    Arrays a = openArrays(group);
    auto ptr = readPointers(group, rows, a.nnz, "row");
    const bool mapping = !colMap.empty();
    const std::int64_t outCols = mapping ? keptCols : cols;

    LargeVector<std::int32_t> idx;
    LargeVector<float> val;
    if (!mapping) {
        resizeFor(idx, a.nnz);
        resizeFor(val, a.nnz);
        BulkReader(a.indices).read(0, a.nnz, idx.data());
        BulkReader(a.data).read(0, a.nnz, val.data());
    } else {
        // Two streamed passes: count the kept entries per row, then copy them.
        std::vector<std::int32_t> buf;
        std::vector<float> vbuf;
        LargeVector<std::int64_t> newPtr(ptr.size(), 0);
        const BulkReader indices(a.indices), data(a.data);
        for (int pass = 0; pass < 2; ++pass) {
            std::int64_t r = 0;
            std::int64_t out = 0;
            for (std::uint64_t off = 0; off < a.nnz; off += kChunk) {
                const auto n = std::min(kChunk, a.nnz - off);
                buf.resize(n);
                indices.read(off, n, buf.data());
                if (pass == 1) {
                    vbuf.resize(n);
                    data.read(off, n, vbuf.data());
                }
                for (std::uint64_t j = 0; j < n; ++j) {
                    const auto k = static_cast<std::int64_t>(off + j);
                    while (k >= ptr[r + 1])
                        ++r;
                    const auto c = buf[j];
                    if (c < 0 || c >= cols)
                        a.indices.fail("feature index " + std::to_string(c) + " is out of range (the matrix has "
                            + std::to_string(cols) + " features) for cell " + nameOf(names.cells, r));
                    const auto m = colMap[static_cast<std::size_t>(c)];
                    if (m < 0)
                        continue;
                    if (pass == 0) {
                        ++newPtr[r + 1];
                    } else {
                        if (!std::isfinite(vbuf[j]))
                            failValue(a.data, vbuf[j], r, m, names);
                        // The second pass re-reads the file: never trust it to match the first.
                        if (out >= static_cast<std::int64_t>(idx.size()))
                            a.indices.fail("changed while it was being read");
                        idx[out] = m;
                        val[out] = vbuf[j];
                        ++out;
                    }
                }
            }
            if (pass == 0) {
                std::partial_sum(newPtr.begin(), newPtr.end(), newPtr.begin());
                resizeFor(idx, static_cast<std::size_t>(newPtr.back()));
                resizeFor(val, static_cast<std::size_t>(newPtr.back()));
            }
        }
        ptr = std::move(newPtr);
    }
    return checkedMatrix(a.indices, a.data, rows, outCols, std::move(ptr), std::move(idx), std::move(val), names,
        mapping ? "feature" : "gene");
}

CellMatrix readCompressedColumns(const h5::Node &group, std::int64_t rows, std::int64_t cols, const MatrixNames &names)
{
    Arrays a = openArrays(group);
    const auto colPtr = readPointers(group, cols, a.nnz, "column");
    LargeVector<std::int64_t> ptr(static_cast<std::size_t>(rows) + 1, 0);
    std::vector<std::int32_t> buf;
    std::vector<float> vbuf;
    const BulkReader indices(a.indices), data(a.data);
    // Pass 1: count entries per row.
    for (std::uint64_t off = 0; off < a.nnz; off += kChunk) {
        const auto n = std::min(kChunk, a.nnz - off);
        buf.resize(n);
        indices.read(off, n, buf.data());
        std::int64_t c =
            std::upper_bound(colPtr.begin(), colPtr.end(), static_cast<std::int64_t>(off)) - colPtr.begin() - 1;
        for (std::uint64_t j = 0; j < n; ++j) {
            while (static_cast<std::int64_t>(off + j) >= colPtr[c + 1])
                ++c;
            if (buf[j] < 0 || buf[j] >= rows)
                a.indices.fail("cell index " + std::to_string(buf[j]) + " is out of range (the matrix has "
                    + std::to_string(rows) + " cells) for gene " + nameOf(names.genes, c));
            ++ptr[buf[j] + 1];
        }
    }
    std::partial_sum(ptr.begin(), ptr.end(), ptr.begin());
    LargeVector<std::int32_t> idx;
    LargeVector<float> val;
    resizeFor(idx, a.nnz);
    resizeFor(val, a.nnz);
    std::vector<std::int64_t> fill(ptr.begin(), ptr.end() - 1);
    // Pass 2: scatter; columns arrive in order, so each row's gene indices come out sorted.
    for (std::uint64_t off = 0; off < a.nnz; off += kChunk) {
        const auto n = std::min(kChunk, a.nnz - off);
        buf.resize(n);
        vbuf.resize(n);
        indices.read(off, n, buf.data());
        data.read(off, n, vbuf.data());
        std::int64_t c =
            std::upper_bound(colPtr.begin(), colPtr.end(), static_cast<std::int64_t>(off)) - colPtr.begin() - 1;
        for (std::uint64_t j = 0; j < n; ++j) {
            while (static_cast<std::int64_t>(off + j) >= colPtr[c + 1])
                ++c;
            if (!std::isfinite(vbuf[j]))
                failValue(a.data, vbuf[j], buf[j], c, names);
            // The second pass re-reads the file: never trust it to match the first.
            if (buf[j] < 0 || buf[j] >= rows || fill[buf[j]] >= ptr[buf[j] + 1])
                a.indices.fail("changed while it was being read");
            const auto at = fill[buf[j]]++;
            idx[at] = static_cast<std::int32_t>(c);
            val[at] = vbuf[j];
        }
    }
    return checkedMatrix(a.indices, a.data, rows, cols, std::move(ptr), std::move(idx), std::move(val), names, "gene");
}

void checkMatrixStructure(const h5::Node &matrix)
{
    if (matrix.isDataset()) {
        matrix.shape();
        matrix.describeType();
        return;
    }
    for (const char *name : {"data", "indices", "indptr"}) {
        if (!matrix.has(name))
            continue;
        const h5::Node array = matrix.open(name);
        array.shape();
        array.describeType();
        const BulkReader layout(array);   // walks the storage layout and chunk index
        (void)layout.fast();
    }
}

CellMatrix readDense(const h5::Node &dataset, std::int64_t rows, std::int64_t cols, const MatrixNames &names)
{
    if (cols == 0 || rows == 0)
        return CellMatrix(rows, cols);
    const std::int64_t block = std::max<std::int64_t>(1, static_cast<std::int64_t>(kChunk) / cols);
    std::vector<float> buf;
    LargeVector<std::int64_t> ptr(static_cast<std::size_t>(rows) + 1, 0);
    LargeVector<std::int32_t> idx;
    LargeVector<float> val;
    for (int pass = 0; pass < 2; ++pass) {
        std::int64_t out = 0;
        for (std::int64_t r0 = 0; r0 < rows; r0 += block) {
            const auto n = std::min(block, rows - r0);
            buf.resize(static_cast<std::size_t>(n * cols));
            dataset.readRows(static_cast<std::uint64_t>(r0), static_cast<std::uint64_t>(n), buf.data());
            for (std::int64_t i = 0; i < n; ++i)
                for (std::int64_t c = 0; c < cols; ++c) {
                    const float v = buf[static_cast<std::size_t>(i * cols + c)];
                    if (v == 0.0f)
                        continue;
                    if (!std::isfinite(v))
                        failValue(dataset, v, r0 + i, c, names);
                    if (pass == 0) {
                        ++ptr[r0 + i + 1];
                    } else {
                        idx[out] = static_cast<std::int32_t>(c);
                        val[out] = v;
                        ++out;
                    }
                }
        }
        if (pass == 0) {
            std::partial_sum(ptr.begin(), ptr.end(), ptr.begin());
            resizeFor(idx, static_cast<std::size_t>(ptr.back()));
            resizeFor(val, static_cast<std::size_t>(ptr.back()));
        }
    }
    return CellMatrix(CellMatrix::Prevalidated {}, rows, cols, std::move(ptr), std::move(idx), std::move(val));
}

}   // namespace nym::io
