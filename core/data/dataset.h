#pragma once

#include "core/data/cellmatrix.h"
#include "core/data/obscolumn.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace nym {

// A dense per-cell array such as an embedding (obsm["X_umap"]): rows × cols, row-major float32.
struct DenseArray
{
    std::string name;
    std::int64_t rows = 0;
    std::int64_t cols = 0;
    std::vector<float> values;
};

// Where a dataset came from, for messages, provenance and writing back.
struct DatasetSource
{
    std::string path;                      // file it was read from ("" for simulated data)
    std::string format;                    // "h5ad" or "10x-h5" (or "simulated")
    std::string generation;                // e.g. "anndata >= 0.8", "anndata 0.7", "anndata < 0.7", "Cell Ranger >= 3"
    std::string matrixElement;             // e.g. "X", "layers/counts", "raw/X", "matrix"
    std::vector<std::string> matrices;     // every matrix the file offers ("X", "layers/counts", "raw/X")
    std::vector<std::string> varColumns;   // per-gene text columns that could name genes
    // Labelled cells a person reviewed in a target file (reviewedCellsAsTraining): that file's display name. Such
    // a training file keeps the target's domain for the adversary (the cells are target cells with labels).
    std::string reviewedFrom;
};

// One loaded dataset: the expression matrix with its cell and gene names and the per-cell annotations.
// Built by a reader or the simulator, then immutable: share it as std::shared_ptr<const Dataset> between
// threads freely.
struct Dataset
{
    CellMatrix matrix;                    // cells × genes
    std::vector<std::string> cellIds;     // obs index
    std::vector<std::string> geneIds;     // var index (Ensembl ids in CELLxGENE and 10x files)
    std::vector<std::string> geneNames;   // names used to align genes (symbols where the file has them)
    std::string geneNameSource;           // where geneNames came from ("var index", "var/feature_name", ...)
    std::vector<ObsColumn> obs;           // per-cell columns, in file order
    std::vector<DenseArray> obsm;         // per-cell arrays (embeddings)
    DatasetSource source;
    std::vector<std::string> notes;   // things the reader skipped or converted, as sentences

    std::int64_t cells() const { return matrix.rows(); }
    std::int64_t genes() const { return matrix.cols(); }
    const ObsColumn *findObs(const std::string &name) const;
    const DenseArray *findObsm(const std::string &name) const;
    // Checks that names, columns and arrays agree with the matrix shape; throws nym::Error otherwise.
    void validate() const;
};

using DatasetPtr = std::shared_ptr<const Dataset>;

}   // namespace nym
