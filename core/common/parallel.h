#pragma once

#include <cstdint>
#include <functional>

namespace nym {

// Runs `work(thread)` on `count` threads (the caller's thread is thread 0 and takes part). Exceptions inside a
// worker are caught and the first is rethrown here after every thread has been joined, so none escapes a
// std::thread. When fewer threads can be started, the ones that did start share the work (`work` must take its
// share by thread index only when that is all it needs; parallelFor below is the safe way to split a range).
void runOnThreads(int count, const std::function<void(int thread)> &work);

// Splits [0, n) into `threads` contiguous blocks of nearly equal size and runs body(begin, end) on each, one
// block per thread. The split depends only on n and threads, so per-item results are reproducible.
void parallelFor(int threads, std::int64_t n, const std::function<void(std::int64_t begin, std::int64_t end)> &body);

// Threads to use when the user did not say: the hardware's, between 1 and `cap`.
int defaultThreadCount(int cap = 8);

}   // namespace nym
