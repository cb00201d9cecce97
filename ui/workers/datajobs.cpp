#include "ui/workers/datajobs.h"

#include "core/common/error.h"
#include "core/data/simulator.h"
#include "core/io/datasetreader.h"
#include "core/io/modelfile.h"
#include "core/data/trainingset.h"
#include "core/export/labelexport.h"
#include "core/io/h5adwriter.h"
#include "core/nn/labeler.h"

#include <QCoreApplication>
#include <QDir>
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

namespace {

std::vector<std::vector<float>> splitLayout(const ExportRequest &r)
{
    // The map's coordinates, split per file, when it belongs to these predictions.
    std::vector<std::vector<float>> layouts;
    if (r.map && r.map->labelings == r.labelings) {
        std::size_t at = 0;
        for (const auto &l : r.labelings) {
            const auto n = static_cast<std::size_t>(l->predictions.cells) * 2;
            layouts.emplace_back(r.map->target.begin() + static_cast<std::ptrdiff_t>(at), r.map->target.begin() + static_cast<std::ptrdiff_t>(at + n));
            at += n;
        }
    }
    return layouts;
}

LabelledFile labelledFile(const ExportRequest &r, std::size_t f, const std::vector<std::vector<float>> &layouts)
{
    LabelledFile file;
    file.dataset = r.targets[f].get();
    file.labeling = r.labelings[f].get();
    file.annotations = &r.annotations[f];
    file.umap = layouts.empty() ? nullptr : &layouts[f];
    file.umapDescription = r.map ? r.map->description.toStdString() : std::string();
    if (f < r.domains.size())
        file.domains = r.domains[f];
    if (r.selectionOnly)
        file.rows = &r.rows.at(f);
    file.colors = r.colors;
    file.provenance = r.provenance;
    return file;
}

void checkRequest(const ExportRequest &r)
{
    if (r.labelings.empty() || r.labelings.size() != r.targets.size() || r.annotations.size() != r.targets.size())
        throw Error("There are no predictions to export yet.");
    if (r.selectionOnly && r.rows.size() != r.targets.size())
        throw Error("There is no selection to export.");
}

}   // namespace

WrittenFile exportTable(const ExportRequest &r, const QString &path)
{
    checkRequest(r);
    const auto layouts = splitLayout(r);
    std::vector<LabelledFile> files;
    std::size_t rows = 0;
    for (std::size_t f = 0; f < r.labelings.size(); ++f) {
        files.push_back(labelledFile(r, f, layouts));
        rows += r.selectionOnly ? r.rows[f].size() : static_cast<std::size_t>(r.targets[f]->cells());
    }
    if (rows == 0)
        throw Error("The selection holds no target cells: select some cells on the map first.");
    TableWriteOptions o;
    o.overwrite = true;   // the save dialog asked before replacing; the write itself is atomic
    writePerCellTable(path.toStdString(), files, o);
    return {path, tr("Wrote %1 (%2 cells).").arg(path, QLocale().toString(static_cast<qulonglong>(rows)))};
}

QStringList h5adExportNames(const std::vector<DatasetPtr> &targets, const QString &path)
{
    if (targets.size() == 1)
        return {path};
    const QFileInfo base(path);
    QStringList out;
    for (std::size_t f = 0; f < targets.size(); ++f)
        out << base.dir().filePath(base.completeBaseName() + QLatin1Char('.') + QString::fromStdString(datasetDisplayName(*targets[f], f))
                                   + QStringLiteral(".h5ad"));
    return out;
}

WrittenFile exportH5ad(const ExportRequest &r, const QString &path)
{
    checkRequest(r);
    if (!r.model)
        throw Error("There is no model to describe in the files' provenance.");
    const auto layouts = splitLayout(r);
    const QStringList names = h5adExportNames(r.targets, path);
    ExportRequest all = r;
    all.selectionOnly = false;   // an annotated copy holds every cell of its file
    for (std::size_t f = 0; f < r.targets.size(); ++f) {
        const Dataset &d = *r.targets[f];
        const H5adAdditions add = h5adAdditions(labelledFile(all, f, layouts), *r.model);
        H5adWriteOptions o;
        o.overwrite = true;   // the save dialog asked; never the input (checked by the caller and by writeAnnotatedCopy)
        if (d.source.format == "h5ad")
            writeAnnotatedCopy(d.source.path, names[static_cast<qsizetype>(f)].toStdString(), add, o);
        else
            writeH5ad(d, names[static_cast<qsizetype>(f)].toStdString(), add, o);
    }
    return {path, names.size() == 1 ? tr("Wrote %1.").arg(names.front())
                                    : tr("Wrote %1 annotated files (%2).").arg(names.size()).arg(names.join(QStringLiteral(", ")))};
}

WrittenFile saveProject(ProjectSnapshot s, const QString &path)
{
    for (const auto *files : {&s.training, &s.targets})
        for (const auto &d : *files)
            if (d->source.path.empty())
                throw Error("The data of this project exists only in memory (the demo, or simulated data): a project "
                            "refers to data files, so open files to save one.");
    for (const auto &d : s.training)
        s.file.training.push_back(fingerprint(d->source.path));
    for (const auto &d : s.targets)
        s.file.targets.push_back(fingerprint(d->source.path));
    if (s.model)
        s.file.model = modelBytes(*s.model);
    writeProjectFile(path.toStdString(), s.file);
    return {path, tr("Saved the project %1.").arg(QFileInfo(path).fileName())};
}

OpenedProject openProject(const QString &path, std::stop_token stop)
{
    OpenedProject o;
    o.path = path;
    o.file = readProjectFile(path.toStdString());
    const QDir beside = QFileInfo(path).absoluteDir();
    // Where each data file is now: where it was saved, else beside the project (a project handed over with its data).
    const auto locate = [&](const FileFingerprint &f) {
        if (QFileInfo::exists(QString::fromStdString(f.path)))
            return QString::fromStdString(f.path);
        const QString here = beside.filePath(QFileInfo(QString::fromStdString(f.path)).fileName());
        if (QFileInfo::exists(here))
            return here;
        throw Error("The project's data file " + f.path + " was not found (nor beside the project, in "
            + beside.absolutePath().toStdString() + ").");
    };
    QStringList training, targets;
    for (const auto &f : o.file.training)
        training << locate(f);
    for (const auto &f : o.file.targets)
        targets << locate(f);
    if (training.isEmpty() || targets.isEmpty())
        throw Error(path.toStdString() + " names no training or no target file.");
    for (std::size_t i = 0; i < o.file.training.size() + o.file.targets.size(); ++i) {
        const bool isTraining = i < o.file.training.size();
        const FileFingerprint &f = isTraining ? o.file.training[i] : o.file.targets[i - o.file.training.size()];
        const QString at = isTraining ? training[static_cast<qsizetype>(i)] : targets[static_cast<qsizetype>(i - o.file.training.size())];
        const std::string why = fingerprintMismatch(f, at.toStdString());
        if (!why.empty())
            throw Error(why + " The project was made with the earlier file, so it was not opened.");
    }
    const QString label = QString::fromStdString(o.file.labelColumn);
    const QString domain = o.file.domainMode == "column" ? QString::fromStdString(o.file.domainColumn) : QString();
    LoadedData a = open({}, {}, training, FileRole::Training, true, label, domain, stop);
    LoadedData b = open(a.data.training, {}, targets, FileRole::Target, true, label, domain, stop);
    b.opened = a.opened + b.opened;
    // The training files were checked before the label column was known: check everything with it now.
    b.data = Project::check(b.data.training, b.data.targets, label, domain);
    o.data = std::move(b);
    if (!o.file.model.empty())
        o.model = std::make_shared<const Model>(modelFromBytes(o.file.model));
    o.data.done = tr("Opened the project %1.").arg(QFileInfo(path).fileName());
    return o;
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
