#pragma once
// Private to core/io: reading a cells × genes matrix out of HDF5 arrays, validated as untrusted input.

#include "core/data/cellmatrix.h"
#include "core/io/h5_p.h"

#include <cstdint>
#include <string>
#include <vector>

namespace nym::io {

struct MatrixNames
{
    const std::vector<std::string> *cells = nullptr;   // for messages
    const std::vector<std::string> *genes = nullptr;
};

// Compressed arrays data/indices/indptr in `group`, read as CSR with `rows` rows and `cols` columns.
// `colMap`, when not empty, maps each stored column to its new index (or -1 to drop it) and `cols` is then
// the number of stored columns; the result has `keptCols` columns.
CellMatrix readCompressedRows(const h5::Node &group, std::int64_t rows, std::int64_t cols, const MatrixNames &names,
    const std::vector<std::int32_t> &colMap = {}, std::int64_t keptCols = -1);
// The same arrays stored by column (CSC of rows × cols), transposed into CSR while streaming.
CellMatrix readCompressedColumns(const h5::Node &group, std::int64_t rows, std::int64_t cols, const MatrixNames &names);
// Parses a matrix element's structure without reading its values: the arrays' headers, types, shapes, storage
// layout and chunk index. Used by the isolated structure check, so that a damaged header crashes a child process.
void checkMatrixStructure(const h5::Node &matrix);
// A dense 2-D dataset, sparsified block by block.
CellMatrix readDense(const h5::Node &dataset, std::int64_t rows, std::int64_t cols, const MatrixNames &names);

}   // namespace nym::io
