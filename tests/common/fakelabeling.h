#pragma once
// Hand-made predictions for tests that need a labelling but not a network (exports, the document layer).

#include "core/data/dataset.h"
#include "core/model/labeling.h"

#include <memory>
#include <random>
#include <string>
#include <vector>

namespace nymtest {

// Predictions for every cell of `d`: random probabilities over `classes` (seeded), cells `zero` without counts.
inline std::shared_ptr<const nym::Labeling> fakeLabeling(const nym::Dataset &d, const std::vector<std::string> &classes, unsigned seed,
    const std::vector<int> &zero = {})
{
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> u(0.01f, 1.f);
    nym::Labeling l;
    auto &p = l.predictions;
    p.classes = classes;
    p.cells = d.cells();
    const std::size_t c = classes.size();
    p.probabilities.resize(static_cast<std::size_t>(p.cells) * c);
    p.embeddingSize = 2;
    p.embedding.assign(static_cast<std::size_t>(p.cells) * 2, 0.5f);
    l.noCounts.assign(static_cast<std::size_t>(p.cells), 0);
    for (int z : zero)
        l.noCounts[static_cast<std::size_t>(z)] = 1;
    for (std::int64_t i = 0; i < p.cells; ++i) {
        float *row = p.probabilities.data() + static_cast<std::size_t>(i) * c;
        float sum = 0;
        for (std::size_t k = 0; k < c; ++k)
            sum += row[k] = u(rng) * u(rng);
        std::size_t best = 0;
        for (std::size_t k = 0; k < c; ++k) {
            row[k] /= sum;
            if (row[k] > row[best])
                best = k;
        }
        p.label.push_back(static_cast<std::int32_t>(best));
        p.confidence.push_back(l.noCounts[static_cast<std::size_t>(i)] ? 0.f : row[best]);
        l.labels.push_back(classes[best]);
    }
    l.normalization = "log1p(CPM) of raw counts";
    return std::make_shared<const nym::Labeling>(std::move(l));
}

// Two target files of 300 and 200 cells (no genes needed) predicted over B, T and Mono with the given seeds: the
// predictions the review tests edit, identical in every process that asks (the crash test's child included).
inline std::vector<std::shared_ptr<const nym::Labeling>> twoFakeTargets(unsigned seedA = 1, unsigned seedB = 2)
{
    nym::Dataset a, b;
    a.matrix = nym::CellMatrix(300, 1);
    b.matrix = nym::CellMatrix(200, 1);
    const std::vector<std::string> classes {"B", "T", "Mono"};
    return {fakeLabeling(a, classes, seedA), fakeLabeling(b, classes, seedB)};
}

}   // namespace nymtest
