#include "core/io/isolation_p.h"
#include "core/io/isolatedjob.h"

#include "core/common/companiondirs.h"
#include "core/common/error.h"
#include "core/io/h5_p.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <fcntl.h>
#include <filesystem>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

namespace nym::io {

namespace {

// The descriptor on which the job's process writes its error message.
constexpr int kMessageFd = 3;

// Exit statuses of a job's process (isolatedJobMain and the fork fallback).
enum JobStatus { kDone = 0, kUsage = 2, kJobError = 3, kOtherError = 4 };

// Runs the job and reports: the message goes to `fd`, the status is returned.
int performAndReport(const std::vector<std::string> &job, int fd)
{
    int code = kDone;
    std::string message;
    try {
        performIsolatedJob(job);
    } catch (const Error &e) {
        code = kJobError;
        message = e.what();
    } catch (const BadJob &e) {
        code = kUsage;
        message = e.what();
    } catch (const std::exception &e) {
        code = kOtherError;
        message = e.what();
    }
    std::size_t off = 0;
    while (off < message.size()) {
        const ssize_t n = write(fd, message.data() + off, message.size() - off);
        if (n <= 0)
            break;
        off += static_cast<std::size_t>(n);
    }
    return code;
}

bool isExecutable(const std::filesystem::path &p)
{
    std::error_code ec;
    return std::filesystem::is_regular_file(p, ec) && access(p.c_str(), X_OK) == 0;
}

std::string findHelper()
{
    namespace fs = std::filesystem;
    std::vector<fs::path> candidates;
    for (const auto &dir : companionDirs())
        candidates.push_back(dir / "nym-isolate");
#ifdef NYM_ISOLATE_BUILD_PATH
    candidates.emplace_back(NYM_ISOLATE_BUILD_PATH);
#endif
    std::error_code ec;
    for (const auto &c : candidates)
        if (isExecutable(c))
            return fs::weakly_canonical(c, ec).string();
    return {};
}

// Starts the job's process; its message end is `writeFd`. Returns its pid.
pid_t startHelper(const std::string &helper, const std::string &path, const std::vector<std::string> &job,
    int writeFd)
{
    std::vector<std::string> args {helper};
    args.insert(args.end(), job.begin(), job.end());
    std::vector<char *> argv;
    for (auto &a : args)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, writeFd, kMessageFd);
    pid_t pid = 0;
    const int rc = posix_spawn(&pid, helper.c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0)
        throw Error(path + ": cannot check the file (cannot start " + helper + ": " + std::strerror(rc) + ")");
    return pid;
}

// The fallback: a forked child performs the job.
pid_t startFork(const std::string &path, const std::vector<std::string> &job, int readFd, int writeFd)
{
    const pid_t pid = fork();
    if (pid < 0)
        throw Error(path + ": cannot check the file (fork failed: " + std::strerror(errno) + ")");
    if (pid == 0) {
        // Child: no stdio buffers are flushed and no destructors run on the way out (_exit).
        close(readFd);
        // A crash ends the child quietly: not through the parent's crash handlers (a test framework's stack dump).
        for (const int sig : {SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL})
            std::signal(sig, SIG_DFL);
        h5::resetLibraryMutexAfterFork();
        _exit(performAndReport(job, writeFd));
    }
    return pid;
}

}   // namespace

std::string isolationHelper()
{
    if (const char *env = std::getenv("NYM_ISOLATE_HELPER"); env && *env)
        return std::string(env) == "fork" ? std::string() : std::string(env);
    static const std::string found = findHelper();
    return found;
}

int isolationTimeout(const std::string &path, int baseSeconds, std::uint64_t bytesPerSecond)
{
    std::error_code ec;
    const auto bytes = std::filesystem::file_size(path, ec);
    return baseSeconds + static_cast<int>((ec ? 0 : bytes) / std::max<std::uint64_t>(bytesPerSecond, 1));
}

void runIsolated(const std::string &path, const std::vector<std::string> &job, int timeoutSeconds)
{
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0)
        throw Error(path + ": cannot check the file (no pipe: " + std::strerror(errno) + ")");
    // Keep the write end off the message descriptor's number, so the helper's dup2 really makes a fresh copy
    // without close-on-exec.
    if (fds[1] <= kMessageFd) {
        const int moved = fcntl(fds[1], F_DUPFD_CLOEXEC, 10);
        if (moved >= 0) {
            close(fds[1]);
            fds[1] = moved;
        }
    }
    pid_t pid = -1;
    const std::string helper = isolationHelper();
    try {
        pid = helper.empty() ? startFork(path, job, fds[0], fds[1]) : startHelper(helper, path, job, fds[1]);
    } catch (...) {
        close(fds[0]);
        close(fds[1]);
        throw;
    }
    close(fds[1]);
    std::string message;
    char buf[4096];
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeoutSeconds);
    bool timedOut = false;
    for (;;) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            timedOut = true;
            break;
        }
        pollfd p {fds[0], POLLIN, 0};
        const int r = poll(&p, 1, static_cast<int>(std::min<long long>(left.count(), 1000)));
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            continue;
        const ssize_t n = read(fds[0], buf, sizeof buf);
        if (n <= 0)
            break;   // the child closed its end: it has exited
        message.append(buf, static_cast<std::size_t>(n));
    }
    close(fds[0]);
    if (timedOut)
        kill(pid, SIGKILL);
    int status = 0;
    pid_t waited;
    while ((waited = waitpid(pid, &status, 0)) < 0 && errno == EINTR) { }
    if (waited != pid)
        throw Error(path
            + ": cannot check the file (the checking process could not be waited for: " + std::strerror(errno) + ")");
    if (timedOut)
        throw Error(path + ": reading the file's structure did not finish within " + std::to_string(timeoutSeconds)
            + " s; the file is probably damaged (the HDF5 library loops on it)");
    if (WIFSIGNALED(status))
        throw Error(path + ": the file is damaged: reading its structure crashed the HDF5 library (signal "
            + std::to_string(WTERMSIG(status)) + "). It cannot be opened; export it again from the tool that "
            + "wrote it");
    const int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    if (code == kDone)
        return;
    if (code == kJobError)
        throw Error(message);
    if (code == kOtherError)
        throw Error(path + ": unexpected error while checking the file: " + message);
    if (code == kUsage)
        throw Error(path + ": cannot check the file (the helper " + (helper.empty() ? "process" : helper)
            + " does not understand the request: " + message + "; is it from another version of Nym Studio?)");
    // Any other status is not ours: the library, or a memory checker watching it (AddressSanitizer exits 1 after
    // its report), ended the process part-way.
    throw Error(path + ": the file is damaged: reading its structure crashed the HDF5 library (it ended the process, "
        + "exit status " + std::to_string(code) + "). It cannot be opened; export it again from the tool that wrote it");
}

void performIsolatedJob(const std::vector<std::string> &job)
{
    if (job.empty())
        throw BadJob("no job");
    const std::vector<std::string> args(job.begin() + 1, job.end());
    std::lock_guard lock(h5::libraryMutex());
    if (job[0] == "structure")
        isolatedStructureJob(args);
    else if (job[0] == "copy")
        isolatedCopyJob(args);
    else
        throw BadJob("unknown job '" + job[0] + "'");
}

int isolatedJobMain(int argc, char **argv)
{
    if (fcntl(kMessageFd, F_GETFD) < 0) {
        std::fprintf(stderr, "nym-isolate: runs one file job for Nym Studio's reader; not meant to be run by hand\n");
        return kUsage;
    }
    const std::vector<std::string> job(argv + std::min(argc, 1), argv + argc);
    return performAndReport(job, kMessageFd);
}

}   // namespace nym::io
