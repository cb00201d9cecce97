#pragma once
// Private to core/io: runs a piece of file parsing in a child process, so that a damaged file which crashes
// the HDF5 library (Debian's libhdf5 1.10 has such bugs; our fuzzing found one in its global heap) becomes an
// error message instead of taking the application down.

#include <cstdint>
#include <functional>
#include <string>

namespace nym::io {

// Forks; the child runs `work` and reports success or the nym::Error message through a pipe. Throws nym::Error
// when the child reports an error, crashes or exceeds `timeoutSeconds`. Call with the HDF5 library mutex held
// so the child starts from a consistent library state. Returns normally when the child succeeded.
void runIsolated(const std::string &path, const std::function<void()> &work, int timeoutSeconds = 120);

// A time limit for work on `path` that grows with the file: baseSeconds + 1 s per `bytesPerSecond` of file.
int isolationTimeout(const std::string &path, int baseSeconds, std::uint64_t bytesPerSecond);

}   // namespace nym::io
