#pragma once

#include "core/model/model.h"

#include <string>

namespace nym {

// Writes a model to one HDF5 file (format in modelfile.cpp): weights, genes, classes, normalisation, options,
// metrics and calibration temperature, with a format version. Written to a temporary file and renamed; an existing
// file is an error unless `overwrite`. Any thread.
void saveModel(const Model &model, const std::string &path, bool overwrite = false);

// Reads a model file; throws nym::Error naming the file and the problem (not a model file, a newer format,
// missing or inconsistent parts).
Model loadModel(const std::string &path);

}   // namespace nym
