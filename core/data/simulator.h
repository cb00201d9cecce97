#pragma once

#include "core/data/dataset.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace nym {

// Options of the synthetic count-data generator (the app's demo data and the source for scale benchmarks).
// Every field has a default; the same options and seed give the same data on every machine.
struct SimulatorOptions
{
    // Total cells over all domains, split as evenly as possible. 100 to 1,000,000+; default 2000.
    std::int64_t cells = 2000;
    // Genes per cell. Default 2000.
    std::int64_t genes = 2000;
    // Cell types, each with its own marker programme. 2 to 26; default 5.
    int types = 5;
    // Domains (batches/technologies), each written to its own file. 1 or more; default 2.
    int domains = 2;
    // Seed of every random draw. Default 0.
    std::uint64_t seed = 0;
    // Marker genes per type. Default: automatic — max(5, genes / (4 × types)), capped so types do not overlap.
    std::optional<std::int64_t> markersPerType;
    // Mean fold change of a type's markers over the baseline. Larger = easier to tell types apart. Default 6.
    double markerFoldChange = 6.0;
    // Mean counts (UMIs) per cell within the simulated genes, before the domain's own factor. 500 gives about
    // 20% nonzero entries at 2000 genes, like a variable-gene subset of droplet data. Default 500.
    double meanLibrarySize = 500.0;
    // Standard deviation of log library size between cells. Default 0.35.
    double librarySizeSpread = 0.35;
    // Standard deviation of each domain's log library-size factor. Default 0.5.
    double domainLibrarySpread = 0.5;
    // Standard deviation of the per-gene log fold change each domain applies (the batch effect). 0 = no shift;
    // default 0.6.
    double domainGeneShift = 0.6;
    // Spread of cell-type proportions (log-normal sd of type weights). 0 = balanced; default 0.5.
    double typeImbalance = 0.5;
    // Per-cell, per-programme activity variation (log-normal sd): cells of one type are not identical. Default 0.3.
    double cellProgrammeNoise = 0.3;
};

// One domain's cells as a Dataset with obs "cell_type" and "domain" (categorical), raw integer counts in the
// matrix, and gene names ("TypeA_m01" for markers of type A, "Gene00042" otherwise).
struct SimulatedDomain
{
    std::string name;   // "batch1", "batch2", ...
    Dataset data;
};

// Generates the datasets. `progress`, when given, is called with the fraction done (0..1); returning false
// stops early with nym::Error("cancelled"). Throws nym::Error on invalid options.
std::vector<SimulatedDomain> simulate(
    const SimulatorOptions &options, const std::function<bool(double)> &progress = {});

}   // namespace nym
