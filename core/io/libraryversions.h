#pragma once

#include <string>

namespace nym {

// Version of the HDF5 library in use ("1.10.8"), for --version and About dialogs.
std::string hdf5Version();

}   // namespace nym
