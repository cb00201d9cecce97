#include "core/embed/pca.h"

#include "core/common/parallel.h"

#include <Eigen/Core>
#include <Eigen/Eigenvalues>

#include <algorithm>

namespace nym {

PcaResult principalComponents(const float *data, std::int64_t rows, std::int64_t cols, int components, int threads)
{
    using Matrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    const Eigen::Map<const Matrix> x(data, rows, cols);
    PcaResult result;
    result.components = static_cast<int>(std::clamp<std::int64_t>(components, 1, cols));
    // Column means and the covariance, accumulated in double per block so the sum does not depend on rows.
    const Eigen::VectorXd mean = x.cast<double>().colwise().mean().transpose();
    Eigen::MatrixXd covariance = Eigen::MatrixXd::Zero(cols, cols);
    constexpr std::int64_t kBlock = 4096;
    const std::int64_t blocks = (rows + kBlock - 1) / kBlock;
    std::vector<Eigen::MatrixXd> partial(static_cast<std::size_t>(blocks));
    parallelFor(threads, blocks, [&](std::int64_t first, std::int64_t last) {
        for (std::int64_t b = first; b < last; ++b) {
            const std::int64_t begin = b * kBlock, count = std::min(kBlock, rows - begin);
            const Eigen::MatrixXd centred = x.middleRows(begin, count).cast<double>().rowwise() - mean.transpose();
            partial[static_cast<std::size_t>(b)] = centred.transpose() * centred;
        }
    });
    for (const auto &p : partial)
        covariance += p;   // fixed order: the same sum for any thread count
    covariance /= std::max<double>(1.0, static_cast<double>(rows - 1));
    const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eigen(covariance);
    const double total = std::max(eigen.eigenvalues().sum(), 1e-300);
    Eigen::MatrixXf axes(cols, result.components);
    for (int c = 0; c < result.components; ++c) {
        const Eigen::Index from = cols - 1 - c;   // eigenvalues come in increasing order
        Eigen::VectorXd axis = eigen.eigenvectors().col(from);
        Eigen::Index largest = 0;
        axis.cwiseAbs().maxCoeff(&largest);
        if (axis[largest] < 0)
            axis = -axis;
        axes.col(c) = axis.cast<float>();
        result.varianceShare.push_back(std::max(0.0, eigen.eigenvalues()[from]) / total);
    }
    result.scores.resize(static_cast<std::size_t>(rows) * static_cast<std::size_t>(result.components));
    Eigen::Map<Matrix> scores(result.scores.data(), rows, result.components);
    const Eigen::RowVectorXf meanf = mean.cast<float>().transpose();
    // Projected in the same fixed blocks, not one range per thread: Eigen's product takes other kernels (and sums
    // in another order) for the rows left over at the end of a range, so per-thread ranges moved the rounding of a
    // few cells with the thread count and the layout followed.
    parallelFor(threads, blocks, [&](std::int64_t first, std::int64_t last) {
        for (std::int64_t b = first; b < last; ++b) {
            const std::int64_t begin = b * kBlock, count = std::min(kBlock, rows - begin);
            scores.middleRows(begin, count).noalias() = (x.middleRows(begin, count).rowwise() - meanf) * axes;
        }
    });
    return result;
}

}   // namespace nym
