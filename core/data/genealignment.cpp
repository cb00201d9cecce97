#include "core/data/genealignment.h"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

namespace nym {

double GeneAlignment::matchedFraction() const
{
    return genes.empty() ? 0.0 : static_cast<double>(matched) / static_cast<double>(genes.size());
}

GeneAlignment alignGenes(const std::vector<std::string> &inputGenes, const std::vector<std::string> &outputGenes)
{
    GeneAlignment a;
    a.genes = outputGenes;
    std::unordered_map<std::string, std::int32_t> where;
    where.reserve(inputGenes.size());
    for (std::size_t i = 0; i < inputGenes.size(); ++i)
        if (!where.emplace(inputGenes[i], static_cast<std::int32_t>(i)).second)
            ++a.duplicateNames;
    a.sourceColumn.resize(outputGenes.size(), -1);
    for (std::size_t g = 0; g < outputGenes.size(); ++g) {
        auto it = where.find(outputGenes[g]);
        if (it != where.end()) {
            a.sourceColumn[g] = it->second;
            ++a.matched;
        } else if (a.missingExamples.size() < 5) {
            a.missingExamples.push_back(outputGenes[g]);
        }
    }
    return a;
}

CellMatrix GeneAlignment::apply(const CellMatrix &input) const
{
    // Inverse map: input column → output column (−1 = dropped).
    std::vector<std::int32_t> to(static_cast<std::size_t>(input.cols()), -1);
    for (std::size_t g = 0; g < sourceColumn.size(); ++g)
        if (sourceColumn[g] >= 0 && sourceColumn[g] < input.cols())
            to[static_cast<std::size_t>(sourceColumn[g])] = static_cast<std::int32_t>(g);
    const std::int64_t rows = input.rows();
    LargeVector<std::int64_t> indptr(static_cast<std::size_t>(rows) + 1);
    indptr[0] = 0;
    std::int64_t nnz = 0;
    for (std::int64_t r = 0; r < rows; ++r) {
        for (auto c : input.rowIndices(r))
            nnz += to[static_cast<std::size_t>(c)] >= 0;
        indptr[static_cast<std::size_t>(r) + 1] = nnz;
    }
    LargeVector<std::int32_t> indices(static_cast<std::size_t>(nnz));
    LargeVector<float> values(static_cast<std::size_t>(nnz));
    std::vector<std::pair<std::int32_t, float>> row;
    std::size_t k = 0;
    for (std::int64_t r = 0; r < rows; ++r) {
        row.clear();
        const auto idx = input.rowIndices(r);
        const auto val = input.rowValues(r);
        for (std::size_t j = 0; j < idx.size(); ++j)
            if (auto t = to[static_cast<std::size_t>(idx[j])]; t >= 0)
                row.emplace_back(t, val[j]);
        std::sort(row.begin(), row.end());
        for (const auto &[c, v] : row) {
            indices[k] = c;
            values[k++] = v;
        }
    }
    return CellMatrix(CellMatrix::Prevalidated {}, rows, static_cast<std::int64_t>(genes.size()), std::move(indptr),
        std::move(indices), std::move(values));
}

std::vector<std::string> sharedGenes(const std::vector<const std::vector<std::string> *> &lists)
{
    if (lists.empty())
        return {};
    std::vector<std::unordered_set<std::string>> sets;
    for (std::size_t i = 1; i < lists.size(); ++i)
        sets.emplace_back(lists[i]->begin(), lists[i]->end());
    std::vector<std::string> out;
    std::unordered_set<std::string> seen;
    for (const auto &g : *lists[0]) {
        if (!seen.insert(g).second)
            continue;
        bool all = true;
        for (const auto &s : sets)
            all = all && s.count(g);
        if (all)
            out.push_back(g);
    }
    return out;
}

}   // namespace nym
