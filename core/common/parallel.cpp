#include "core/common/parallel.h"

#include <algorithm>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace nym {

void runOnThreads(int count, const std::function<void(int)> &work)
{
    std::exception_ptr error;
    std::mutex errorMutex;
    auto guarded = [&](int thread) {
        try {
            work(thread);
        } catch (...) {
            std::lock_guard lock(errorMutex);
            if (!error)
                error = std::current_exception();
        }
    };
    std::vector<std::thread> pool;
    for (int t = 1; t < count; ++t) {
        try {
            pool.emplace_back(guarded, t);
        } catch (...) {
            // Could not start another thread: run its share on this one after our own.
            for (int rest = t; rest < count; ++rest)
                guarded(rest);
            break;
        }
    }
    guarded(0);
    for (auto &t : pool)
        t.join();
    if (error)
        std::rethrow_exception(error);
}

void parallelFor(int threads, std::int64_t n, const std::function<void(std::int64_t, std::int64_t)> &body)
{
    if (n <= 0)
        return;
    const int count = static_cast<int>(std::clamp<std::int64_t>(threads, 1, n));
    if (count == 1) {
        body(0, n);
        return;
    }
    runOnThreads(count, [&](int t) {
        const std::int64_t begin = n * t / count;
        const std::int64_t end = n * (t + 1) / count;
        if (begin < end)
            body(begin, end);
    });
}

int defaultThreadCount(int cap)
{
    const unsigned hw = std::thread::hardware_concurrency();
    return static_cast<int>(std::clamp(hw == 0 ? 2u : hw, 1u, static_cast<unsigned>(std::max(cap, 1))));
}

}   // namespace nym
