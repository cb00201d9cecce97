#pragma once

#include "core/data/cellmatrix.h"

#include <cstdint>
#include <string>
#include <vector>

namespace nym {

// How the genes of one matrix map onto a fixed gene order (a model's genes, or the genes shared by all files).
// Plain value type; any thread.
struct GeneAlignment
{
    std::vector<std::string> genes;           // the output order
    std::vector<std::int32_t> sourceColumn;   // per output gene: its column in the input, -1 when missing
    std::int64_t matched = 0;                 // output genes found in the input
    std::int64_t duplicateNames = 0;          // input names seen more than once (the first occurrence is used)
    std::vector<std::string> missingExamples; // up to 5 output genes the input lacks

    double matchedFraction() const;
    // Input columns reordered to `genes`; missing genes are all-zero columns.
    CellMatrix apply(const CellMatrix &input) const;
};

// Maps `inputGenes` (a matrix's column names) onto `outputGenes` by exact name.
GeneAlignment alignGenes(const std::vector<std::string> &inputGenes, const std::vector<std::string> &outputGenes);

// The genes present in every list, in the order of the first list (each name once).
std::vector<std::string> sharedGenes(const std::vector<const std::vector<std::string> *> &lists);

}   // namespace nym
