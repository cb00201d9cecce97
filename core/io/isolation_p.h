#pragma once
// Private to core/io: runs a piece of file parsing in a separate process, so that a damaged file which crashes
// the HDF5 library (Debian's libhdf5 1.10 has such bugs; our fuzzing found one in its global heap) or makes it
// loop becomes an error message instead of taking the application down.
//
// The work is a job named by strings (a kind and its arguments, see isolatedjob.cpp), run by the helper program
// nym-isolate in a fresh process (posix_spawn: no copy of this process's threads, locks or HDF5 state). Where the
// helper cannot be found, the job runs in a forked child of this process instead (the previous mechanism; safe
// with glibc's malloc, whose locks are fork-aware, but not under every memory checker).

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace nym::io {

// Runs `job` (kind first, then its arguments) in another process; returns when it succeeded. Throws nym::Error
// with the job's own message when it reports one, and a message naming `path` as damaged when the process crashes
// or exceeds `timeoutSeconds`. Call with the HDF5 library mutex held (the fork fallback needs a consistent
// library state).
void runIsolated(const std::string &path, const std::vector<std::string> &job, int timeoutSeconds = 120);

// A time limit for work on `path` that grows with the file: baseSeconds + 1 s per `bytesPerSecond` of file.
int isolationTimeout(const std::string &path, int baseSeconds, std::uint64_t bytesPerSecond);

// A job whose kind or arguments this build does not know (a helper from another version).
struct BadJob : std::runtime_error
{
    using std::runtime_error::runtime_error;
};

// Performs a job in this process (the helper's side; also the fork fallback's). Throws nym::Error, or BadJob.
void performIsolatedJob(const std::vector<std::string> &job);

// The helper program runIsolated starts, or an empty string when none is found (then it forks):
// $NYM_ISOLATE_HELPER when set (read each time; "fork" forces the fallback), otherwise the first of
// companionDirs()' nym-isolate (beside the program, then installed) and the build tree's (looked up once).
std::string isolationHelper();

// The jobs (defined beside the code they run).
void isolatedStructureJob(const std::vector<std::string> &args);   // datasetreader.cpp
void isolatedCopyJob(const std::vector<std::string> &args);        // h5adwriter.cpp

}   // namespace nym::io
