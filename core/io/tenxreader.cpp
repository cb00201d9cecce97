#include "core/io/tenxreader.h"

#include "core/common/error.h"
#include "core/io/h5_p.h"
#include "core/io/matrixread_p.h"

#include <algorithm>
#include <map>
#include <set>

namespace nym {

namespace {

using h5::Node;

bool isLegacyGenomeGroup(const Node &root, const std::string &name)
{
    auto g = root.tryOpen(name);
    if (!g || !g->isGroup())
        return false;
    for (const char *req : {"barcodes", "data", "indices", "indptr", "shape"})
        if (!g->has(req))
            return false;
    return true;
}

std::vector<std::string> legacyGenomes(const Node &root)
{
    std::vector<std::string> out;
    for (const auto &c : root.children())
        if (isLegacyGenomeGroup(root, c))
            out.push_back(c);
    return out;
}

std::pair<std::int64_t, std::int64_t> readShape(const Node &group)
{
    const Node shapeNode = group.open("shape");
    const auto shape = shapeNode.readInt64();
    if (shape.size() != 2 || shape[0] < 0 || shape[1] < 0)
        shapeNode.fail("should hold two non-negative numbers (features, barcodes)");
    return {shape[0], shape[1]};
}

void checkCount(const Node &node, std::size_t have, std::int64_t want, const char *what)
{
    if (static_cast<std::int64_t>(have) != want)
        node.fail("has " + std::to_string(have) + " entries but the shape says " + std::to_string(want) + " " + what);
}

}   // namespace

std::vector<std::string> tenxGenomes(const std::string &path)
{
    std::lock_guard lock(h5::libraryMutex());
    const Node root = h5::openFile(path);
    if (auto m = root.tryOpen("matrix")) {
        std::set<std::string> g;
        if (m->has("features/genome"))
            for (auto &s : m->open("features/genome").readStrings())
                g.insert(s);
        return {g.begin(), g.end()};
    }
    return legacyGenomes(root);
}

Dataset readTenx(const std::string &path, const TenxReadOptions &options)
{
    std::lock_guard lock(h5::libraryMutex());
    const Node root = h5::openFile(path);
    Dataset ds;
    ds.source.path = path;
    ds.source.format = "10x-h5";

    if (auto m = root.tryOpen("matrix"); m && m->isGroup()) {
        const bool probe = m->has("features/gene_id") && m->has("features/probe_region");
        ds.source.generation = probe ? "Cell Ranger >= 3 (probe-based)" : "Cell Ranger >= 3";
        ds.source.matrixElement = "matrix";
        const auto [nFeatures, nBarcodes] = readShape(*m);
        const Node bcNode = m->open("barcodes");
        ds.cellIds = bcNode.readStrings();
        checkCount(bcNode, ds.cellIds.size(), nBarcodes, "barcodes");
        const Node features = m->open("features");
        const auto ids = features.open("id").readStrings();
        checkCount(features.open("id"), ids.size(), nFeatures, "features");
        const auto names = features.has("name") ? features.open("name").readStrings() : ids;
        checkCount(features.open("id"), names.size(), nFeatures, "features");
        std::vector<std::string> types(static_cast<std::size_t>(nFeatures), "Gene Expression");
        if (features.has("feature_type")) {
            types = features.open("feature_type").readStrings();
            checkCount(features.open("feature_type"), types.size(), nFeatures, "features");
        }
        std::vector<std::string> genomes(static_cast<std::size_t>(nFeatures));
        if (features.has("genome")) {
            genomes = features.open("genome").readStrings();
            checkCount(features.open("genome"), genomes.size(), nFeatures, "features");
        }
        std::vector<double> filteredProbe(static_cast<std::size_t>(nFeatures), 0.0);
        std::vector<std::string> geneIdOfProbe, geneNameOfProbe;
        if (probe && options.aggregateProbes) {
            geneIdOfProbe = features.open("gene_id").readStrings();
            geneNameOfProbe = features.has("gene_name") ? features.open("gene_name").readStrings() : geneIdOfProbe;
            checkCount(features.open("gene_id"), geneIdOfProbe.size(), nFeatures, "features");
            checkCount(features.open("gene_id"), geneNameOfProbe.size(), nFeatures, "features");
            if (features.has("filtered_probes")) {
                const Node fp = features.open("filtered_probes");
                filteredProbe = fp.typeClass() == H5T_ENUM ? fp.readEnumBools() : fp.readDoubles();
                checkCount(fp, filteredProbe.size(), nFeatures, "features");
            }
        }

        // Which features to keep, and the column each maps to.
        const std::set<std::string> wanted(options.featureTypes.begin(), options.featureTypes.end());
        std::vector<std::int32_t> colMap(static_cast<std::size_t>(nFeatures), -1);
        std::map<std::string, std::int32_t> geneColumn;
        std::set<std::string> seenTypes;
        std::int64_t droppedProbes = 0;
        for (std::int64_t f = 0; f < nFeatures; ++f) {
            seenTypes.insert(types[f]);
            if (!wanted.empty() && !wanted.count(types[f]))
                continue;
            if (options.genome && genomes[f] != *options.genome)
                continue;
            if (!geneIdOfProbe.empty()) {
                if (filteredProbe[f] != 0) {
                    ++droppedProbes;
                    continue;
                }
                auto [it, inserted] =
                    geneColumn.emplace(geneIdOfProbe[f], static_cast<std::int32_t>(ds.geneIds.size()));
                if (inserted) {
                    ds.geneIds.push_back(geneIdOfProbe[f]);
                    ds.geneNames.push_back(geneNameOfProbe[f]);
                }
                colMap[f] = it->second;
            } else {
                colMap[f] = static_cast<std::int32_t>(ds.geneIds.size());
                ds.geneIds.push_back(ids[f]);
                ds.geneNames.push_back(names[f]);
            }
        }
        if (ds.geneIds.empty() && nFeatures > 0) {
            std::string avail;
            for (const auto &t : seenTypes)
                avail += (avail.empty() ? "" : ", ") + t;
            throw Error(
                path + ": no features left after keeping feature types and genome (the file has: " + avail + ")");
        }
        ds.geneNameSource =
            probe && options.aggregateProbes ? "features/gene_name (probes summed per gene)" : "features/name";
        if (droppedProbes > 0)
            ds.notes.push_back("Left out " + std::to_string(droppedProbes) + " probes flagged in filtered_probes.");
        if (!geneIdOfProbe.empty())
            ds.notes.push_back("Summed " + std::to_string(nFeatures - droppedProbes) + " probes into "
                + std::to_string(ds.geneIds.size()) + " genes.");
        ds.matrix = options.loadMatrix
            ? io::readCompressedRows(*m, nBarcodes, nFeatures, io::MatrixNames {&ds.cellIds, &names}, colMap,
                static_cast<std::int64_t>(ds.geneIds.size()))
            : (io::checkMatrixStructure(*m), CellMatrix(nBarcodes, static_cast<std::int64_t>(ds.geneIds.size())));
        if (m->has("filtered_barcodes")) {
            const Node fb = m->open("filtered_barcodes");
            ObsColumn col;
            col.name = "filtered_barcodes";
            col.kind = ObsColumn::Kind::Boolean;
            col.numbers = fb.typeClass() == H5T_ENUM ? fb.readEnumBools() : fb.readDoubles();
            checkCount(fb, col.numbers.size(), nBarcodes, "barcodes");
            ds.obs.push_back(std::move(col));
        }
    } else {
        const auto genomes = legacyGenomes(root);
        if (genomes.empty())
            throw Error(path
                + ": neither a /matrix group nor a genome group with barcodes, data, indices, indptr and "
                  "shape: not a 10x Genomics .h5 matrix");
        std::string genome;
        if (options.genome) {
            if (std::find(genomes.begin(), genomes.end(), *options.genome) == genomes.end()) {
                std::string list;
                for (const auto &g : genomes)
                    list += (list.empty() ? "" : ", ") + g;
                throw Error(path + ": has no genome '" + *options.genome + "' (it has: " + list + ")");
            }
            genome = *options.genome;
        } else if (genomes.size() == 1) {
            genome = genomes.front();
        } else {
            std::string list;
            for (const auto &g : genomes)
                list += (list.empty() ? "" : ", ") + g;
            throw Error(path + ": holds several genomes (" + list + "); choose one (--genome NAME)");
        }
        ds.source.generation = "Cell Ranger 1.x/2.x";
        ds.source.matrixElement = genome;
        const Node g = root.open(genome);
        const auto [nGenes, nBarcodes] = readShape(g);
        const Node bcNode = g.open("barcodes");
        ds.cellIds = bcNode.readStrings();
        checkCount(bcNode, ds.cellIds.size(), nBarcodes, "barcodes");
        const Node genesNode = g.open("genes");
        ds.geneIds = genesNode.readStrings();
        checkCount(genesNode, ds.geneIds.size(), nGenes, "genes");
        ds.geneNames = g.has("gene_names") ? g.open("gene_names").readStrings() : ds.geneIds;
        checkCount(genesNode, ds.geneNames.size(), nGenes, "genes");
        ds.geneNameSource = g.has("gene_names") ? genome + "/gene_names" : genome + "/genes";
        ds.matrix = options.loadMatrix
            ? io::readCompressedRows(g, nBarcodes, nGenes, io::MatrixNames {&ds.cellIds, &ds.geneNames})
            : (io::checkMatrixStructure(g), CellMatrix(nBarcodes, nGenes));
    }
    ds.source.matrices = {ds.source.matrixElement};
    ds.validate();
    return ds;
}

}   // namespace nym
