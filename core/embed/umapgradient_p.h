#pragma once

#include <cmath>

namespace nym::umapgradient {

// The coefficients umap-learn's optimize_layout_euclidean multiplies (x_i − x_j) by, before clipping to ±4, for a
// pair at squared layout distance d2 > 0 on the curve φ(d) = 1 / (1 + a d^2b). Attraction is −∂/∂x_i of
// −log φ (an edge's cross-entropy when it is present), repulsion −∂/∂x_i of −γ log(1 − φ) with umap-learn's 0.001
// added to d2 in the denominator. Inline: they run a billion times in a million-cell layout.
inline float attraction(float d2, float a, float b)
{
    const float p = std::pow(d2, b);   // one pow: d2^(b−1) = d2^b / d2
    return -2.0f * a * b * p / (d2 * (a * p + 1.0f));
}

inline float repulsion(float d2, float a, float b, float gamma)
{
    return 2.0f * gamma * b / ((0.001f + d2) * (a * std::pow(d2, b) + 1.0f));
}

}   // namespace nym::umapgradient
