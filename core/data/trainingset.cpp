#include "core/data/trainingset.h"

#include "core/common/error.h"
#include "core/data/genealignment.h"
#include "core/data/preflight.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

namespace nym {

namespace {

struct Prepared
{
    CellMatrix matrix;   // aligned log1p(CPM)
    std::vector<double> rowSums;
};

Prepared normalizeAndAlign(const Dataset &ds, const std::string &name, const std::vector<std::string> &genes,
    const NormalizeOptions &options, std::vector<std::string> &notes)
{
    NormalizeResult n;
    try {
        n = normalizeToLog1pCpm(ds.matrix, options);
    } catch (const Error &e) {
        throw Error(name + ": " + e.what());
    }
    notes.push_back(name + ": " + n.action);
    GeneAlignment a = alignGenes(ds.geneNames, genes);
    if (a.duplicateNames > 0)
        notes.push_back(name + ": " + std::to_string(a.duplicateNames)
            + " gene names occur more than once; the first column of each is used.");
    Prepared p;
    p.matrix = a.apply(n.matrix);
    p.rowSums = p.matrix.rowSums();
    return p;
}

// Concatenates selected rows of several matrices.
CellMatrix stack(const std::vector<Prepared> &parts, const std::vector<std::pair<std::int32_t, std::int64_t>> &rows,
    std::int64_t cols)
{
    LargeVector<std::int64_t> indptr(rows.size() + 1);
    indptr[0] = 0;
    std::int64_t nnz = 0;
    for (std::size_t i = 0; i < rows.size(); ++i) {
        nnz += static_cast<std::int64_t>(parts[static_cast<std::size_t>(rows[i].first)].matrix.rowIndices(rows[i].second).size());
        indptr[i + 1] = nnz;
    }
    LargeVector<std::int32_t> indices(static_cast<std::size_t>(nnz));
    LargeVector<float> values(static_cast<std::size_t>(nnz));
    std::size_t k = 0;
    for (const auto &[file, row] : rows) {
        const auto &m = parts[static_cast<std::size_t>(file)].matrix;
        const auto idx = m.rowIndices(row);
        const auto val = m.rowValues(row);
        std::copy(idx.begin(), idx.end(), indices.begin() + static_cast<std::ptrdiff_t>(k));
        std::copy(val.begin(), val.end(), values.begin() + static_cast<std::ptrdiff_t>(k));
        k += idx.size();
    }
    return CellMatrix(CellMatrix::Prevalidated {}, static_cast<std::int64_t>(rows.size()), cols, std::move(indptr),
        std::move(indices), std::move(values));
}

}   // namespace

std::string datasetDisplayName(const Dataset &dataset, std::size_t index)
{
    if (dataset.source.path.empty())
        return "dataset " + std::to_string(index + 1);
    return std::filesystem::path(dataset.source.path).stem().string();
}

TrainingSet prepareTrainingSet(
    const std::vector<DatasetPtr> &training, const std::vector<DatasetPtr> &targets, const TrainingSetOptions &options)
{
    if (training.empty())
        throw Error("No training data: give at least one labelled file.");
    if (targets.empty())
        throw Error("No target data: give at least one file to label.");
    for (const auto &d : training)
        if (!d || d->cells() == 0)
            throw Error("A training file holds no cells.");
    for (const auto &d : targets)
        if (!d || d->cells() == 0)
            throw Error((d ? datasetDisplayName(*d, 0) : std::string("A target file")) + " holds no cells to label.");

    TrainingSet set;
    // The label column: as given, else as preflight picks it on the first training file.
    if (options.labelColumn) {
        set.labelColumn = *options.labelColumn;
    } else {
        PreflightOptions po;
        po.role = DatasetRole::Training;
        set.labelColumn = preflight(*training[0], po).labelColumn;
        if (set.labelColumn.empty())
            throw Error(datasetDisplayName(*training[0], 0)
                + ": no column looks like cell-type labels; name the label column.");
    }

    std::vector<const std::vector<std::string> *> geneLists;
    for (const auto &d : training)
        geneLists.push_back(&d->geneNames);
    for (const auto &d : targets)
        geneLists.push_back(&d->geneNames);
    set.genes = sharedGenes(geneLists);
    if (static_cast<std::int64_t>(set.genes.size()) < options.minSharedGenes)
        throw Error("The training and target files share only " + std::to_string(set.genes.size())
            + " gene names (at least " + std::to_string(options.minSharedGenes)
            + " are needed). Check that both name genes the same way (symbols or Ensembl ids) and come from the "
              "same species.");

    // Labels over all training files: the union of their classes, sorted.
    std::vector<ObsColumn> labelCols;
    std::set<std::string> classNames;
    for (std::size_t f = 0; f < training.size(); ++f) {
        const ObsColumn *c = training[f]->findObs(set.labelColumn);
        if (!c)
            throw Error(datasetDisplayName(*training[f], f) + ": there is no obs column '" + set.labelColumn + "'.");
        labelCols.push_back(c->asCategorical());
        for (std::size_t k = 0; k < labelCols.back().categories.size(); ++k)
            if (std::find(labelCols.back().codes.begin(), labelCols.back().codes.end(), static_cast<std::int32_t>(k))
                != labelCols.back().codes.end())
                classNames.insert(labelCols.back().categories[k]);
    }
    set.classes.assign(classNames.begin(), classNames.end());
    if (set.classes.size() < 2)
        throw Error("The label column '" + set.labelColumn + "' holds " + std::to_string(set.classes.size())
            + " class; a classifier needs at least two.");
    std::map<std::string, std::int32_t> classIndex;
    for (std::size_t k = 0; k < set.classes.size(); ++k)
        classIndex[set.classes[k]] = static_cast<std::int32_t>(k);

    // Domains.
    std::map<std::string, std::int32_t> domainIndex;
    auto domainOf = [&](const std::string &name) {
        auto [it, added] = domainIndex.emplace(name, static_cast<std::int32_t>(set.domains.size()));
        if (added)
            set.domains.push_back(name);
        return it->second;
    };
    auto fileDomains = [&](const Dataset &d, std::size_t f, bool isTarget) {
        std::vector<std::int32_t> codes(static_cast<std::size_t>(d.cells()));
        // Reviewed target cells used as training data stay in their target file's domain.
        const bool reviewed = !d.source.reviewedFrom.empty();
        isTarget = isTarget || reviewed;
        const std::string name = reviewed ? d.source.reviewedFrom : datasetDisplayName(d, f);
        switch (options.domains) {
        case DomainSource::TrainingVsTarget:
            std::fill(codes.begin(), codes.end(), domainOf(isTarget ? "target" : "training"));
            break;
        case DomainSource::PerFile:
            std::fill(codes.begin(), codes.end(), domainOf((isTarget ? "target:" : "training:") + name));
            break;
        case DomainSource::Column:
            if (const ObsColumn *c = d.findObs(options.domainColumn)) {
                const ObsColumn cat = c->asCategorical();
                for (std::size_t i = 0; i < codes.size(); ++i)
                    codes[i] = domainOf(cat.codes[i] < 0 ? name + ":missing"
                                                         : cat.categories[static_cast<std::size_t>(cat.codes[i])]);
            } else {
                set.notes.push_back(name + ": no obs column '" + options.domainColumn
                    + "'; all its cells form one domain named after the file.");
                std::fill(codes.begin(), codes.end(), domainOf(name));
            }
            break;
        }
        return codes;
    };
    if (options.domains == DomainSource::TrainingVsTarget) {
        domainOf("training");
        domainOf("target");
    }

    std::vector<Prepared> trainParts, targetParts;
    for (std::size_t f = 0; f < training.size(); ++f) {
        const auto &d = *training[f];
        trainParts.push_back(normalizeAndAlign(d, datasetDisplayName(d, f), set.genes, options.normalize, set.notes));
        const auto domains = fileDomains(d, f, false);
        const auto &col = labelCols[f];
        for (std::int64_t i = 0; i < d.cells(); ++i) {
            const auto code = col.codes[static_cast<std::size_t>(i)];
            if (code < 0) {
                ++set.unlabelledCells;
                continue;
            }
            if (trainParts.back().rowSums[static_cast<std::size_t>(i)] <= 0) {
                ++set.allZeroTrainingCells;
                continue;
            }
            set.labelledOrigin.emplace_back(static_cast<std::int32_t>(f), i);
            set.labels.push_back(classIndex.at(col.categories[static_cast<std::size_t>(code)]));
            set.labelledDomains.push_back(domains[static_cast<std::size_t>(i)]);
        }
    }
    for (std::size_t f = 0; f < targets.size(); ++f) {
        const auto &d = *targets[f];
        targetParts.push_back(normalizeAndAlign(d, datasetDisplayName(d, f), set.genes, options.normalize, set.notes));
        const auto domains = fileDomains(d, f, true);
        for (std::int64_t i = 0; i < d.cells(); ++i) {
            if (targetParts.back().rowSums[static_cast<std::size_t>(i)] <= 0) {
                ++set.allZeroTargetCells;
                continue;
            }
            set.targetOrigin.emplace_back(static_cast<std::int32_t>(f), i);
            set.targetDomains.push_back(domains[static_cast<std::size_t>(i)]);
        }
    }
    if (set.unlabelledCells > 0)
        set.notes.push_back(std::to_string(set.unlabelledCells) + " training cells have no label and are left out.");
    if (set.allZeroTrainingCells + set.allZeroTargetCells > 0)
        set.notes.push_back(std::to_string(set.allZeroTrainingCells + set.allZeroTargetCells)
            + " cells have no counts in the shared genes and are left out of training ("
            + std::to_string(set.allZeroTargetCells) + " of them in the target).");
    if (set.labelledOrigin.size() < 2)
        throw Error("Fewer than two labelled training cells have counts in the shared genes; nothing to learn from.");
    if (set.targetOrigin.empty())
        throw Error("No target cell has counts in the genes shared with the training data.");
    std::set<std::int32_t> present(set.labels.begin(), set.labels.end());
    if (present.size() < 2)
        throw Error("After leaving out cells without counts, only one class remains; a classifier needs two.");

    const auto g = static_cast<std::int64_t>(set.genes.size());
    set.labelled = stack(trainParts, set.labelledOrigin, g);
    set.target = stack(targetParts, set.targetOrigin, g);
    return set;
}

}   // namespace nym
