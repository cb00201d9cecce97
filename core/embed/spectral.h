#pragma once

#include <cstdint>
#include <optional>
#include <vector>

namespace nym {

struct FuzzyGraph;

// The spectral initialisation of UMAP (umap-learn's spectral_layout): the eigenvectors of the normalised graph
// Laplacian L = I − D^−½ W D^−½ for the `dims` smallest non-trivial eigenvalues, rows × dims row-major. Computed
// with Spectra's Lanczos solver as the largest eigenpairs of 2I − L (same vectors, better separated), tolerance
// 1e-4 as umap-learn. std::nullopt when the graph is disconnected or the solver does not converge (the caller
// falls back to another start). Deterministic (Spectra starts from a fixed pseudo-random vector).
std::optional<std::vector<float>> spectralLayout(const FuzzyGraph &graph, int dims = 2, int threads = 1);

}   // namespace nym
