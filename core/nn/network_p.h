#pragma once
// Private to core/nn: the scNym network in LibTorch. Never include from a public header.

#include "core/common/xoshiro.h"
#include "core/data/cellmatrix.h"
#include "core/model/model.h"
#include "core/model/trainoptions.h"

#include <torch/torch.h>

#include <cstdint>
#include <span>
#include <vector>

namespace nym::nn {

// Per-element draws of a step (dropout masks, augmentation drops) use xoshiro256++: torch's bernoulli_ with a
// custom generator costs ~10 ns per draw, this ~1 ns.
using FastRng = Xoshiro256;

// A minibatch of expression rows in CSR form, built on the host (gathering, augmentation and MixUp all keep the
// data sparse: expression is mostly zeros).
struct SparseRows
{
    std::int64_t cols = 0;
    std::vector<std::int64_t> indptr {0};
    std::vector<std::int32_t> indices;
    std::vector<float> values;

    std::int64_t rows() const { return static_cast<std::int64_t>(indptr.size()) - 1; }
    void append(std::span<const std::int32_t> idx, std::span<const float> val);
    void appendRow(const SparseRows &from, std::int64_t row);
    // a·row(x, i) + b·row(y, j), merged by gene.
    void appendMix(const SparseRows &x, std::int64_t i, float a, const SparseRows &y, std::int64_t j, float b);
    std::span<const std::int32_t> rowIndices(std::int64_t r) const;
    std::span<const float> rowValues(std::int64_t r) const;
    // Dense [rows, cols] float tensor on the CPU.
    torch::Tensor dense() const;
};

SparseRows gatherRows(const CellMatrix &m, std::span<const std::int64_t> rows);

// The first layer: y = x·W + b with W stored [genes, hidden] so that each nonzero reads one contiguous row of W.
// On the CPU a sparse x is multiplied directly (cost ∝ nonzeros, not genes); elsewhere it is densified.
struct SparseLinearImpl : torch::nn::Module
{
    SparseLinearImpl(std::int64_t in, std::int64_t out);
    torch::Tensor forward(const SparseRows &x);
    torch::Tensor forwardDense(const torch::Tensor &x);
    torch::Tensor weight, bias;
};
TORCH_MODULE(SparseLinear);

// The scNym classifier (METHOD.md §2): hidden blocks Linear → BatchNorm1d → Dropout → ReLU, then Linear to logits.
struct ScnymNetImpl : torch::nn::Module
{
    struct Output
    {
        torch::Tensor logits;      // [B, C]
        torch::Tensor embedding;   // last hidden block after BN (and dropout), before ReLU: the user-facing 256-d
        torch::Tensor hidden;      // the same after ReLU: what the reference's adversary sees
    };
    ScnymNetImpl(std::int64_t genes, std::int64_t classes, const ClassifierOptions &options, at::Generator generator);
    Output forward(const SparseRows &x);
    Output forwardDense(const torch::Tensor &x);   // x [B, genes], for gradients with respect to the input
    // Everything after the first Linear layer, from its output z [B, hidden] (the first layer is linear, so the
    // trainer computes it once per distinct cell and mixes the results: MixUp of inputs = MixUp of z).
    Output forwardFromFirst(torch::Tensor z);

    SparseLinear input {nullptr};
    std::vector<torch::nn::Linear> hidden;        // blocks 2..L ("hidden1", ...)
    std::vector<torch::nn::BatchNorm1d> norms;    // "norm0", ...
    torch::nn::Linear output {nullptr};
    double dropout = 0.5;
    at::Generator generator;   // initialisation
    FastRng dropoutRng;        // dropout masks
};
TORCH_MODULE(ScnymNet);

// The domain adversary head: Linear → ReLU → Linear to D domain logits (reference DANN with n_layers = 1).
struct DomainHeadImpl : torch::nn::Module
{
    DomainHeadImpl(std::int64_t in, std::int64_t hiddenSize, std::int64_t domains, at::Generator generator);
    torch::Tensor forward(const torch::Tensor &x);
    torch::nn::Linear fc1 {nullptr}, fc2 {nullptr};
};
TORCH_MODULE(DomainHead);

// Identity forward, −weight × gradient backward (gradient reversal, Ganin & Lempitsky 2015).
torch::Tensor gradientReversal(const torch::Tensor &x, double weight);

// PyTorch's default Linear initialisation (kaiming_uniform with a = √5: U(±1/√fan_in) for weight and bias),
// drawn from our generator so a seed decides everything.
void initLinear(torch::Tensor &weight, torch::Tensor &bias, std::int64_t fanIn, at::Generator &generator);

// Weights (parameters and BatchNorm running statistics) to and from model-file arrays.
std::vector<NamedArray> exportWeights(ScnymNet &net);
void importWeights(ScnymNet &net, const Model &model);
// BatchNorm running statistics recomputed from scratch (averaging.h: recomputeBatchNormStatistics): what averaged
// weights need, since each epoch's statistics belong to that epoch's weights.
void recomputeBatchNorm(ScnymNet &net, const CellMatrix &cells, const std::vector<std::vector<std::int64_t>> &batches);
// Starts a network from a trained model with other genes or classes: the first layer's rows by gene name, the
// output's rows by class name, every other tensor of the same shape as is; what the model lacks keeps its fresh
// initialisation. Returns the number of tensors taken over.
int warmStartWeights(ScnymNet &net, const Model &model, const std::vector<std::string> &genes,
    const std::vector<std::string> &classes);

// Adadelta (PyTorch's algorithm, weight decay added to the gradient) fused into one pass per tensor.
class Adadelta
{
public:
    Adadelta(std::vector<torch::Tensor> params, double lr, double rho, double eps, double weightDecay);
    void step();
    void zeroGrad();

private:
    std::vector<torch::Tensor> m_params, m_squareAvg, m_accDelta;
    float m_lr, m_rho, m_eps, m_weightDecay;
};

}   // namespace nym::nn
