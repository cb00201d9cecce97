#pragma once

#include <string>

namespace nym {

// Version of the HDF5 library in use ("1.10.8"), for --version and About dialogs.
std::string hdf5Version();
// Version of LibTorch ("2.0.1"); defined in core/nn/predictor.cpp, where torch is visible.
std::string torchVersion();

}   // namespace nym
