#include "core/nn/predictor.h"

#include "core/common/error.h"
#include "core/nn/linear.h"
#include "core/nn/linear_p.h"
#include "core/nn/network_p.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/version.h>

#include <algorithm>
#include <numeric>

namespace nym {

std::string torchVersion()
{
    return TORCH_VERSION;
}

class Predictor::Impl
{
public:
    Impl(const Model &model, const PredictorOptions &options)
        : model(model)
        , opt(options)
        , net(static_cast<std::int64_t>(model.genes().size()), static_cast<std::int64_t>(model.classes().size()),
              model.contents().options.classifier, at::make_generator<at::CPUGeneratorImpl>(0))
    {
        if (opt.threads > 0)
            torch::set_num_threads(opt.threads);
        nn::importWeights(net, model);
        net->eval();
        const NamedArray *w = model.findWeight("linear.weight");
        const NamedArray *b = model.findWeight("linear.bias");
        const auto classes = static_cast<std::int64_t>(model.classes().size()), genes = static_cast<std::int64_t>(model.genes().size());
        if (w && b && w->shape == std::vector<std::int64_t> {classes, genes} && b->shape == std::vector<std::int64_t> {classes}) {
            linear.genes = genes;
            linear.classes = classes;
            linear.weight = w->values;
            linear.bias = b->values;
        }
    }
    LinearClassifier linear;   // classes 0: no linear member
    const Model &model;
    PredictorOptions opt;
    mutable nn::ScnymNet net;
};

Predictor::Predictor(const Model &model, const PredictorOptions &options)
    : d(std::make_unique<Impl>(model, options))
{
}

Predictor::~Predictor() = default;

Predictions Predictor::predict(const CellMatrix &x) const
{
    const auto genes = static_cast<std::int64_t>(d->model.genes().size());
    if (x.cols() != genes)
        throw Error("The input has " + std::to_string(x.cols()) + " genes but the model expects "
            + std::to_string(genes) + "; align it to the model's genes first.");
    torch::NoGradGuard noGrad;
    Predictions p;
    p.classes = d->model.classes();
    p.cells = x.rows();
    const auto c = static_cast<std::int64_t>(p.classes.size());
    const double t = d->opt.applyTemperature ? d->model.temperature() : 1.0;
    p.embeddingSize = d->net->output->weight.size(1);
    p.label.resize(static_cast<std::size_t>(p.cells));
    p.confidence.resize(static_cast<std::size_t>(p.cells));
    p.probabilities.resize(static_cast<std::size_t>(p.cells * c));
    p.logits.resize(static_cast<std::size_t>(p.cells * c));
    p.embedding.resize(static_cast<std::size_t>(p.cells * p.embeddingSize));
    const bool linear = d->linear.classes > 0;   // the second opinion, mixed in by its share
    const double share = linear ? d->model.contents().linearShare : 0.0;
    const double tLinear = d->opt.applyTemperature ? d->model.contents().linearTemperature : 1.0;
    if (linear) {
        p.linearLabel.resize(static_cast<std::size_t>(p.cells));
        p.linearConfidence.resize(static_cast<std::size_t>(p.cells));
        p.linearProbabilities.resize(static_cast<std::size_t>(p.cells * c));
    }
    const std::int64_t chunk = std::max<std::int64_t>(1, d->opt.chunkCells);
    std::vector<std::int64_t> rows;
    for (std::int64_t b = 0; b < p.cells; b += chunk) {
        const std::int64_t n = std::min(chunk, p.cells - b);
        rows.resize(static_cast<std::size_t>(n));
        std::iota(rows.begin(), rows.end(), b);
        auto out = d->net->forward(nn::gatherRows(x, rows));
        auto logits = out.logits.to(torch::kCPU).contiguous();
        auto probs = torch::softmax(logits / t, 1);
        if (linear) {
            std::vector<float> linLogits = d->linear.logits(x, rows);
            auto lin = torch::from_blob(linLogits.data(), {n, c}, torch::kFloat32);
            auto linProbs = torch::softmax(lin / tLinear, 1).contiguous();
            std::copy_n(linProbs.data_ptr<float>(), n * c, p.linearProbabilities.begin() + b * c);
            auto [lconf, larg] = linProbs.max(1);
            lconf = lconf.contiguous();
            larg = larg.contiguous();
            for (std::int64_t i = 0; i < n; ++i) {
                p.linearLabel[static_cast<std::size_t>(b + i)] = static_cast<std::int32_t>(larg.data_ptr<std::int64_t>()[i]);
                p.linearConfidence[static_cast<std::size_t>(b + i)] = lconf.data_ptr<float>()[i];
            }
            probs = nn::mixMembers(probs, linProbs, share);
        }
        probs = probs.contiguous();
        auto [conf, arg] = probs.max(1);
        auto emb = out.embedding.to(torch::kCPU).contiguous();
        std::copy_n(logits.data_ptr<float>(), n * c, p.logits.begin() + b * c);
        std::copy_n(probs.data_ptr<float>(), n * c, p.probabilities.begin() + b * c);
        std::copy_n(emb.data_ptr<float>(), n * p.embeddingSize, p.embedding.begin() + b * p.embeddingSize);
        conf = conf.contiguous();
        arg = arg.contiguous();
        for (std::int64_t i = 0; i < n; ++i) {
            p.confidence[static_cast<std::size_t>(b + i)] = conf.data_ptr<float>()[i];
            p.label[static_cast<std::size_t>(b + i)] = static_cast<std::int32_t>(arg.data_ptr<std::int64_t>()[i]);
        }
    }
    return p;
}

}   // namespace nym
