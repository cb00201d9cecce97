#pragma once

#include "core/data/dataset.h"

#include <string>
#include <utility>
#include <vector>

namespace nym {

struct H5adWriteOptions
{
    // Replace the output file when it already exists. Default false: an existing file is an error.
    bool overwrite = false;
    // Allow the output to be the input file itself (it is still written to a temporary file first and
    // renamed over the input only when complete). Default false: writing over the input is an error.
    bool allowInputOverwrite = false;
    // gzip level for arrays we write (0 = uncompressed, 9 = smallest/slowest). Default 4.
    int compressionLevel = 4;
};

// What to add to (or replace in) a file.
struct H5adAdditions
{
    std::vector<ObsColumn> obs;     // obs columns, added or replacing same-named ones
    std::vector<DenseArray> obsm;   // obsm arrays ("X_nym"), added or replacing
    // Scalars written as strings in uns/<unsGroup>/ (the group is replaced as a whole); with an empty
    // unsGroup they go straight into uns/.
    std::string unsGroup = "nym";
    std::vector<std::pair<std::string, std::string>> uns;
    // String arrays written straight into uns/ (replacing same-named ones): "nym_label_colors" and the like.
    std::vector<std::pair<std::string, std::vector<std::string>>> unsLists;
};

// Writes a new .h5ad (anndata >= 0.8 layout, FORMATS.md "Writing") holding the dataset: X as CSR, obs and var
// dataframes, obsm, and the additions. Written to a temporary file in the same folder, then renamed.
void writeH5ad(const Dataset &dataset, const std::string &path, const H5adAdditions &additions = {},
    const H5adWriteOptions &options = {});

// Writes a copy of the .h5ad `input` to `output` with the additions, copying through every element it does not
// touch (X, layers, raw, obsp, varm, uns subtrees...) unchanged. Inputs written by anndata < 0.7 (compound
// tables) are converted to the modern layout instead, carrying X, obs, var names and obsm. The input is never
// modified unless options.allowInputOverwrite is set and output names it. Any thread.
void writeAnnotatedCopy(const std::string &input, const std::string &output, const H5adAdditions &additions,
    const H5adWriteOptions &options = {});

}   // namespace nym
