#pragma once

#include <cstdint>
#include <vector>

namespace nym {

// Principal components of a dense matrix (rows × cols, row-major): the scores of the first `components` axes,
// centred, rows × components, with each axis's share of the total variance. Plain value type.
struct PcaResult
{
    int components = 0;
    std::vector<float> scores;
    std::vector<double> varianceShare;
};

// Exact PCA through the cols × cols covariance (cheap for embeddings: 256 columns). The sign of each axis is
// fixed so that its largest loading is positive, which makes the result reproducible. `components` is capped at
// cols. Any thread.
PcaResult principalComponents(const float *data, std::int64_t rows, std::int64_t cols, int components, int threads = 1);

}   // namespace nym
