#include "core/nn/network_p.h"

#include "core/nn/averaging.h"
#include "core/nn/losses.h"

#include "core/common/error.h"

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>

#include <algorithm>
#include <unordered_map>
#include <cmath>
#include <xmmintrin.h>

namespace nym {

namespace {

// Dropout masks, filled without branches so the compiler vectorises them; each clone gives the same bits.
// p = ½: element k is kept when bit k mod 64 of draw ⌊k/64⌋ is set (blocks b0 … b1 − 1 of 64 elements, the last
// one cut at `end`; 4× the speed of a bit-by-bit loop with a select, which was 8% of a pbmc training's time).
__attribute__((target_clones("avx512f", "avx2", "default"))) void fillHalfMask(float *m, std::int64_t end,
    std::int64_t b0, std::int64_t b1, std::uint64_t key, float keep)
{
    for (std::int64_t b = b0; b < b1; ++b) {
        const std::uint64_t bits = splitMix64At(key, static_cast<std::uint64_t>(b));
        float *out = m + b * 64;
        const std::int64_t len = std::min<std::int64_t>(64, end - b * 64);
        if (len == 64) {
            for (int j = 0; j < 64; ++j)
                out[j] = keep * static_cast<float>(static_cast<std::uint32_t>((bits >> j) & 1u));
        } else {
            for (std::int64_t j = 0; j < len; ++j)
                out[j] = keep * static_cast<float>(static_cast<std::uint32_t>((bits >> j) & 1u));
        }
    }
}

// Other p: element k is kept when the top 24 bits of draw k fall below the threshold (three 64-bit multiplies per
// element: AVX-512 does eight at once, 2.9× the baseline's speed).
__attribute__((target_clones("avx512f", "avx2", "default"))) void fillKeepMask(float *m, std::int64_t k0,
    std::int64_t k1, std::uint64_t key, std::uint64_t threshold, float keep)
{
    for (std::int64_t k = k0; k < k1; ++k) {
        const bool kept = (splitMix64At(key, static_cast<std::uint64_t>(k)) >> 40) < threshold;
        m[k] = keep * static_cast<float>(static_cast<std::uint32_t>(kept));
    }
}

}   // namespace

void fillDropoutMask(std::span<float> mask, std::int64_t begin, std::int64_t end, double p, std::uint64_t key)
{
    const auto n = static_cast<std::int64_t>(mask.size());
    if (!(p > 0 && p < 1) || begin < 0 || end > n || begin > end)
        throw Error("Dropout mask: p must lie in (0, 1) and the range within the mask.");
    const auto keep = static_cast<float>(1.0 / (1.0 - p));
    if (p == 0.5) {
        if (begin % 64 != 0 && begin != end)
            throw Error("Dropout mask: with p = 0.5 the range must start at a multiple of 64.");
        fillHalfMask(mask.data(), end, begin / 64, (end + 63) / 64, key, keep);
    } else {
        fillKeepMask(mask.data(), begin, end, key, static_cast<std::uint64_t>((1.0 - p) * 16777216.0), keep);
    }
}

}   // namespace nym

namespace nym::nn {

// ---- sparse rows --------------------------------------------------------------------------------------------

void SparseRows::append(std::span<const std::int32_t> idx, std::span<const float> val)
{
    indices.insert(indices.end(), idx.begin(), idx.end());
    values.insert(values.end(), val.begin(), val.end());
    indptr.push_back(static_cast<std::int64_t>(indices.size()));
}

void SparseRows::appendRow(const SparseRows &from, std::int64_t row)
{
    append(from.rowIndices(row), from.rowValues(row));
}

void SparseRows::appendMix(const SparseRows &x, std::int64_t i, float a, const SparseRows &y, std::int64_t j, float b)
{
    const auto xi = x.rowIndices(i), yi = y.rowIndices(j);
    const auto xv = x.rowValues(i), yv = y.rowValues(j);
    std::size_t p = 0, q = 0;
    while (p < xi.size() || q < yi.size()) {
        if (q == yi.size() || (p < xi.size() && xi[p] < yi[q])) {
            indices.push_back(xi[p]);
            values.push_back(a * xv[p++]);
        } else if (p == xi.size() || yi[q] < xi[p]) {
            indices.push_back(yi[q]);
            values.push_back(b * yv[q++]);
        } else {
            indices.push_back(xi[p]);
            values.push_back(a * xv[p++] + b * yv[q++]);
        }
    }
    indptr.push_back(static_cast<std::int64_t>(indices.size()));
}

std::span<const std::int32_t> SparseRows::rowIndices(std::int64_t r) const
{
    const auto b = static_cast<std::size_t>(indptr[static_cast<std::size_t>(r)]);
    const auto e = static_cast<std::size_t>(indptr[static_cast<std::size_t>(r) + 1]);
    return {indices.data() + b, e - b};
}

std::span<const float> SparseRows::rowValues(std::int64_t r) const
{
    const auto b = static_cast<std::size_t>(indptr[static_cast<std::size_t>(r)]);
    const auto e = static_cast<std::size_t>(indptr[static_cast<std::size_t>(r) + 1]);
    return {values.data() + b, e - b};
}

torch::Tensor SparseRows::dense() const
{
    auto t = torch::zeros({rows(), cols});
    float *d = t.data_ptr<float>();
    for (std::int64_t r = 0; r < rows(); ++r) {
        const auto idx = rowIndices(r);
        const auto val = rowValues(r);
        for (std::size_t k = 0; k < idx.size(); ++k)
            d[r * cols + idx[k]] = val[k];
    }
    return t;
}

SparseRows gatherRows(const CellMatrix &m, std::span<const std::int64_t> rows)
{
    SparseRows s;
    s.cols = m.cols();
    s.indptr.reserve(rows.size() + 1);
    for (auto r : rows)
        s.append(m.rowIndices(r), m.rowValues(r));
    return s;
}

// ---- sparse × dense kernels -----------------------------------------------------------------------------------
// Compiled twice (AVX+FMA and baseline x86-64); the loader picks by CPU feature (an "arch=" clone would be chosen
// by CPU model and never run on AMD).

// Both kernels accumulate 64 outputs at a time in registers (8 AVX registers): each nonzero then costs 8 loads and
// 8 FMAs instead of also loading and storing its whole output row.
constexpr std::int64_t kBlock = 64;
constexpr std::int64_t kAhead = 8;

__attribute__((target_clones("fma", "default"))) void sparseForwardRows(const std::int64_t *indptr,
    const std::int32_t *indices, const float *values, const float *w, const float *bias, float *out, std::int64_t r0,
    std::int64_t r1, std::int64_t h)
{
    for (std::int64_t r = r0; r < r1; ++r) {
        float *o = out + r * h;
        std::int64_t c0 = 0;
        for (; c0 + kBlock <= h; c0 += kBlock) {
            float acc[kBlock];
            for (std::int64_t k = 0; k < kBlock; ++k)
                acc[k] = bias[c0 + k];
            const std::int64_t end = indptr[r + 1];
            for (std::int64_t j = indptr[r]; j < end; ++j) {
                // Rows of W are picked at random by gene: fetch the ones a few nonzeros ahead (latency, not
                // bandwidth, limits this loop).
                if (j + kAhead < end) {
                    const float *next = w + static_cast<std::int64_t>(indices[j + kAhead]) * h + c0;
                    for (int line = 0; line < 4; ++line)
                        __builtin_prefetch(next + 16 * line);
                }
                const float v = values[j];
                const float *wr = w + static_cast<std::int64_t>(indices[j]) * h + c0;
                for (std::int64_t k = 0; k < kBlock; ++k)
                    acc[k] += v * wr[k];
            }
            for (std::int64_t k = 0; k < kBlock; ++k)
                o[c0 + k] = acc[k];
        }
        for (std::int64_t k = c0; k < h; ++k) {
            float acc = bias[k];
            for (std::int64_t j = indptr[r]; j < indptr[r + 1]; ++j)
                acc += values[j] * w[static_cast<std::int64_t>(indices[j]) * h + k];
            o[k] = acc;
        }
    }
}

__attribute__((target_clones("fma", "default"))) void sparseWeightGrad(const std::int64_t *colptr,
    const std::int32_t *rowsOf, const float *valuesOf, const float *gy, float *gw, std::int64_t g0, std::int64_t g1,
    std::int64_t h)
{
    for (std::int64_t g = g0; g < g1; ++g) {
        float *o = gw + g * h;
        std::int64_t c0 = 0;
        for (; c0 + kBlock <= h; c0 += kBlock) {
            float acc[kBlock] = {};
            const std::int64_t end = colptr[g + 1];
            for (std::int64_t j = colptr[g]; j < end; ++j) {
                if (j + kAhead < end) {
                    const float *next = gy + static_cast<std::int64_t>(rowsOf[j + kAhead]) * h + c0;
                    for (int line = 0; line < 4; ++line)
                        __builtin_prefetch(next + 16 * line);
                }
                const float v = valuesOf[j];
                const float *gr = gy + static_cast<std::int64_t>(rowsOf[j]) * h + c0;
                for (std::int64_t k = 0; k < kBlock; ++k)
                    acc[k] += v * gr[k];
            }
            for (std::int64_t k = 0; k < kBlock; ++k)
                o[c0 + k] = acc[k];
        }
        for (std::int64_t k = c0; k < h; ++k) {
            float acc = 0;
            for (std::int64_t j = colptr[g]; j < colptr[g + 1]; ++j)
                acc += valuesOf[j] * gy[static_cast<std::int64_t>(rowsOf[j]) * h + k];
            o[k] = acc;
        }
    }
}

namespace {

struct SparseLinearFn : torch::autograd::Function<SparseLinearFn>
{
    static torch::Tensor forward(torch::autograd::AutogradContext *ctx, torch::Tensor weight, torch::Tensor bias,
        torch::Tensor indptr, torch::Tensor indices, torch::Tensor values)
    {
        const std::int64_t rows = indptr.numel() - 1, h = weight.size(1);
        auto out = torch::empty({rows, h});
        const auto *ip = indptr.data_ptr<std::int64_t>();
        const auto *ix = indices.data_ptr<std::int32_t>();
        const auto *vv = values.data_ptr<float>();
        const auto *w = weight.data_ptr<float>();
        const auto *b = bias.data_ptr<float>();
        auto *o = out.data_ptr<float>();
        at::parallel_for(0, rows, 8, [&](std::int64_t r0, std::int64_t r1) {
            sparseForwardRows(ip, ix, vv, w, b, o, r0, r1, h);
        });
        ctx->save_for_backward({indptr, indices, values});
        ctx->saved_data["genes"] = weight.size(0);
        return out;
    }

    static torch::autograd::variable_list backward(
        torch::autograd::AutogradContext *ctx, torch::autograd::variable_list grads)
    {
        const auto saved = ctx->get_saved_variables();
        const auto &indptr = saved[0];
        const auto &indices = saved[1];
        const auto &values = saved[2];
        const std::int64_t genes = ctx->saved_data["genes"].toInt();
        const auto gy = grads[0].contiguous();
        const std::int64_t rows = indptr.numel() - 1, h = gy.size(1);
        // Transpose the batch (CSR → CSC) so each gene's gradient row is written by one thread, in a fixed order:
        // deterministic for any thread count.
        const auto *ip = indptr.data_ptr<std::int64_t>();
        const auto *ix = indices.data_ptr<std::int32_t>();
        const auto *vv = values.data_ptr<float>();
        const std::int64_t nnz = ip[rows];
        std::vector<std::int64_t> colptr(static_cast<std::size_t>(genes) + 1, 0);
        for (std::int64_t j = 0; j < nnz; ++j)
            ++colptr[static_cast<std::size_t>(ix[j]) + 1];
        for (std::int64_t g = 0; g < genes; ++g)
            colptr[static_cast<std::size_t>(g) + 1] += colptr[static_cast<std::size_t>(g)];
        std::vector<std::int32_t> rowsOf(static_cast<std::size_t>(nnz));
        std::vector<float> valuesOf(static_cast<std::size_t>(nnz));
        {
            std::vector<std::int64_t> fill(colptr.begin(), colptr.end() - 1);
            for (std::int64_t r = 0; r < rows; ++r)
                for (std::int64_t j = ip[r]; j < ip[r + 1]; ++j) {
                    const auto at = static_cast<std::size_t>(fill[static_cast<std::size_t>(ix[j])]++);
                    rowsOf[at] = static_cast<std::int32_t>(r);
                    valuesOf[at] = vv[j];
                }
        }
        auto gw = torch::empty({genes, h});
        float *gwp = gw.data_ptr<float>();
        const float *gyp = gy.data_ptr<float>();
        at::parallel_for(0, genes, 64, [&](std::int64_t g0, std::int64_t g1) {
            sparseWeightGrad(colptr.data(), rowsOf.data(), valuesOf.data(), gyp, gwp, g0, g1, h);
        });
        return {gw, gy.sum(0), torch::Tensor(), torch::Tensor(), torch::Tensor()};
    }
};

struct GradReverseFn : torch::autograd::Function<GradReverseFn>
{
    static torch::Tensor forward(torch::autograd::AutogradContext *ctx, torch::Tensor x, double weight)
    {
        ctx->saved_data["weight"] = weight;
        return x.clone();
    }
    static torch::autograd::variable_list backward(
        torch::autograd::AutogradContext *ctx, torch::autograd::variable_list grads)
    {
        return {grads[0] * (-ctx->saved_data["weight"].toDouble()), torch::Tensor()};
    }
};

torch::Tensor dropoutWith(const torch::Tensor &x, double p, bool training, FastRng &rng)
{
    if (!training || p <= 0)
        return x;
    // Inverted dropout as torch's: keep with 1 − p, scale kept values by 1 / (1 − p). One draw of the stream keys a
    // counter-based generator, so the mask is filled in parallel and is the same for any thread count.
    auto mask = torch::empty(x.sizes(), torch::kFloat32);
    const std::span<float> m(mask.data_ptr<float>(), static_cast<std::size_t>(mask.numel()));
    const auto n = static_cast<std::int64_t>(m.size());
    const std::uint64_t key = rng.plusPlus();
    if (p == 0.5)   // one random bit per element: blocks of 64
        at::parallel_for(0, (n + 63) / 64, 64, [&](std::int64_t b0, std::int64_t b1) {
            fillDropoutMask(m, b0 * 64, std::min(n, b1 * 64), p, key);
        });
    else
        at::parallel_for(0, n, 4096, [&](std::int64_t k0, std::int64_t k1) { fillDropoutMask(m, k0, k1, p, key); });
    return x * mask.to(x.device());
}

}   // namespace

torch::Tensor gradientReversal(const torch::Tensor &x, double weight)
{
    return GradReverseFn::apply(x, weight);
}

void initLinear(torch::Tensor &weight, torch::Tensor &bias, std::int64_t fanIn, at::Generator &generator)
{
    torch::NoGradGuard noGrad;
    const double bound = 1.0 / std::sqrt(static_cast<double>(std::max<std::int64_t>(fanIn, 1)));
    weight.uniform_(-bound, bound, generator);
    bias.uniform_(-bound, bound, generator);
}

// ---- modules ------------------------------------------------------------------------------------------------

SparseLinearImpl::SparseLinearImpl(std::int64_t in, std::int64_t out)
{
    weight = register_parameter("weight", torch::empty({in, out}));
    bias = register_parameter("bias", torch::empty({out}));
}

torch::Tensor SparseLinearImpl::forward(const SparseRows &x)
{
    if (!weight.device().is_cpu())
        return forwardDense(x.dense().to(weight.device()));
    // Copies: the backward pass needs the batch after the caller's SparseRows may be gone.
    auto ip = torch::from_blob(const_cast<std::int64_t *>(x.indptr.data()), {x.rows() + 1}, torch::kInt64).clone();
    auto ix = torch::from_blob(const_cast<std::int32_t *>(x.indices.data()),
        {static_cast<std::int64_t>(x.indices.size())}, torch::kInt32).clone();
    auto vv = torch::from_blob(const_cast<float *>(x.values.data()), {static_cast<std::int64_t>(x.values.size())},
        torch::kFloat32).clone();
    return SparseLinearFn::apply(weight, bias, ip, ix, vv);
}

torch::Tensor SparseLinearImpl::forwardDense(const torch::Tensor &x)
{
    return torch::addmm(bias, x, weight);
}

ScnymNetImpl::ScnymNetImpl(
    std::int64_t genes, std::int64_t classes, const ClassifierOptions &o, at::Generator generator_)
    : dropout(o.dropout)
    , generator(std::move(generator_))
    , dropoutRng(at::check_generator<at::CPUGeneratorImpl>(generator)->random64())
{
    const std::int64_t h = o.hiddenSize;
    input = register_module("input", SparseLinear(genes, h));
    initLinear(input->weight, input->bias, genes, generator);
    for (int l = 0; l < o.hiddenLayers; ++l) {
        if (l > 0) {
            auto lin = register_module("hidden" + std::to_string(l), torch::nn::Linear(h, h));
            initLinear(lin->weight, lin->bias, h, generator);
            hidden.push_back(lin);
        }
        norms.push_back(register_module("norm" + std::to_string(l),
            torch::nn::BatchNorm1d(
                torch::nn::BatchNorm1dOptions(h).momentum(o.batchNormMomentum).eps(o.batchNormEps))));
    }
    output = register_module("output", torch::nn::Linear(h, classes));
    initLinear(output->weight, output->bias, h, generator);
}

ScnymNetImpl::Output ScnymNetImpl::forwardFromFirst(torch::Tensor h)
{
    Output out;
    for (std::size_t l = 0; l < norms.size(); ++l) {
        if (l > 0)
            h = hidden[l - 1]->forward(h);
        h = norms[l]->forward(h);
        h = dropoutWith(h, dropout, is_training(), dropoutRng);
        if (l + 1 == norms.size())
            out.embedding = h;
        h = torch::relu(h);
    }
    out.hidden = h;
    out.logits = output->forward(h);
    return out;
}

ScnymNetImpl::Output ScnymNetImpl::forward(const SparseRows &x)
{
    return forwardFromFirst(input->forward(x));
}

ScnymNetImpl::Output ScnymNetImpl::forwardDense(const torch::Tensor &x)
{
    return forwardFromFirst(input->forwardDense(x));
}

DomainHeadImpl::DomainHeadImpl(std::int64_t in, std::int64_t hiddenSize, std::int64_t domains, at::Generator generator)
{
    fc1 = register_module("fc1", torch::nn::Linear(in, hiddenSize));
    fc2 = register_module("fc2", torch::nn::Linear(hiddenSize, domains));
    initLinear(fc1->weight, fc1->bias, in, generator);
    initLinear(fc2->weight, fc2->bias, hiddenSize, generator);
}

torch::Tensor DomainHeadImpl::forward(const torch::Tensor &x)
{
    return fc2->forward(torch::relu(fc1->forward(x)));
}

// ---- weights ------------------------------------------------------------------------------------------------

namespace {

std::vector<std::pair<std::string, torch::Tensor>> namedState(ScnymNet &net)
{
    std::vector<std::pair<std::string, torch::Tensor>> out;
    for (const auto &p : net->named_parameters())
        out.emplace_back(p.key(), p.value());
    for (const auto &b : net->named_buffers())
        if (b.key().find("num_batches_tracked") == std::string::npos)
            out.emplace_back(b.key(), b.value());
    return out;
}

}   // namespace

std::vector<NamedArray> exportWeights(ScnymNet &net)
{
    std::vector<NamedArray> out;
    for (auto &[name, t] : namedState(net)) {
        auto c = t.detach().to(torch::kCPU).to(torch::kFloat32).contiguous();
        NamedArray a;
        a.name = name;
        a.shape.assign(c.sizes().begin(), c.sizes().end());
        a.values.assign(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
        out.push_back(std::move(a));
    }
    return out;
}

void recomputeBatchNorm(ScnymNet &net, const CellMatrix &cells, const std::vector<std::vector<std::int64_t>> &batches)
{
    // BatchNorm cannot take a batch statistic from one row.
    const auto usable = std::count_if(batches.begin(), batches.end(), [](const auto &b) { return b.size() >= 2; });
    if (usable == 0)
        return;
    torch::NoGradGuard noGrad;
    const bool wasTraining = net->is_training();
    std::vector<c10::optional<double>> momentum;
    for (auto &n : net->norms) {
        momentum.push_back(n->options.momentum());
        n->reset_running_stats();
        n->options.momentum(c10::optional<double>());   // no momentum: the cumulative mean over the pass
    }
    net->train();
    for (const auto &b : batches)
        if (b.size() >= 2)
            net->forward(gatherRows(cells, b));
    for (std::size_t l = 0; l < net->norms.size(); ++l)
        net->norms[l]->options.momentum(momentum[l]);
    net->train(wasTraining);
}

void importWeights(ScnymNet &net, const Model &model)
{
    torch::NoGradGuard noGrad;
    for (auto &[name, t] : namedState(net)) {
        const NamedArray *a = model.findWeight(name);
        if (!a)
            throw Error("The model file lacks the weight '" + name + "'; it was not written by this version.");
        if (!std::equal(a->shape.begin(), a->shape.end(), t.sizes().begin(), t.sizes().end()))
            throw Error("The model's weight '" + name + "' has the wrong shape for its genes and classes.");
        t.copy_(torch::from_blob(const_cast<float *>(a->values.data()), t.sizes(), torch::kFloat32));
    }
}

int warmStartWeights(ScnymNet &net, const Model &model, const std::vector<std::string> &genes,
    const std::vector<std::string> &classes)
{
    torch::NoGradGuard noGrad;
    const auto indexOf = [](const std::vector<std::string> &names) {
        std::unordered_map<std::string, std::int64_t> at;
        for (std::size_t i = 0; i < names.size(); ++i)
            at.emplace(names[i], static_cast<std::int64_t>(i));
        return at;
    };
    const auto modelGene = indexOf(model.genes()), modelClass = indexOf(model.classes());
    int taken = 0;
    for (auto &[name, t] : namedState(net)) {
        const NamedArray *a = model.findWeight(name);
        if (!a)
            continue;
        const auto source = torch::from_blob(const_cast<float *>(a->values.data()),
            std::vector<std::int64_t>(a->shape.begin(), a->shape.end()), torch::kFloat32).to(t.device());
        // Rows matched by name: the first layer ([genes, hidden]) and the output ([classes, hidden] and [classes]).
        const bool byGene = name == "input.weight";
        const bool byClass = name == "output.weight" || name == "output.bias";
        if (byGene || byClass) {
            const auto &names = byGene ? genes : classes;
            const auto &from = byGene ? modelGene : modelClass;
            if (source.dim() != t.dim() || (t.dim() == 2 && source.size(1) != t.size(1)))
                continue;
            for (std::size_t r = 0; r < names.size(); ++r) {
                const auto it = from.find(names[r]);
                if (it != from.end() && it->second < source.size(0))
                    t[static_cast<std::int64_t>(r)].copy_(source[it->second]);
            }
            ++taken;
            continue;
        }
        if (std::equal(a->shape.begin(), a->shape.end(), t.sizes().begin(), t.sizes().end())) {
            t.copy_(source);
            ++taken;
        }
    }
    return taken;
}

// ---- optimiser ----------------------------------------------------------------------------------------------

// Sets flush-to-zero and denormals-are-zero for the current thread while alive.
class FlushDenormals
{
public:
    FlushDenormals()
        : m_saved(_mm_getcsr())
    {
        _mm_setcsr(m_saved | 0x8040u);
    }
    ~FlushDenormals() { _mm_setcsr(m_saved); }
    FlushDenormals(const FlushDenormals &) = delete;
    FlushDenormals &operator=(const FlushDenormals &) = delete;

private:
    unsigned m_saved;
};

__attribute__((target_clones("fma", "default"))) void adadeltaRange(float *w, const float *g, float *sq,
    float *acc, std::int64_t n, float lr, float rho, float eps, float wd)
{
    // The running averages of parameters that rarely get a gradient (genes absent from a batch) decay by ρ every
    // step into subnormal numbers, which cost ~100 cycles each: flush them to zero here (any thread).
    const FlushDenormals flush;
    for (std::int64_t k = 0; k < n; ++k) {
        const float gk = g[k] + wd * w[k];
        sq[k] = rho * sq[k] + (1 - rho) * gk * gk;
        const float delta = std::sqrt(acc[k] + eps) / std::sqrt(sq[k] + eps) * gk;
        acc[k] = rho * acc[k] + (1 - rho) * delta * delta;
        w[k] -= lr * delta;
    }
}

Adadelta::Adadelta(std::vector<torch::Tensor> params, double lr, double rho, double eps, double weightDecay)
    : m_params(std::move(params))
    , m_lr(static_cast<float>(lr))
    , m_rho(static_cast<float>(rho))
    , m_eps(static_cast<float>(eps))
    , m_weightDecay(static_cast<float>(weightDecay))
{
    for (const auto &p : m_params) {
        m_squareAvg.push_back(torch::zeros_like(p));
        m_accDelta.push_back(torch::zeros_like(p));
    }
}

void Adadelta::zeroGrad()
{
    for (auto &p : m_params)
        if (p.grad().defined())
            p.mutable_grad() = torch::Tensor();
}

void Adadelta::step()
{
    torch::NoGradGuard noGrad;
    for (std::size_t i = 0; i < m_params.size(); ++i) {
        auto &p = m_params[i];
        if (!p.grad().defined())
            continue;
        if (!p.device().is_cpu()) {
            // Same algorithm with tensor operations (PyTorch 1.13's Adadelta).
            auto g = p.grad().add(p, m_weightDecay);
            m_squareAvg[i].mul_(m_rho).addcmul_(g, g, 1 - m_rho);
            auto std = m_squareAvg[i].add(m_eps).sqrt_();
            auto delta = m_accDelta[i].add(m_eps).sqrt_().div_(std).mul_(g);
            m_accDelta[i].mul_(m_rho).addcmul_(delta, delta, 1 - m_rho);
            p.add_(delta, -m_lr);
            continue;
        }
        auto grad = p.grad().contiguous();
        float *w = p.data_ptr<float>();
        const float *g = grad.data_ptr<float>();
        float *sq = m_squareAvg[i].data_ptr<float>();
        float *acc = m_accDelta[i].data_ptr<float>();
        at::parallel_for(0, p.numel(), 65536, [&](std::int64_t b, std::int64_t e) {
            adadeltaRange(w + b, g + b, sq + b, acc + b, e - b, m_lr, m_rho, m_eps, m_weightDecay);
        });
    }
}

}   // namespace nym::nn

namespace nym {

void accumulateMean(std::vector<NamedArray> &mean, const std::vector<NamedArray> &next, int count)
{
    if (mean.size() != next.size())
        throw Error("Weight averaging: the networks differ in their tensors.");
    const double k = 1.0 / (count + 1.0);
    for (std::size_t i = 0; i < mean.size(); ++i) {
        auto &m = mean[i].values;
        const auto &x = next[i].values;
        if (mean[i].name != next[i].name || m.size() != x.size())
            throw Error("Weight averaging: the networks differ in '" + mean[i].name + "'.");
        for (std::size_t j = 0; j < m.size(); ++j)
            m[j] = static_cast<float>(m[j] + (static_cast<double>(x[j]) - m[j]) * k);
    }
}

std::vector<NamedArray> recomputeBatchNormStatistics(const Model &model, const CellMatrix &cells,
    const std::vector<std::vector<std::int64_t>> &batches)
{
    const auto &o = model.contents();
    nn::ScnymNet net(static_cast<std::int64_t>(o.genes.size()), static_cast<std::int64_t>(o.classes.size()),
        o.options.classifier, at::make_generator<at::CPUGeneratorImpl>(0));
    nn::importWeights(net, model);
    nn::recomputeBatchNorm(net, cells, batches);
    return nn::exportWeights(net);
}

}   // namespace nym
