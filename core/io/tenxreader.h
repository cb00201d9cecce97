#pragma once

#include "core/data/dataset.h"

#include <optional>
#include <string>
#include <vector>

namespace nym {

struct TenxReadOptions
{
    // Which genome to load. Legacy files (Cell Ranger 1.x/2.x) hold one group per genome: with several, this must
    // be set (the error lists them). Cell Ranger >= 3: keeps only features of this genome. Default: all / the only one.
    std::optional<std::string> genome;
    // Feature types to keep (Cell Ranger >= 3). Default: "Gene Expression" only; empty keeps every feature.
    std::vector<std::string> featureTypes {"Gene Expression"};
    // Probe-based matrices: sum the probes of each gene into one gene column (as Space Ranger's gene-level matrices
    // do), leaving out probes the file flags in filtered_probes. Default true; false keeps one column per probe.
    bool aggregateProbes = true;
    // Load the matrix. false gives barcodes, features and annotations with an empty matrix, for a quick look.
    bool loadMatrix = true;
};

// The genomes a 10x .h5 file holds (legacy: its genome groups; Cell Ranger >= 3: distinct features/genome).
std::vector<std::string> tenxGenomes(const std::string &path);

// Reads a 10x Genomics feature-barcode matrix .h5 (Cell Ranger >= 3, legacy per-genome, probe-based) into a
// Dataset: cells = barcodes, genes = kept features (ids in geneIds, symbols in geneNames), values as stored
// (counts). Untrusted input: every array is checked; problems are nym::Error naming file and element.
// Any thread (HDF5 calls are serialised).
Dataset readTenx(const std::string &path, const TenxReadOptions &options = {});

}   // namespace nym
