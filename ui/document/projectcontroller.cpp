#include "ui/document/projectcontroller.h"

#include "core/common/error.h"
#include "core/common/parallel.h"
#include "core/export/reviewfile.h"
#include "core/model/model.h"
#include "ui/document/recentfiles.h"
#include "ui/workers/jobcontroller.h"
#include "ui/workers/trainingcontroller.h"

#include <QDateTime>
#include <QFileInfo>
#include <QUndoStack>
#include <QPointer>

#include <algorithm>
#include <cmath>
#include <utility>

namespace nym::ui {

ProjectController::ProjectController(Project *project, QObject *parent)
    : QObject(parent)
    , m_project(project)
    , m_jobs(new JobController(this))
    , m_training(new TrainingController(this))
{
    connect(m_jobs, &JobController::failed, this, &ProjectController::onJobFailed);
    connect(m_training, &TrainingController::started, this, &ProjectController::trainingPrepared);
    connect(m_training, &TrainingController::started, this, [this] { setStatus(tr("Training…")); });
    connect(m_training, &TrainingController::stepDone, this, &ProjectController::trainingStep);
    connect(m_training, &TrainingController::epochDone, this, [this](const EpochReport &r) {
        if (std::isfinite(r.heldOutAccuracy))
            setStatus(tr("Training… epoch %1: held-out accuracy %2%").arg(r.epoch + 1).arg(100 * r.heldOutAccuracy, 0, 'f', 1));
        Q_EMIT trainingEpoch(r);
    });
    connect(m_training, &TrainingController::finishing, this, [this](bool stopped) {
        setStatus(stopped ? tr("Stopped; finishing the model: weight average, calibration, linear member…")
                          : tr("Training done; finishing the model: weight average, calibration, linear member…"));
    });
    connect(m_training, &TrainingController::finished, this, &ProjectController::onTrainingFinished);
    connect(m_training, &TrainingController::failed, this, &ProjectController::onTrainingFailed);
}

ProjectController::~ProjectController() = default;

bool ProjectController::isDataFile(const QString &path)
{
    const QString s = QFileInfo(path).suffix().toLower();
    return s == QLatin1String("h5ad") || s == QLatin1String("h5") || s == QLatin1String("hdf5");
}

bool ProjectController::isModelFile(const QString &path)
{
    return QFileInfo(path).suffix().compare(QLatin1String("nym"), Qt::CaseInsensitive) == 0;
}

bool ProjectController::isProjectFile(const QString &path)
{
    return QFileInfo(path).suffix().compare(QLatin1String("nymproj"), Qt::CaseInsensitive) == 0;
}

bool ProjectController::isBusy() const
{
    return m_busy || m_training->isRunning();
}

bool ProjectController::isTraining() const
{
    return m_training->isRunning();
}

void ProjectController::setStatus(const QString &text)
{
    m_status = text;
    Q_EMIT statusChanged(text);
}

template <class Result>
void ProjectController::run(
    const QString &what, std::function<Result(std::stop_token)> job, std::function<void(Result)> apply)
{
    m_busy = true;
    setStatus(what);
    Q_EMIT busyChanged(true);
    m_jobs->run<Result>(std::move(job), [this, apply = std::move(apply)](Result r) {
        m_busy = false;
        apply(std::move(r));
        Q_EMIT busyChanged(isBusy());
        runDeferred();
    });
}

bool ProjectController::deferIfBusy(std::function<void()> request, bool preemptMap)
{
    if (!isBusy())
        return false;
    if (preemptMap && m_mapping)
        cancelMap();   // a map of the data about to change is not worth waiting for
    m_deferred.push_back(std::move(request));
    return true;
}

void ProjectController::runDeferred()
{
    // One request at a time; the rest wait for the job it starts.
    while (!m_deferred.empty() && !isBusy()) {
        auto next = std::move(m_deferred.front());
        m_deferred.pop_front();
        next();
    }
}

void ProjectController::onJobFailed(const QString &message)
{
    m_busy = false;
    m_mapping = false;
    if (std::exchange(m_mapCancelled, false)) {
        // Cancelled on purpose: a status line, no dialog, and the requests waiting behind it go ahead.
        setStatus(m_statusBeforeMap.isEmpty() ? tr("Map cancelled.") : m_statusBeforeMap + QLatin1Char(' ') + tr("Map cancelled."));
        Q_EMIT busyChanged(isBusy());
        runDeferred();
        return;
    }
    m_labelAfterLoad = false;
    setStatus(tr("Failed: %1").arg(message.section(QLatin1Char('\n'), 0, 0)));
    Q_EMIT busyChanged(isBusy());
    Q_EMIT loadFailed(message);
    Q_EMIT error(tr("Nym Studio"), message);
    // Requests queued behind a failed one may depend on it (targets behind their training file): drop them.
    m_deferred.clear();
}

void ProjectController::applyData(LoadedData r)
{
    for (const QString &entry : std::as_const(r.opened))
        RecentFiles::add(RecentFiles::path(entry), RecentFiles::kind(entry));
    m_project->setData(std::move(r.data));
    setStatus(r.done);
    Q_EMIT loaded();
    if (std::exchange(m_labelAfterLoad, false) && m_project->model())
        m_deferred.push_front([this] { applyModel(); });
}

void ProjectController::openDemo()
{
    if (deferIfBusy([this] { openDemo(); }))
        return;
    Q_EMIT titleChanged(tr("Nym Studio — demo data"));
    run<LoadedData>(tr("Simulating the demo data…"), [](std::stop_token) { return jobs::demo(); },
        [this](LoadedData r) { applyData(std::move(r)); });
}

void ProjectController::openFiles(const QString &training, const QString &target)
{
    if (deferIfBusy([this, training, target] { openFiles(training, target); }))
        return;
    Q_EMIT titleChanged(tr("Nym Studio — %1 → %2").arg(QFileInfo(training).fileName(), QFileInfo(target).fileName()));
    run<LoadedData>(tr("Reading %1 and %2…").arg(QFileInfo(training).fileName(), QFileInfo(target).fileName()),
        [training, target](std::stop_token stop) {
            // One job, so the window never shows the pair half-open.
            LoadedData a = jobs::open({}, {}, {training}, Role::Training, true, {}, {}, stop);
            LoadedData b = jobs::open(a.data.training, {}, {target}, Role::Target, true, a.data.labelColumn, {}, stop);
            b.opened = a.opened + b.opened;
            return b;
        },
        [this](LoadedData r) { applyData(std::move(r)); });
}

void ProjectController::addFiles(const QStringList &paths, Role role, bool replace)
{
    if (paths.isEmpty() || deferIfBusy([this, paths, role, replace] { addFiles(paths, role, replace); }))
        return;
    QStringList names;
    for (const QString &p : paths)
        names << QFileInfo(p).fileName();
    Q_EMIT titleChanged(tr("Nym Studio — %1").arg(names.join(QStringLiteral(", "))));
    const auto &d = m_project->data();
    run<LoadedData>(tr("Reading %1…").arg(names.join(QStringLiteral(", "))),
        [training = d.training, targets = d.targets, paths, replace, label = d.labelColumn, domain = d.domainColumn,
            role](std::stop_token stop) {
            return jobs::open(training, targets, paths, role, replace, label, domain, stop);
        },
        [this](LoadedData r) { applyData(std::move(r)); });
}

void ProjectController::applyToNewTargets(const QStringList &paths)
{
    if (paths.isEmpty())
        return;
    if (deferIfBusy([this, paths] { applyToNewTargets(paths); }))
        return;
    m_labelAfterLoad = true;
    addFiles(paths, Role::Target, true);
}

void ProjectController::chooseColumns(const QString &labelColumn, Project::DomainMode mode, const QString &domainColumn)
{
    if (deferIfBusy([this, labelColumn, mode, domainColumn] { chooseColumns(labelColumn, mode, domainColumn); }))
        return;
    const QString column = mode == Project::DomainMode::Column ? domainColumn : QString();
    const auto &d = m_project->data();
    if (labelColumn == d.labelColumn && column == d.domainColumn) {
        m_project->setDomainMode(mode);   // nothing to re-check
        return;
    }
    run<LoadedData>(tr("Checking the data…"),
        [training = d.training, targets = d.targets, labelColumn, column](std::stop_token) {
            return jobs::recheck(training, targets, labelColumn, column);
        },
        [this, mode](LoadedData r) {
            applyData(std::move(r));
            if (mode != Project::DomainMode::Column)
                m_project->setDomainMode(mode);
        });
}

void ProjectController::openDropped(const QStringList &paths, const AskRole &ask)
{
    QStringList data;
    for (const QString &p : paths) {
        if (isProjectFile(p))
            openProject(p);
        else if (isModelFile(p))
            openModel(p);
        else
            data << p;
    }
    if (data.isEmpty())
        return;
    if (m_project->data().training.empty()) {
        // First drop: the first file teaches, the others are labelled.
        const bool noTargets = m_project->data().targets.empty();
        addFiles({data.front()}, Role::Training, true);
        data.pop_front();
        addFiles(data, Role::Target, noTargets);   // waits for the training file
        return;
    }
    if (m_project->data().targets.empty()) {
        addFiles(data, Role::Target, true);
        return;
    }
    if (const auto role = ask ? ask(data.size()) : std::nullopt)
        addFiles(data, *role, false);
}

void ProjectController::openModel(const QString &path)
{
    if (deferIfBusy([this, path] { openModel(path); }))
        return;
    run<LoadedModel>(tr("Reading the model %1…").arg(QFileInfo(path).fileName()),
        [path](std::stop_token) { return jobs::openModel(path); },
        [this](LoadedModel r) {
            RecentFiles::add(r.path, QStringLiteral("model"));
            setStatus(r.done);
            const QString source = QFileInfo(r.path).fileName();
            if (m_project->data().targets.empty()) {
                m_project->setModel(std::move(r.model), std::nullopt, source);
                Q_EMIT modelOpened();
            } else {
                // The model arrives with its predictions (the review carries over): one step, undoable.
                labelWith(std::move(r.model), std::nullopt, source, [this] { Q_EMIT modelOpened(); });
            }
        });
}

bool ProjectController::saveModel(const QString &path)
{
    const auto model = m_project->model();
    if (!model) {
        Q_EMIT error(tr("Save Model"), tr("There is no model to save yet: train one first."));
        return false;
    }
    if (isOpenInput(path, m_project->inputPaths())) {
        Q_EMIT error(tr("Save Model"), tr("%1 is one of the open data files; Nym Studio never writes over your "
                                          "data. Choose another name.").arg(path));
        return false;
    }
    if (isBusy())
        return false;
    run<WrittenFile>(tr("Saving the model to %1…").arg(QFileInfo(path).fileName()),
        [model, path](std::stop_token) { return jobs::saveModel(model, path); },
        [this](WrittenFile r) {
            RecentFiles::add(r.path, QStringLiteral("model"));
            setStatus(r.done);
            Q_EMIT written(r.path);
        });
    return true;
}

ExportRequest ProjectController::exportRequest(const ExportChoices &choices) const
{
    ExportRequest r;
    r.labelings = m_project->labelings();
    r.targets = m_project->data().targets;
    r.annotations = m_project->annotations();
    r.map = m_project->cellMap();
    r.model = m_project->model();
    r.colors = choices.colors;
    // The domain column when domains say more than "target" (a domain column, or one domain per file).
    if (m_project->domainMode() != Project::DomainMode::TrainingVsTarget)
        for (std::size_t f = 0; f < r.targets.size(); ++f)
            r.domains.push_back(m_project->targetDomains(f));
    if (choices.selectionOnly) {
        r.selectionOnly = true;
        r.rows.resize(r.targets.size());
        for (std::int64_t c : choices.selection) {
            const auto [f, local] = m_project->locateCell(c);
            r.rows[f].push_back(local);
        }
        for (auto &rows : r.rows)
            std::sort(rows.begin(), rows.end());
    }
    const auto now = QDateTime::currentDateTimeUtc();
    r.provenance = {{"exported_by", "Nym Studio " NYM_VERSION}, {"exported", now.toString(Qt::ISODate).toStdString()},
        {"model_source", m_project->modelSource().toStdString()},
        {"model_checksum", r.model ? checksumOf(modelBytesCached()) : std::string()},
        {"threshold", QString::number(m_project->threshold()).toStdString()},
        {"cells_edited", std::to_string(m_project->editedCells())},
        {"edits", std::to_string(m_project->undoStack()->count())}};
    return r;
}

std::string ProjectController::modelBytesCached() const
{
    const auto model = m_project->model();
    if (model && model != m_bytesOf) {
        m_modelBytes = modelBytes(*model);
        m_bytesOf = model;
    }
    return model ? m_modelBytes : std::string();
}

bool ProjectController::startExport(const QString &path, const QStringList &outputs, bool h5ad, const ExportChoices &choices)
{
    if (m_project->labelings().empty())
        return false;
    for (const QString &out : outputs)
        if (isOpenInput(out, m_project->inputPaths())) {
            Q_EMIT error(tr("Export"), tr("%1 is one of the open data files; Nym Studio never writes over your data. "
                                          "Choose another name.").arg(out));
            return false;
        }
    // Behind a map being computed, the export waits for it (and gains its coordinates).
    if (m_mapping)
        return deferIfBusy([this, path, h5ad, choices] { h5ad ? exportH5ad(path, choices) : exportTable(path, choices); }, false);
    if (isBusy())
        return false;
    ExportRequest request;
    try {
        request = exportRequest(choices);
    } catch (const Error &e) {
        Q_EMIT error(tr("Export"), QString::fromUtf8(e.what()));
        return false;
    }
    // A snapshot of the annotations: edits made while it is written do not reach this file.
    run<WrittenFile>(tr("Writing %1…").arg(QFileInfo(path).fileName()),
        [request = std::move(request), path, h5ad](std::stop_token) {
            return h5ad ? jobs::exportH5ad(request, path) : jobs::exportTable(request, path);
        },
        [this, labelings = m_project->labelings(), all = !choices.selectionOnly](WrittenFile r) {
            if (all && m_project->labelings() == labelings)
                m_project->markExported();
            setStatus(r.done);
            Q_EMIT written(r.path);
        });
    return true;
}

bool ProjectController::exportTable(const QString &path, const ExportChoices &choices)
{
    return startExport(path, {path}, false, choices);
}

bool ProjectController::exportH5ad(const QString &path, const ExportChoices &choices)
{
    return startExport(path, jobs::h5adExportNames(m_project->data().targets, path), true, choices);
}

bool ProjectController::saveProject(const QString &path, const std::map<std::string, std::string> &view)
{
    if (!m_project->hasData()) {
        Q_EMIT error(tr("Save Project"), tr("Open a training and a target file first."));
        return false;
    }
    if (isOpenInput(path, m_project->inputPaths())) {
        Q_EMIT error(tr("Save Project"), tr("%1 is one of the open data files; choose another name.").arg(path));
        return false;
    }
    if (isBusy())
        return deferIfBusy([this, path, view] { saveProject(path, view); }, false);
    ProjectSnapshot s;
    const auto &d = m_project->data();
    s.training = d.training;
    s.targets = d.targets;
    s.model = m_project->model();
    ProjectFile &f = s.file;
    f.createdBy = "Nym Studio " NYM_VERSION;
    f.saved = QDateTime::currentDateTimeUtc().toString(Qt::ISODate).toStdString();
    f.labelColumn = d.labelColumn.toStdString();
    const auto mode = m_project->domainMode();
    f.domainMode = mode == Project::DomainMode::Column ? "column" : mode == Project::DomainMode::PerFile ? "per-file" : "training-vs-target";
    f.domainColumn = d.domainColumn.toStdString();
    f.trainOptions = trainOptionsToJson(m_project->trainOptions());
    f.basePreset = m_project->basePreset();
    f.modelSource = m_project->modelSource().toStdString();
    f.threshold = m_project->threshold();
    for (const QString &n : m_project->addedLabelNames())
        f.addedLabels.push_back(n.toStdString());
    for (std::size_t t = 0; t < m_project->annotations().size(); ++t)
        f.reviews.push_back(reviewOf(*d.targets[t], m_project->annotations()[t]));
    f.view = view;
    run<WrittenFile>(tr("Saving the project %1…").arg(QFileInfo(path).fileName()),
        [s = std::move(s), path](std::stop_token) mutable { return jobs::saveProject(std::move(s), path); },
        [this](WrittenFile r) {
            RecentFiles::add(r.path, QStringLiteral("project"));
            m_project->undoStack()->setClean();
            setStatus(r.done);
            Q_EMIT written(r.path);
        });
    return true;
}

void ProjectController::openProject(const QString &path)
{
    if (deferIfBusy([this, path] { openProject(path); }))
        return;
    Q_EMIT titleChanged(tr("Nym Studio — %1").arg(QFileInfo(path).fileName()));
    run<OpenedProject>(tr("Opening the project %1…").arg(QFileInfo(path).fileName()),
        [path](std::stop_token stop) { return jobs::openProject(path, stop); },
        [this](OpenedProject r) {
            const ProjectFile file = r.file;
            RecentFiles::add(r.path, QStringLiteral("project"));
            applyData(std::move(r.data));
            if (file.domainMode != "column")
                m_project->setDomainMode(file.domainMode == "per-file" ? Project::DomainMode::PerFile : Project::DomainMode::TrainingVsTarget);
            if (!file.trainOptions.empty()) {
                try {
                    const std::string base = file.basePreset.empty() ? std::string("scnym-default") : file.basePreset;
                    m_project->restoreTrainOptions(
                        trainOptionsFromJson(file.trainOptions, TrainOptions::fromPreset(base)), base);
                } catch (const Error &) {
                    // Settings this version does not know: the defaults stay (the model is what counts).
                }
            }
            m_project->setThreshold(file.threshold);
            for (const auto &n : file.addedLabels)
                m_project->setLabelNameAdded(QString::fromStdString(n), true);
            const auto view = file.view;
            if (!r.model) {
                Q_EMIT projectOpened(view);
                return;
            }
            labelWith(r.model, std::nullopt, QString::fromStdString(file.modelSource.empty() ? "the project's model" : file.modelSource),
                [this, file, view, name = QFileInfo(r.path).fileName()] {
                    const std::int64_t restored = restoreReviews(file);
                    m_project->undoStack()->clear();   // the project as saved is where undo starts
                    m_project->undoStack()->setClean();
                    setStatus(tr("Opened the project %1: %n reviewed cell(s) restored.", nullptr, static_cast<int>(restored)).arg(name)
                        + QLatin1Char(' ') + m_status);
                    Q_EMIT projectOpened(view);
                });
        });
}

std::int64_t ProjectController::restoreReviews(const ProjectFile &file)
{
    std::vector<std::int64_t> cells;
    std::vector<std::string> labels;
    std::vector<Annotations::CellState> states;
    std::int64_t start = 0;
    const auto &targets = m_project->data().targets;
    for (std::size_t f = 0; f < targets.size() && f < file.reviews.size(); ++f) {
        const FileReview &r = file.reviews[f];
        for (std::size_t k = 0; k < r.cells.size(); ++k) {
            const std::int64_t c = r.cells[k];
            if (c < 0 || c >= targets[f]->cells() || targets[f]->cellIds[static_cast<std::size_t>(c)] != r.cellIds[k]) {
                Q_EMIT error(tr("Open Project"), tr("The project's review names cell '%1', which %2 does not hold at that "
                                                    "place; the review was not applied.")
                                                     .arg(QString::fromStdString(r.cellIds[k]), QString::fromStdString(targets[f]->source.path)));
                return 0;
            }
            cells.push_back(start + c);
            labels.push_back(r.labels[k]);
            states.push_back(r.states[k]);
        }
        start += targets[f]->cells();
    }
    if (!cells.empty())
        m_project->restoreCells(cells, labels, states);
    return static_cast<std::int64_t>(cells.size());
}

void ProjectController::applyModel()
{
    if (deferIfBusy([this] { applyModel(); }))
        return;
    if (!m_project->model() || m_project->data().targets.empty())
        return;
    labelWith(m_project->model(), m_project->summary(), m_project->modelSource());
}

void ProjectController::labelWith(std::shared_ptr<const Model> model, std::optional<TrainingSummary> summary,
    const QString &source, std::function<void()> then)
{
    if (deferIfBusy([=, this] { labelWith(model, summary, source, then); }))
        return;
    const auto targets = m_project->data().targets;
    if (!model || targets.empty())
        return;
    run<LabelledTargets>(tr("Labelling %n target file(s)…", nullptr, static_cast<int>(targets.size())),
        [model, targets](std::stop_token stop) { return jobs::label(model, targets, stop); },
        [this, model, summary, source, targets, then](LabelledTargets r) {
            if (m_project->data().targets != targets)
                return;   // other targets were opened meanwhile: these predictions are not theirs
            // What the cells nobody reviewed were called before (for "which labels did retraining change").
            const bool compare = std::exchange(m_compareAfterLabelling, false) && !m_project->annotations().empty();
            std::vector<std::vector<std::string>> before;
            if (compare)
                for (const auto &a : m_project->annotations())
                    before.push_back(a.finalLabels());
            const std::int64_t carried = m_project->applyModel(model, summary, source, std::move(r.labelings));
            QString done = r.done;
            if (carried > 0)
                done += QLatin1Char(' ') + tr("Your review of %n cell(s) was kept.", nullptr, static_cast<int>(carried));
            std::vector<std::int64_t> changed;
            if (compare && before.size() == m_project->annotations().size()) {
                std::int64_t start = 0;
                for (std::size_t f = 0; f < before.size(); ++f) {
                    const Annotations &a = m_project->annotations()[f];
                    for (std::int64_t i = 0; i < a.cells() && i < static_cast<std::int64_t>(before[f].size()); ++i)
                        if (a.source(i) == LabelSource::Model && !a.reviewed(i) && a.finalLabel(i) != before[f][static_cast<std::size_t>(i)])
                            changed.push_back(start + i);
                    start += a.cells();
                }
                done += QLatin1Char(' ') + tr("%n cell(s) nobody reviewed changed label (selected on the map).", nullptr,
                                               static_cast<int>(changed.size()));
            }
            setStatus(m_trainedMessage.isEmpty() ? done : m_trainedMessage + QLatin1Char(' ') + done);
            m_trainedMessage.clear();
            Q_EMIT labelled();
            if (compare)
                Q_EMIT retrainedChanged(changed);
            if (then)
                then();
            if (m_autoMap)
                m_deferred.push_front([this] { computeMap(); });
        });
}

void ProjectController::computeMap()
{
    if (deferIfBusy([this] { computeMap(); }))
        return;
    const auto model = m_project->model();
    if (!model || m_project->labelings().empty())
        return;
    m_mapping = true;
    m_mapCancelled = false;
    // The line before the map (how training or labelling went) stays, with the map's outcome after it.
    const QString before = m_status;
    m_statusBeforeMap = before;
    QPointer<ProjectController> self(this);
    auto progress = [self](const QString &text) {
        QMetaObject::invokeMethod(self.data(), [self, text] {
            if (self && self->m_mapping)
                self->setStatus(text);
        }, Qt::QueuedConnection);
    };
    run<ComputedMap>(tr("Map: starting…"),
        [model, labelings = m_project->labelings(), training = m_project->data().training, options = mapOptions(),
            progress](std::stop_token stop) {
            return jobs::computeMap(model, labelings, training, options, progress, stop);
        },
        [this, before](ComputedMap r) {
            m_mapping = false;
            if (!m_project->setCellMap(r.map))
                return;   // the predictions changed meanwhile
            setStatus(before.isEmpty() ? r.done : before + QLatin1Char(' ') + r.done);
            Q_EMIT mapped();
        });
}

UmapOptions ProjectController::mapOptions() const
{
    // One core stays with the window: the layout's threads meet thousands of times a second and would otherwise
    // take the GUI's turn on a two-core machine.
    UmapOptions o = m_mapOptions;
    if (o.threads <= 0)
        o.threads = std::max(1, defaultThreadCount() - 1);
    return o;
}

void ProjectController::cancelMap()
{
    if (!m_mapping)
        return;
    m_mapCancelled = true;
    m_jobs->cancel();
}

bool ProjectController::train(bool withCorrections)
{
    if (isBusy())
        return false;
    const QString why = m_project->blockingReason();
    if (!why.isEmpty()) {
        setStatus(tr("Training cannot start: %1").arg(why));
        return false;
    }
    const TrainOptions o = m_project->trainOptions();
    try {
        o.validate();
    } catch (const Error &e) {
        Q_EMIT error(tr("Training settings"), QString::fromUtf8(e.what()));
        return false;
    }
    m_stopRequested = false;
    auto training = m_project->data().training;
    const auto corrections = withCorrections ? m_project->correctionsAsTraining() : std::vector<DatasetPtr>();
    if (withCorrections && corrections.empty()) {
        setStatus(tr("Nothing to retrain with: review or relabel some cells first."));
        return false;
    }
    training.insert(training.end(), corrections.begin(), corrections.end());
    // Corrections teach the current model further (its weights as the start): what changes then is what the
    // corrections taught, not a new random draw of the whole network (docs/REVIEW.md).
    if (!m_training->start(training, m_project->data().targets, m_project->trainingSetOptions(), o,
            withCorrections ? m_project->model() : nullptr))
        return false;
    m_compareAfterLabelling = withCorrections;
    std::int64_t added = 0;
    for (const auto &d : corrections)
        added += d->cells();
    setStatus(withCorrections ? tr("Preparing the training data with %n reviewed cell(s)…", nullptr, static_cast<int>(added))
                              : tr("Preparing the training data…"));
    Q_EMIT trainingStarted(o.epochs);
    Q_EMIT busyChanged(true);
    return true;
}

void ProjectController::stopTraining()
{
    if (!m_training->isRunning())
        return;
    m_stopRequested = true;
    m_training->stop();
    setStatus(tr("Stopping after this step; the model so far is kept…"));
}

void ProjectController::onTrainingFinished(std::shared_ptr<const Model> model, const TrainingSummary &summary)
{
    m_trainedMessage = (summary.stopped ? tr("Stopped after %1 epochs: held-out accuracy %2%.")
                                        : tr("Trained for %1 epochs: held-out accuracy %2%."))
                           .arg(summary.epochsRun)
                           .arg(100 * summary.heldOutAccuracy, 0, 'f', 1);
    setStatus(m_trainedMessage);
    Q_EMIT busyChanged(isBusy());
    Q_EMIT trainingFinished();
    if (m_project->data().targets.empty()) {
        m_project->setModel(std::move(model), summary, tr("trained here"));
        m_compareAfterLabelling = false;
    } else {
        labelWith(std::move(model), summary, tr("trained here"));
    }
    runDeferred();
}

void ProjectController::onTrainingFailed(const QString &message)
{
    Q_EMIT busyChanged(isBusy());
    if (m_stopRequested) {
        setStatus(message);
    } else {
        setStatus(tr("Training failed."));
        Q_EMIT error(tr("Training failed"), message);
    }
    Q_EMIT trainingFailed(message);
    runDeferred();
}

}   // namespace nym::ui
