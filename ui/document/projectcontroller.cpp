#include "ui/document/projectcontroller.h"

#include "core/common/error.h"
#include "core/common/parallel.h"
#include "ui/document/recentfiles.h"
#include "ui/workers/jobcontroller.h"
#include "ui/workers/trainingcontroller.h"

#include <QFileInfo>
#include <QPointer>

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
        if (isModelFile(p))
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
            m_project->setModel(std::move(r.model), std::nullopt, QFileInfo(r.path).fileName());
            setStatus(r.done);
            Q_EMIT modelOpened();
            if (!m_project->data().targets.empty())
                applyModel();
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

bool ProjectController::exportTable(const QString &path)
{
    if (m_project->labelings().empty())
        return false;
    if (isOpenInput(path, m_project->inputPaths())) {
        Q_EMIT error(tr("Export"), tr("%1 is one of the open data files; choose another name.").arg(path));
        return false;
    }
    // Behind a map being computed, the table waits for it (and gains its coordinates).
    if (m_mapping)
        return deferIfBusy([this, path] { exportTable(path); }, false);
    if (isBusy())
        return false;
    // A snapshot of the annotations: edits made while it is written do not reach this file.
    run<WrittenFile>(tr("Writing %1…").arg(QFileInfo(path).fileName()),
        [labelings = m_project->labelings(), targets = m_project->data().targets,
            annotations = m_project->annotations(), map = m_project->cellMap(), path](std::stop_token) {
            return jobs::exportTable(labelings, targets, annotations, map, path);
        },
        [this, labelings = m_project->labelings()](WrittenFile r) {
            if (m_project->labelings() == labelings)
                m_project->markExported();
            setStatus(r.done);
            Q_EMIT written(r.path);
        });
    return true;
}

void ProjectController::applyModel()
{
    if (deferIfBusy([this] { applyModel(); }))
        return;
    const auto model = m_project->model();
    if (!model || m_project->data().targets.empty())
        return;
    const auto &targets = m_project->data().targets;
    run<LabelledTargets>(tr("Labelling %n target file(s)…", nullptr, static_cast<int>(targets.size())),
        [model, targets](std::stop_token stop) { return jobs::label(model, targets, stop); },
        [this, model](LabelledTargets r) {
            if (m_project->model() != model)
                return;   // another model arrived meanwhile: these predictions are not its
            m_project->setLabelings(std::move(r.labelings));
            setStatus(m_trainedMessage.isEmpty() ? r.done : m_trainedMessage + QLatin1Char(' ') + r.done);
            m_trainedMessage.clear();
            Q_EMIT labelled();
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

bool ProjectController::train()
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
    if (!m_training->start(m_project->data().training, m_project->data().targets, m_project->trainingSetOptions(), o))
        return false;
    setStatus(tr("Preparing the training data…"));
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
    setStatus(tr("Stopping after this step; the best model so far is kept…"));
}

void ProjectController::onTrainingFinished(std::shared_ptr<const Model> model, const TrainingSummary &summary)
{
    m_project->setModel(std::move(model), summary, tr("trained here"));
    m_trainedMessage = (summary.stopped ? tr("Stopped after %1 epochs: held-out accuracy %2%.")
                                        : tr("Trained for %1 epochs: held-out accuracy %2%."))
                           .arg(summary.epochsRun)
                           .arg(100 * summary.heldOutAccuracy, 0, 'f', 1);
    setStatus(m_trainedMessage);
    Q_EMIT busyChanged(isBusy());
    Q_EMIT trainingFinished();
    applyModel();
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
