#include "ui/workers/datajobs.h"

#include "core/common/error.h"
#include "core/data/simulator.h"
#include "core/io/datasetreader.h"
#include "core/io/modelfile.h"
#include "core/export/labelexport.h"
#include "core/nn/labeler.h"

#include <QCoreApplication>
#include <QFileInfo>
#include <QLocale>

namespace nym::ui {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("nym::ui::jobs", text);
}

void checkStop(std::stop_token stop)
{
    if (stop.stop_requested())
        throw Error("Cancelled.");
}

}   // namespace

namespace jobs {

LoadedData demo()
{
    SimulatorOptions o;
    o.cells = 6000;
    o.genes = 2000;
    o.types = 6;
    o.domains = 2;
    o.seed = 42;
    // Weaker markers and a stronger batch effect than the simulator's defaults, so the demo shows unsure cells and
    // what the adversary and MixMatch do (the defaults are separable after one epoch).
    o.markersPerType = 25;
    o.markerFoldChange = 3.5;
    o.domainGeneShift = 0.9;
    auto domains = simulate(o);
    std::vector<DatasetPtr> train{std::make_shared<const Dataset>(std::move(domains[0].data))};
    std::vector<DatasetPtr> target{std::make_shared<const Dataset>(std::move(domains[1].data))};
    LoadedData j;
    j.data = Project::check(std::move(train), std::move(target));
    j.done = tr("Demo data: 6,000 simulated cells of 6 types in two batches.");
    return j;
}

LoadedData open(std::vector<DatasetPtr> training, std::vector<DatasetPtr> targets, const QStringList &paths,
    FileRole role, bool replace, const QString &labelColumn, const QString &domainColumn, std::stop_token stop)
{
    auto &into = role == FileRole::Training ? training : targets;
    if (replace)
        into.clear();
    LoadedData j;
    QStringList names;
    for (const QString &p : paths) {
        checkStop(stop);
        into.push_back(std::make_shared<const Dataset>(readDataset(p.toStdString())));
        j.opened << (role == FileRole::Training ? QStringLiteral("training|") : QStringLiteral("target|"))
                + QFileInfo(p).absoluteFilePath();
        names << QFileInfo(p).fileName();
    }
    // A label column chosen for other training files may not exist in new ones: choose again then.
    j.data = Project::check(std::move(training), std::move(targets),
        role == FileRole::Training ? QString() : labelColumn, domainColumn);
    j.done = tr("Opened %1.").arg(names.join(QStringLiteral(", ")));
    return j;
}

LoadedData recheck(std::vector<DatasetPtr> training, std::vector<DatasetPtr> targets, const QString &labelColumn,
    const QString &domainColumn)
{
    LoadedData j;
    j.data = Project::check(std::move(training), std::move(targets), labelColumn, domainColumn);
    j.done = tr("Checked the data with label column '%1'.").arg(j.data.labelColumn);
    return j;
}

LoadedModel openModel(const QString &path)
{
    LoadedModel j;
    j.model = std::make_shared<const Model>(loadModel(path.toStdString()));
    j.path = path;
    j.done = tr("Opened the model %1.").arg(QFileInfo(path).fileName());
    return j;
}

WrittenFile saveModel(std::shared_ptr<const Model> model, const QString &path)
{
    if (!model)
        throw Error("There is no model to save yet: train one first.");
    nym::saveModel(*model, path.toStdString(), /*overwrite=*/true);   // the save dialog asked before replacing
    return {path, tr("Saved the model to %1.").arg(path)};
}

LabelledTargets label(std::shared_ptr<const Model> model, std::vector<DatasetPtr> targets, std::stop_token stop)
{
    LabelledTargets j;
    Project::Labelings out;
    std::int64_t cells = 0;
    for (const auto &t : targets) {
        checkStop(stop);
        out.push_back(std::make_shared<const Labeling>(labelDataset(*model, *t)));
        cells += t->cells();
    }
    j.labelings = std::move(out);
    j.done = tr("Labelled %1 target cells.").arg(QLocale().toString(static_cast<qlonglong>(cells)));
    return j;
}

ComputedMap computeMap(std::shared_ptr<const Model> model, Project::Labelings labelings, std::vector<DatasetPtr> training,
    UmapOptions options, std::function<void(const QString &)> progress, std::stop_token stop)
{
    if (!model || labelings.empty())
        throw Error("There are no predictions to map yet.");
    std::vector<float> all;
    std::int64_t targetCells = 0, trainingCells = 0, dims = 0;
    for (const auto &l : labelings) {
        const auto &p = l->predictions;
        if (dims != 0 && p.embeddingSize != dims)
            throw Error("The target files were embedded by different models; label them again with one model.");
        dims = p.embeddingSize;
        all.insert(all.end(), p.embedding.begin(), p.embedding.end());
        targetCells += p.cells;
    }
    for (std::size_t f = 0; f < training.size(); ++f) {
        checkStop(stop);
        progress(tr("Map: embedding training file %1 of %2…").arg(f + 1).arg(training.size()));
        const Labeling l = labelDataset(*model, *training[f]);
        all.insert(all.end(), l.predictions.embedding.begin(), l.predictions.embedding.end());
        trainingCells += l.predictions.cells;
    }
    checkStop(stop);
    Umap umap(std::move(all), targetCells + trainingCells, dims, options);
    int lastPercent = -1;
    const bool done = umap.run([&](UmapStage stage, double fraction) {
        const int percent = static_cast<int>(fraction * 100);
        if (stage == UmapStage::Epochs && percent == lastPercent)
            return;
        lastPercent = percent;
        progress(stage == UmapStage::Epochs ? tr("Map: laying out %1 cells… %2%").arg(QLocale().toString(static_cast<qlonglong>(targetCells + trainingCells))).arg(percent)
                                            : tr("Map: %1…").arg(QString::fromUtf8(umapStageName(stage))));
    }, stop);
    if (!done)
        throw Error("The map was cancelled.");
    auto map = std::make_shared<Project::CellMap>();
    const auto &layout = umap.layout();
    map->target.assign(layout.begin(), layout.begin() + targetCells * 2);
    map->training.assign(layout.begin() + targetCells * 2, layout.end());
    const UmapInfo &info = umap.info();
    map->description = tr("UMAP of the model's embedding: %1 target and %2 training cells, %3 neighbours, min_dist %4, "
                          "%5 start, %6 epochs")
                           .arg(QLocale().toString(static_cast<qlonglong>(targetCells)), QLocale().toString(static_cast<qlonglong>(trainingCells)))
                           .arg(options.neighbors).arg(options.minDist)
                           .arg(QString::fromStdString(info.initialisation)).arg(info.epochs);
    map->labelings = std::move(labelings);
    return {map, tr("Map ready (%1 s).").arg(info.prepareSeconds + info.epochSeconds, 0, 'f', 1)};
}

WrittenFile exportTable(Project::Labelings labelings, std::vector<DatasetPtr> targets,
    std::vector<Annotations> annotations, Project::CellMapPtr map, const QString &path)
{
    if (labelings.empty() || labelings.size() != targets.size() || annotations.size() != targets.size())
        throw Error("There are no predictions to export yet.");
    // The map's coordinates, split per file, when it belongs to these predictions.
    std::vector<std::vector<float>> layouts;
    if (map && map->labelings == labelings) {
        std::size_t at = 0;
        for (const auto &l : labelings) {
            const auto n = static_cast<std::size_t>(l->predictions.cells) * 2;
            layouts.emplace_back(map->target.begin() + static_cast<std::ptrdiff_t>(at), map->target.begin() + static_cast<std::ptrdiff_t>(at + n));
            at += n;
        }
    }
    std::vector<LabelledFile> files;
    for (std::size_t f = 0; f < labelings.size(); ++f)
        files.push_back({targets[f].get(), labelings[f].get(), &annotations[f], {}, layouts.empty() ? nullptr : &layouts[f],
            map ? map->description.toStdString() : std::string()});
    TableWriteOptions o;
    o.overwrite = true;   // the save dialog asked before replacing; the write itself is atomic
    writePerCellTable(path.toStdString(), files, o);
    return {path, tr("Wrote %1.").arg(path)};
}

}   // namespace jobs

bool isOpenInput(const QString &path, const QStringList &inputs)
{
    const QFileInfo target(path);
    for (const QString &input : inputs) {
        const QFileInfo in(input);
        if (target.absoluteFilePath() == in.absoluteFilePath())
            return true;
        if (target.exists() && !target.canonicalFilePath().isEmpty()
            && target.canonicalFilePath() == in.canonicalFilePath())
            return true;
    }
    return false;
}

}   // namespace nym::ui
