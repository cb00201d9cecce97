#pragma once
// Where a program's private companions live: the engine module (libnym_engine.so) and the file-check helper
// (nym-isolate). One place knows the install layout (packaging/install.cmake).

#include <filesystem>
#include <vector>

namespace nym {

// The folders to look in, in order: beside the running executable (the build tree), then <bin>/../NYM_ENGINE_DIR
// (installed: /usr/lib/<multiarch>/nym). Empty when the executable's path cannot be read.
std::vector<std::filesystem::path> companionDirs();

}   // namespace nym
