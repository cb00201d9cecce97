#include "core/io/isolation_p.h"

#include "core/common/error.h"
#include "core/io/h5_p.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <exception>
#include <fcntl.h>
#include <filesystem>
#include <poll.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace nym::io {

int isolationTimeout(const std::string &path, int baseSeconds, std::uint64_t bytesPerSecond)
{
    std::error_code ec;
    const auto bytes = std::filesystem::file_size(path, ec);
    return baseSeconds + static_cast<int>((ec ? 0 : bytes) / std::max<std::uint64_t>(bytesPerSecond, 1));
}

void runIsolated(const std::string &path, const std::function<void()> &work, int timeoutSeconds)
{
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0)
        throw Error(path + ": cannot check the file (no pipe: " + std::strerror(errno) + ")");
    const pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        throw Error(path + ": cannot check the file (fork failed: " + std::strerror(errno) + ")");
    }
    if (pid == 0) {
        // Child: no stdio buffers are flushed and no destructors run on the way out (_exit).
        close(fds[0]);
        h5::resetLibraryMutexAfterFork();
        int code = 0;
        std::string message;
        try {
            work();
        } catch (const Error &e) {
            code = 3;
            message = e.what();
        } catch (const std::exception &e) {
            code = 4;
            message = e.what();
        }
        std::size_t off = 0;
        while (off < message.size()) {
            const ssize_t n = write(fds[1], message.data() + off, message.size() - off);
            if (n <= 0)
                break;
            off += static_cast<std::size_t>(n);
        }
        _exit(code);
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
    if (code == 0)
        return;
    if (code == 3)
        throw Error(message);
    if (code == 4)
        throw Error(path + ": unexpected error while checking the file: " + message);
    // Any other status is not ours (the child exits only with 0, 3 or 4): the library, or a memory checker watching
    // it (AddressSanitizer exits 1 after its report), ended the process part-way.
    throw Error(path + ": the file is damaged: reading its structure crashed the HDF5 library (it ended the process, "
        + "exit status " + std::to_string(code) + "). It cannot be opened; export it again from the tool that wrote it");
}

}   // namespace nym::io
