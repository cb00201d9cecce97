#include "core/embed/spectral.h"

#include "core/common/parallel.h"
#include "core/embed/fuzzygraph.h"

#include <Eigen/Core>
#include <Eigen/Eigenvalues>
#include <Spectra/SymEigsSolver.h>

#include <algorithm>
#include <cmath>

namespace nym {

namespace {

// y = (I + D^−½ W D^−½) x for Spectra.
class ShiftedAdjacency
{
public:
    using Scalar = double;
    ShiftedAdjacency(const FuzzyGraph &graph, const std::vector<double> &invSqrtDegree, int threads)
        : m_graph(graph), m_invSqrtDegree(invSqrtDegree), m_threads(threads)
    {
    }
    Eigen::Index rows() const { return m_graph.cells; }
    Eigen::Index cols() const { return m_graph.cells; }
    void perform_op(const double *x, double *y) const
    {
        parallelFor(m_threads, m_graph.cells, [&](std::int64_t begin, std::int64_t end) {
            for (std::int64_t i = begin; i < end; ++i) {
                double sum = 0;
                for (auto e = m_graph.rowStart[static_cast<std::size_t>(i)]; e < m_graph.rowStart[static_cast<std::size_t>(i) + 1]; ++e) {
                    const auto j = static_cast<std::size_t>(m_graph.column[static_cast<std::size_t>(e)]);
                    sum += m_graph.weight[static_cast<std::size_t>(e)] * m_invSqrtDegree[j] * x[j];
                }
                y[i] = x[i] + m_invSqrtDegree[static_cast<std::size_t>(i)] * sum;
            }
        });
    }

private:
    const FuzzyGraph &m_graph;
    const std::vector<double> &m_invSqrtDegree;
    int m_threads;
};

}   // namespace

std::optional<std::vector<float>> spectralLayout(const FuzzyGraph &graph, int dims, int threads)
{
    const std::int64_t n = graph.cells;
    if (n <= dims + 1 || connectedComponents(graph) != 1)
        return std::nullopt;
    std::vector<double> invSqrtDegree(static_cast<std::size_t>(n));
    for (std::int64_t i = 0; i < n; ++i) {
        double degree = 0;
        for (auto e = graph.rowStart[static_cast<std::size_t>(i)]; e < graph.rowStart[static_cast<std::size_t>(i) + 1]; ++e)
            degree += graph.weight[static_cast<std::size_t>(e)];
        if (!(degree > 0))
            return std::nullopt;
        invSqrtDegree[static_cast<std::size_t>(i)] = 1.0 / std::sqrt(degree);
    }
    Eigen::MatrixXd vectors;
    if (n <= 400) {
        // Small graphs: a dense solver is exact and instant.
        Eigen::MatrixXd m = Eigen::MatrixXd::Identity(n, n);
        for (std::int64_t i = 0; i < n; ++i)
            for (auto e = graph.rowStart[static_cast<std::size_t>(i)]; e < graph.rowStart[static_cast<std::size_t>(i) + 1]; ++e) {
                const auto j = graph.column[static_cast<std::size_t>(e)];
                m(i, j) += graph.weight[static_cast<std::size_t>(e)] * invSqrtDegree[static_cast<std::size_t>(i)] *
                    invSqrtDegree[static_cast<std::size_t>(j)];
            }
        const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eigen(m);
        if (eigen.info() != Eigen::Success)
            return std::nullopt;
        vectors.resize(n, dims);
        for (int d = 0; d < dims; ++d)
            vectors.col(d) = eigen.eigenvectors().col(n - 2 - d);   // increasing order: skip the top (trivial) one
    } else {
        ShiftedAdjacency op(graph, invSqrtDegree, threads);
        const Eigen::Index nev = dims + 1;
        const Eigen::Index ncv = std::min<Eigen::Index>(n, std::max<Eigen::Index>(2 * nev + 1, 24));
        Spectra::SymEigsSolver<ShiftedAdjacency> solver(op, nev, ncv);
        solver.init();
        solver.compute(Spectra::SortRule::LargestAlge, 2000, 1e-4, Spectra::SortRule::LargestAlge);
        if (solver.info() != Spectra::CompInfo::Successful)
            return std::nullopt;
        vectors = solver.eigenvectors().rightCols(dims);   // sorted by decreasing eigenvalue: drop the first
    }
    std::vector<float> layout(static_cast<std::size_t>(n) * static_cast<std::size_t>(dims));
    for (int d = 0; d < dims; ++d) {
        // Fix each vector's sign (the solver's is arbitrary) so that its largest entry is positive.
        Eigen::Index largest = 0;
        vectors.col(d).cwiseAbs().maxCoeff(&largest);
        const double sign = vectors(largest, d) < 0 ? -1.0 : 1.0;
        for (std::int64_t i = 0; i < n; ++i)
            layout[static_cast<std::size_t>(i * dims + d)] = static_cast<float>(sign * vectors(i, d));
    }
    for (float v : layout)
        if (!std::isfinite(v))
            return std::nullopt;
    return layout;
}

}   // namespace nym
