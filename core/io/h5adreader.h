#pragma once

#include "core/data/dataset.h"

#include <optional>
#include <string>

namespace nym {

struct H5adReadOptions
{
    // Which matrix to load: "X" (default), "layers/NAME", or "raw/X" (genes then come from raw/var).
    std::string matrix = "X";
    // The var column whose values name the genes for alignment. Default: automatic — when the var index looks
    // like Ensembl ids and a symbol column exists (CELLxGENE's "feature_name", or "gene_symbols", "gene_name",
    // "gene_names", "symbol"), that column; otherwise the var index.
    std::optional<std::string> geneNameColumn;
    // Load the expression matrix. false gives names, obs and obsm only, for a quick look.
    bool loadMatrix = true;
    // Load obsm arrays (embeddings).
    bool loadObsm = true;
};

// Reads an AnnData .h5ad file of any generation (anndata < 0.7, 0.7.x, >= 0.8) into a Dataset: X dense, CSR or
// CSC (CSC is transposed while streaming, without a second full copy), every obs column encoding, var names and
// obsm arrays. The file is treated as untrusted: every array is checked before use and any problem is a
// nym::Error naming the file and the element. Safe to call from any thread (HDF5 calls are serialised).
Dataset readH5ad(const std::string &path, const H5adReadOptions &options = {});

}   // namespace nym
