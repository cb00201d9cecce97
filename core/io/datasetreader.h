#pragma once

#include "core/data/dataset.h"
#include "core/io/h5adreader.h"
#include "core/io/tenxreader.h"

#include <string>

namespace nym {

enum class FileFormat { H5ad, Tenx };

struct DatasetReadOptions
{
    H5adReadOptions h5ad;   // used for .h5ad files
    TenxReadOptions tenx;   // used for 10x .h5 files
};

// Decides from the file's contents (not its name) whether it is an AnnData or a 10x file; throws nym::Error
// for missing files, folders, non-HDF5 files and HDF5 files of neither kind.
FileFormat detectFileFormat(const std::string &path);

// Reads an .h5ad or 10x .h5 file, whichever it is. Any thread.
Dataset readDataset(const std::string &path, const DatasetReadOptions &options = {});

}   // namespace nym
