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
    // Parse the file's structure (headers, names, annotations) in a child process first, so that a damaged file
    // that would crash the HDF5 library gives an error instead. Costs a fork and the metadata read (milliseconds
    // to a fraction of a second); default true. Fuzzing turns it off to see inside.
    bool isolateParsing = true;
};

// Decides from the file's contents (not its name) whether it is an AnnData or a 10x file; throws nym::Error
// for missing files, folders, non-HDF5 files and HDF5 files of neither kind.
FileFormat detectFileFormat(const std::string &path);

// Reads an .h5ad or 10x .h5 file, whichever it is. Any thread (HDF5 calls are serialised).
Dataset readDataset(const std::string &path, const DatasetReadOptions &options = {});

}   // namespace nym
