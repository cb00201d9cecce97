#pragma once

#include <cstdint>
#include <random>
#include <span>
#include <vector>

namespace nym {

// The pieces of one scNym training step (METHOD.md §4) with plain-vector interfaces, for tests and documentation.
// The trainer runs exactly these functions on tensors (core/nn/losses_p.h). Matrices are row-major rows × classes.

// Sharpening: q_c^(1/T) / Σ_j q_j^(1/T), per row.
std::vector<float> sharpenRows(std::span<const float> probabilities, std::int64_t classes, double temperature);

// λ' = max(λ, 1 − λ): the mix keeps its dominant partner (reference SampleMixUp, keep_dominant_obs).
float keepDominant(float lambda);

// MixMatch's partners with the target partners of labelled rows ramped in (TrainOptions::targetPartnerRamp).
// `partners` permutes the MixUp pool [confident target rows 0 .. targetRows − 1; labelled rows targetRows .. end):
// row i is mixed with row partners[i]. Every labelled row whose partner is a target row draws u ~ U[0, 1) from rng, in
// row order; when u ≥ share it gets a labelled partner drawn uniformly instead (a second draw). Target rows keep
// theirs. share ≥ 1: no change and no draws.
void rampTargetPartners(
    std::vector<std::int64_t> &partners, std::int64_t targetRows, double share, std::mt19937_64 &rng);

// Dropout's mask (inverted dropout: a kept element holds 1/(1 − p), a dropped one 0): elements [begin, end) of a mask
// of mask.size() elements, keyed by one draw `key` of the training stream. p = ½: element k is kept when bit k mod 64
// of splitMix64At(key, ⌊k/64⌋) is set (a non-empty range must then start at a multiple of 64); other p in (0, 1):
// when the top 24 bits of splitMix64At(key, k) fall below ⌊(1 − p)·2^24⌋. Filled in pieces, by any number of
// threads, the mask is the same.
void fillDropoutMask(std::span<float> mask, std::int64_t begin, std::int64_t end, double p, std::uint64_t key);

// MixUp of two rows with λ (inputs and labels alike): λ·a + (1 − λ)·b.
std::vector<float> mixRows(std::span<const float> a, std::span<const float> b, float lambda);

// Soft-label cross-entropy of logits against target distributions, mean over rows.
double softCrossEntropy(std::span<const float> logits, std::span<const float> targets, std::int64_t classes);

// Consistency loss: squared error between softmax(logits) and targets, summed over classes, weighted per row by
// `scale` (1 = counts, 0 = below the pseudolabel threshold), divided by `rowsInBatch` (all target rows).
double consistencyLoss(std::span<const float> logits, std::span<const float> targets, std::span<const float> scale,
    std::int64_t classes, std::int64_t rowsInBatch);

// The gradient a gradient-reversal layer of weight w passes back for an upstream gradient (−w · upstream), computed
// by LibTorch's autograd through the same layer the trainer uses; the forward value is returned in `forward`.
std::vector<float> gradientReversalBackward(
    std::span<const float> x, std::span<const float> upstream, double weight, std::vector<float> *forward = nullptr);

}   // namespace nym
