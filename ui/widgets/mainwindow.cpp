#include "ui/widgets/mainwindow.h"

#include "core/common/error.h"
#include "core/io/libraryversions.h"
#include "core/nn/predictor.h"
#include "core/io/modelfile.h"
#include "ui/document/project.h"
#include "ui/plots/reliabilityplot.h"
#include "ui/plots/trainingcurves.h"
#include "ui/widgets/datapanel.h"
#include "ui/widgets/resultsview.h"
#include "ui/widgets/trainingpanel.h"
#include "ui/workers/datajobs.h"
#include "ui/workers/jobcontroller.h"
#include "ui/workers/trainingcontroller.h"

#include <QApplication>
#include <QCloseEvent>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QProgressBar>
#include <QPushButton>
#include <QScreen>
#include <QSettings>
#include <QSplitter>
#include <QStatusBar>
#include <QTabWidget>
#include <QToolBar>
#include <QVBoxLayout>

#include <cmath>
#include <optional>

namespace nym::ui {

namespace {

constexpr int kMaxRecent = 10;

bool isModelFile(const QString &path)
{
    return QFileInfo(path).suffix().compare(QLatin1String("nym"), Qt::CaseInsensitive) == 0;
}

bool isDataFile(const QString &path)
{
    const QString s = QFileInfo(path).suffix().toLower();
    return s == QLatin1String("h5ad") || s == QLatin1String("h5") || s == QLatin1String("hdf5");
}

QString duration(double seconds)
{
    if (!std::isfinite(seconds) || seconds < 0)
        return QStringLiteral("–");
    const auto s = static_cast<long long>(std::llround(seconds));
    if (s >= 3600)
        return QStringLiteral("%1:%2:%3").arg(s / 3600).arg((s / 60) % 60, 2, 10, QLatin1Char('0')).arg(s % 60, 2, 10, QLatin1Char('0'));
    return QStringLiteral("%1:%2").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
}

}   // namespace

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent)
    , m_project(new Project(this))
    , m_controller(new TrainingController(this))
    , m_jobs(new JobController(this))
    , m_tabs(new QTabWidget(this))
    , m_status(new QLabel(this))
    , m_trainStatus(new QLabel(this))
    , m_progress(new QProgressBar(this))
{
    setWindowTitle(tr("Nym Studio"));
    setAcceptDrops(true);
    m_data = new DataPanel(m_project, m_tabs);
    m_tabs->addTab(m_data, tr("1 · &Data"));

    auto *trainingPage = new QSplitter(Qt::Horizontal, m_tabs);
    auto *left = new QWidget(trainingPage);
    auto *leftLayout = new QVBoxLayout(left);
    m_panel = new TrainingPanel(left);
    leftLayout->addWidget(m_panel, 1);
    auto *buttons = new QHBoxLayout;
    auto *trainButton = new QPushButton(tr("Train"), left);
    auto *stopButton = new QPushButton(tr("Stop"), left);
    buttons->addWidget(trainButton);
    buttons->addWidget(stopButton);
    leftLayout->addLayout(buttons);
    auto *right = new QWidget(trainingPage);
    auto *grid = new QVBoxLayout(right);
    grid->setContentsMargins(0, 0, 0, 0);
    m_curves = new TrainingCurves(right);
    m_reliability = new ReliabilityPlot(right);
    // The reliability diagram takes the free cell of the curves' 2 × 2 grid.
    if (auto *g = qobject_cast<QGridLayout *>(m_curves->layout()))
        g->addWidget(m_reliability, 1, 1);
    grid->addWidget(m_curves);
    trainingPage->addWidget(left);
    trainingPage->addWidget(right);
    trainingPage->setStretchFactor(1, 1);
    trainingPage->setSizes({360, 900});
    m_tabs->addTab(trainingPage, tr("2 · &Training"));
    m_results = new ResultsView(m_project, m_tabs);
    m_tabs->addTab(m_results, tr("3 · &Results"));
    setCentralWidget(m_tabs);

    m_progress->setMaximumWidth(220);
    m_progress->setTextVisible(true);
    m_progress->hide();
    statusBar()->addWidget(m_status, 1);
    statusBar()->addPermanentWidget(m_trainStatus);
    statusBar()->addPermanentWidget(m_progress);

    createActions();
    connect(trainButton, &QPushButton::clicked, m_train, &QAction::trigger);
    connect(stopButton, &QPushButton::clicked, m_stop, &QAction::trigger);
    connect(m_train, &QAction::changed, trainButton, [trainButton, this] {
        trainButton->setEnabled(m_train->isEnabled());
        trainButton->setToolTip(m_train->toolTip());
    });
    connect(m_stop, &QAction::changed, stopButton, [stopButton, this] { stopButton->setEnabled(m_stop->isEnabled()); });

    connect(m_data, &DataPanel::columnsChosen, this, &MainWindow::recheck);
    connect(m_project, &Project::dataChanged, this, &MainWindow::updateActions);
    connect(m_project, &Project::modelChanged, this, &MainWindow::updateActions);
    connect(m_project, &Project::labelingsChanged, this, &MainWindow::updateActions);
    connect(m_controller, &TrainingController::started, this, &MainWindow::onStarted);
    connect(m_controller, &TrainingController::stepDone, this, &MainWindow::onStep);
    connect(m_controller, &TrainingController::epochDone, this, &MainWindow::onEpoch);
    connect(m_controller, &TrainingController::finished, this, &MainWindow::onFinished);
    connect(m_controller, &TrainingController::failed, this, &MainWindow::onFailed);
    connect(m_jobs, &JobController::finished, this, &MainWindow::onJobDone);
    connect(m_jobs, &JobController::failed, this, &MainWindow::onJobFailed);

    QSettings s;
    if (!restoreGeometry(s.value(QStringLiteral("window/geometry")).toByteArray())) {
        const QRect avail = screen() ? screen()->availableGeometry() : QRect(0, 0, 1400, 900);
        resize(std::min(1320, avail.width() * 9 / 10), std::min(860, avail.height() * 9 / 10));
    }
    restoreState(s.value(QStringLiteral("window/state")).toByteArray());
    m_status->setText(tr("Open a training and a target dataset, or the demo data (File → Open Demo)."));
    updateActions();
}

MainWindow::~MainWindow() = default;

void MainWindow::createActions()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    m_openTraining = file->addAction(tr("&Open Training Data…"), this, [this] { chooseFiles(Role::Training, true); });
    m_openTraining->setShortcut(QKeySequence::Open);
    m_openTraining->setStatusTip(tr("Open the labelled dataset(s) to learn from (.h5ad or 10x .h5)."));
    m_addTraining = file->addAction(tr("Add Training Data…"), this, [this] { chooseFiles(Role::Training, false); });
    m_openTarget = file->addAction(tr("Open &Target Data…"), this, [this] { chooseFiles(Role::Target, true); });
    m_openTarget->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_T));
    m_openTarget->setStatusTip(tr("Open the dataset(s) to label."));
    m_addTarget = file->addAction(tr("Add Target Data…"), this, [this] { chooseFiles(Role::Target, false); });
    m_demo = file->addAction(tr("Open &Demo"), this, &MainWindow::openDemo);
    m_demo->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_D));
    m_demo->setStatusTip(tr("Simulated training and target data with a batch effect."));
    m_recent = file->addMenu(tr("Open &Recent"));
    connect(m_recent, &QMenu::aboutToShow, this, &MainWindow::fillRecentMenu);
    file->addSeparator();
    m_openModel = file->addAction(tr("Open &Model…"), this, &MainWindow::chooseModel);
    m_openModel->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O));
    m_saveModel = file->addAction(tr("&Save Model…"), this, &MainWindow::chooseSaveModel);
    m_saveModel->setShortcut(QKeySequence::Save);
    m_export = file->addAction(tr("&Export Labels Table…"), this, &MainWindow::exportTable);
    m_export->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
    file->addSeparator();
    QAction *quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);

    QMenu *model = menuBar()->addMenu(tr("&Model"));
    m_train = model->addAction(tr("&Train"), this, [this] { train(); });
    m_train->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_R));
    m_stop = model->addAction(tr("&Stop Training"), this, &MainWindow::stopTraining);
    m_stop->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Period));
    model->addSeparator();
    m_apply = model->addAction(tr("&Apply Model to Target"), this, &MainWindow::applyModel);
    m_applyNew = model->addAction(tr("Apply Model to &New Target…"), this, &MainWindow::chooseNewTarget);

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About Nym Studio"), this, &MainWindow::showAbout);
    help->addAction(tr("About &Qt"), qApp, &QApplication::aboutQt);

    QToolBar *bar = addToolBar(tr("Main"));
    bar->setObjectName(QStringLiteral("mainToolBar"));
    bar->setToolButtonStyle(Qt::ToolButtonTextOnly);
    bar->addAction(m_openTraining);
    bar->addAction(m_openTarget);
    bar->addAction(m_demo);
    bar->addSeparator();
    bar->addAction(m_train);
    bar->addAction(m_stop);
    bar->addSeparator();
    bar->addAction(m_openModel);
    bar->addAction(m_saveModel);
    bar->addAction(m_apply);
}

void MainWindow::updateActions()
{
    const bool training = m_controller->isRunning();
    const bool idle = !m_busy && !training;
    const QString why = m_project->blockingReason();
    for (QAction *a : {m_openTraining, m_addTraining, m_openTarget, m_addTarget, m_demo, m_openModel})
        a->setEnabled(idle);
    m_train->setEnabled(idle && why.isEmpty());
    m_train->setToolTip(why.isEmpty() ? tr("Train a model on the open data with the settings on the left (Ctrl+R).")
                                      : tr("Training cannot start: %1").arg(why));
    m_stop->setEnabled(training);
    m_saveModel->setEnabled(idle && m_project->model() != nullptr);
    m_apply->setEnabled(idle && m_project->model() && !m_project->data().targets.empty());
    m_applyNew->setEnabled(idle && m_project->model() != nullptr);
    m_export->setEnabled(idle && !m_project->labelings().empty());
    m_panel->setRunning(training);
    m_data->setBusy(!idle);
}

bool MainWindow::isBusy() const
{
    return m_busy || m_controller->isRunning();
}

bool MainWindow::isTraining() const
{
    return m_controller->isRunning();
}

QString MainWindow::reportText() const
{
    return m_data->reportText();
}

QString MainWindow::statusText() const
{
    return m_status->text();
}

bool MainWindow::deferIfBusy(std::function<void()> request)
{
    if (!isBusy())
        return false;
    m_deferred.push_back(std::move(request));
    return true;
}

void MainWindow::runDeferred()
{
    if (isBusy() || m_deferred.empty())
        return;
    auto next = std::move(m_deferred.front());
    m_deferred.pop_front();
    next();
}

void MainWindow::runJob(const QString &what, JobController::Job job)
{
    if (isBusy() || !m_jobs->start(std::move(job)))
        return;
    m_busy = true;
    updateActions();
    m_progress->setRange(0, 0);
    m_progress->setFormat(QString());
    m_progress->show();
    m_status->setText(what);
}

void MainWindow::onJobFailed(const QString &message)
{
    m_busy = false;
    m_progress->hide();
    updateActions();
    m_labelAfterLoad = false;
    m_deferred.clear();   // what was queued behind a failed step would act on the wrong data
    m_status->setText(tr("Failed: %1").arg(message.section(QLatin1Char('\n'), 0, 0)));
    showError(tr("Nym Studio"), message);
    Q_EMIT loadFailed(message);
}

void MainWindow::onJobDone(const JobResult &result)
{
    JobResult r = result;
    m_busy = false;
    m_progress->hide();
    updateActions();
    for (const QString &entry : r.opened)
        rememberFile(entry.section(QLatin1Char('|'), 1), entry.section(QLatin1Char('|'), 0, 0));
    m_status->setText(r.done);
    if (r.data) {
        m_project->setData(std::move(*r.data));
        Q_EMIT loaded();
        if (std::exchange(m_labelAfterLoad, false) && m_project->model())
            applyModel();
    }
    if (r.model) {
        m_project->setModel(r.model, std::nullopt, QFileInfo(r.modelPath).fileName());
        m_curves->reset(1);
        m_reliability->reset();
        m_tabs->setCurrentWidget(m_results);
        if (!m_project->data().targets.empty())
            applyModel();
    }
    if (r.labelings) {
        if (!m_trainedMessage.isEmpty())
            m_status->setText(std::exchange(m_trainedMessage, QString()) + QLatin1Char(' ') + r.done);
        m_project->setLabelings(std::move(*r.labelings));
        m_tabs->setCurrentWidget(m_results);
        Q_EMIT labelled();
    }
    runDeferred();
}

void MainWindow::openDemo()
{
    if (deferIfBusy([this] { openDemo(); }))
        return;
    setWindowTitle(tr("Nym Studio — demo data"));
    runJob(tr("Simulating the demo data…"), [](std::stop_token) { return jobs::demo(); });
}

void MainWindow::openFiles(const QString &training, const QString &target)
{
    if (deferIfBusy([this, training, target] { openFiles(training, target); }))
        return;
    setWindowTitle(tr("Nym Studio — %1 → %2").arg(QFileInfo(training).fileName(), QFileInfo(target).fileName()));
    runJob(tr("Reading %1 and %2…").arg(QFileInfo(training).fileName(), QFileInfo(target).fileName()),
        [training, target](std::stop_token stop) {
            // One job, so the window never shows the pair half-open.
            JobResult a = jobs::open({}, {}, {training}, jobs::Role::Training, true, {}, {}, stop);
            JobResult b = jobs::open(a.data->training, {}, {target}, jobs::Role::Target, true, a.data->labelColumn,
                {}, stop);
            b.opened = a.opened + b.opened;
            return b;
        });
}

void MainWindow::addFiles(const QStringList &paths, Role role, bool replace)
{
    if (paths.isEmpty() || deferIfBusy([this, paths, role, replace] { addFiles(paths, role, replace); }))
        return;
    QStringList names;
    for (const QString &p : paths)
        names << QFileInfo(p).fileName();
    setWindowTitle(tr("Nym Studio — %1").arg(names.join(QStringLiteral(", "))));
    const auto &d = m_project->data();
    runJob(tr("Reading %1…").arg(names.join(QStringLiteral(", "))),
        [training = d.training, targets = d.targets, paths, replace, label = d.labelColumn, domain = d.domainColumn,
            r = role == Role::Training ? jobs::Role::Training : jobs::Role::Target](std::stop_token stop) {
            return jobs::open(training, targets, paths, r, replace, label, domain, stop);
        });
}

void MainWindow::recheck(const QString &labelColumn, const QString &domainColumn)
{
    if (deferIfBusy([this, labelColumn, domainColumn] { recheck(labelColumn, domainColumn); }))
        return;
    runJob(tr("Checking the data…"),
        [training = m_project->data().training, targets = m_project->data().targets, labelColumn, domainColumn](
            std::stop_token) { return jobs::recheck(training, targets, labelColumn, domainColumn); });
}

void MainWindow::openDropped(const QStringList &paths)
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
    QMessageBox box(QMessageBox::Question, tr("Open dropped files"),
        tr("Use %n dropped file(s) as:", nullptr, static_cast<int>(data.size())), QMessageBox::Cancel, this);
    QPushButton *asTraining = box.addButton(tr("Training Data"), QMessageBox::AcceptRole);
    QPushButton *asTarget = box.addButton(tr("Target Data"), QMessageBox::AcceptRole);
    box.setDefaultButton(asTarget);
    box.exec();
    if (box.clickedButton() == asTraining)
        addFiles(data, Role::Training, false);
    else if (box.clickedButton() == asTarget)
        addFiles(data, Role::Target, false);
}

void MainWindow::dragEnterEvent(QDragEnterEvent *event)
{
    if (!event->mimeData()->hasUrls())
        return;
    for (const QUrl &u : event->mimeData()->urls())
        if (!u.isLocalFile() || !(isDataFile(u.toLocalFile()) || isModelFile(u.toLocalFile())))
            return;
    if (!isBusy())
        event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent *event)
{
    QStringList paths;
    for (const QUrl &u : event->mimeData()->urls())
        paths << u.toLocalFile();
    event->acceptProposedAction();
    // Leave the drop handler before any dialog opens.
    QTimer::singleShot(0, this, [this, paths] { openDropped(paths); });
}

void MainWindow::openModel(const QString &path)
{
    if (deferIfBusy([this, path] { openModel(path); }))
        return;
    runJob(tr("Reading the model %1…").arg(QFileInfo(path).fileName()),
        [path](std::stop_token) { return jobs::openModel(path); });
}

bool MainWindow::saveModel(const QString &path)
{
    const auto model = m_project->model();
    if (!model) {
        showError(tr("Save Model"), tr("There is no model to save yet: train one first."));
        return false;
    }
    if (isOpenInput(path, m_project->inputPaths())) {
        showError(tr("Save Model"), tr("%1 is one of the open data files; Nym Studio never writes over your "
                                       "data. Choose another name.").arg(path));
        return false;
    }
    try {
        nym::saveModel(*model, path.toStdString(), /*overwrite=*/true);   // the save dialog asked before replacing
    } catch (const Error &e) {
        showError(tr("Save Model"), QString::fromUtf8(e.what()));
        return false;
    }
    rememberFile(path, QStringLiteral("model"));
    m_status->setText(tr("Saved the model to %1.").arg(path));
    return true;
}

void MainWindow::applyModel()
{
    if (deferIfBusy([this] { applyModel(); }))
        return;
    const auto model = m_project->model();
    if (!model || m_project->data().targets.empty())
        return;
    const auto &targets = m_project->data().targets;
    runJob(tr("Labelling %n target file(s)…", nullptr, static_cast<int>(targets.size())),
        [model, targets](std::stop_token stop) { return jobs::label(model, targets, stop); });
}

bool MainWindow::train()
{
    if (isBusy())
        return false;
    const QString why = m_project->blockingReason();
    if (!why.isEmpty()) {
        m_status->setText(tr("Training cannot start: %1").arg(why));
        return false;
    }
    TrainOptions o = m_panel->options();
    try {
        o.validate();
    } catch (const Error &e) {
        showError(tr("Training settings"), QString::fromUtf8(e.what()));
        return false;
    }
    m_stopRequested = false;
    m_runOptions = o;
    m_curves->reset(o.epochs);
    m_reliability->reset();
    m_epochs = o.epochs;
    m_stepsPerEpoch = 0;
    if (!m_controller->start(m_project->data().training, m_project->data().targets, m_data->trainingSetOptions(), o))
        return false;
    m_tabs->setCurrentIndex(1);
    m_status->setText(tr("Preparing the training data…"));
    m_progress->setRange(0, 0);
    m_progress->setFormat(QString());
    m_progress->show();
    updateActions();
    return true;
}

void MainWindow::stopTraining()
{
    if (!m_controller->isRunning())
        return;
    m_stopRequested = true;
    m_controller->stop();
    m_status->setText(tr("Stopping after this step; the best model so far is kept…"));
}

void MainWindow::onStarted(int epochs, int stepsPerEpoch)
{
    m_epochs = epochs;
    m_stepsPerEpoch = stepsPerEpoch;
    m_progress->setRange(0, 1000);   // per mille: epochs × steps can exceed an int
    m_progress->setValue(0);
    m_progress->setFormat(QStringLiteral("%p%"));
    m_status->setText(tr("Training…"));
}

void MainWindow::onStep(const StepReport &r)
{
    const double total = std::max(1.0, static_cast<double>(m_epochs) * std::max(1, m_stepsPerEpoch));
    m_progress->setValue(static_cast<int>(std::min(1000.0, 1000.0 * static_cast<double>(r.globalStep + 1) / total)));
    m_trainStatus->setText(tr("Epoch %1/%2 · step %3/%4 · ETA %5")
                               .arg(r.epoch + 1)
                               .arg(m_epochs)
                               .arg(r.step + 1)
                               .arg(r.stepsInEpoch)
                               .arg(duration(r.etaSeconds)));
}

void MainWindow::onEpoch(const EpochReport &r)
{
    m_curves->addEpoch(r);
    if (r.heldOutCalibration.cells > 0)
        m_reliability->showEpoch(r.heldOutCalibration, r.epoch);
    if (std::isfinite(r.heldOutAccuracy))
        m_status->setText(tr("Training… epoch %1: held-out accuracy %2%").arg(r.epoch + 1).arg(100 * r.heldOutAccuracy, 0, 'f', 1));
}

void MainWindow::onFinished(std::shared_ptr<const Model> model, const TrainingSummary &summary)
{
    m_progress->hide();
    m_trainStatus->clear();
    m_project->setModel(std::move(model), summary, tr("trained here"));
    m_reliability->showFinal(summary.calibrationBefore,
        m_runOptions.temperatureScaling ? &summary.calibrationAfter : nullptr, summary.temperature);
    updateActions();
    m_trainedMessage = (summary.stopped ? tr("Stopped after %1 epochs: held-out accuracy %2%.")
                                        : tr("Trained for %1 epochs: held-out accuracy %2%."))
                           .arg(summary.epochsRun)
                           .arg(100 * summary.heldOutAccuracy, 0, 'f', 1);
    m_status->setText(m_trainedMessage);
    Q_EMIT trainingFinished();
    applyModel();
    runDeferred();
}

void MainWindow::onFailed(const QString &message)
{
    m_progress->hide();
    m_trainStatus->clear();
    updateActions();
    if (m_stopRequested) {
        m_status->setText(message);
    } else {
        m_status->setText(tr("Training failed."));
        showError(tr("Training failed"), message);
    }
    Q_EMIT trainingFailed(message);
    runDeferred();
}

void MainWindow::chooseFiles(Role role, bool replace)
{
    QSettings s;
    const QString dir = s.value(QStringLiteral("lastDirectory")).toString();
    const QString filter = tr("Single-cell data (*.h5ad *.h5);;All files (*)");
    const QString title = role == Role::Training ? tr("Open labelled training data") : tr("Open target data to label");
    const QStringList files = QFileDialog::getOpenFileNames(this, title, dir, filter);
    if (files.isEmpty())
        return;
    s.setValue(QStringLiteral("lastDirectory"), QFileInfo(files.front()).absolutePath());
    addFiles(files, role, replace);
}

void MainWindow::chooseNewTarget()
{
    QSettings s;
    const QStringList files = QFileDialog::getOpenFileNames(this, tr("Apply the model to"),
        s.value(QStringLiteral("lastDirectory")).toString(), tr("Single-cell data (*.h5ad *.h5);;All files (*)"));
    if (files.isEmpty())
        return;
    s.setValue(QStringLiteral("lastDirectory"), QFileInfo(files.front()).absolutePath());
    m_labelAfterLoad = true;
    addFiles(files, Role::Target, true);
}

void MainWindow::chooseModel()
{
    QSettings s;
    const QString path = QFileDialog::getOpenFileName(this, tr("Open Model"),
        s.value(QStringLiteral("lastDirectory")).toString(), tr("Nym Studio models (*.nym);;All files (*)"));
    if (!path.isEmpty())
        openModel(path);
}

QString MainWindow::askSavePath(const QString &title, const QString &name, const QString &filter,
    const QString &suffix)
{
    QSettings s;
    QFileDialog dialog(this, title, QDir(s.value(QStringLiteral("lastDirectory"), QDir::homePath()).toString()).filePath(name),
        filter);
    dialog.setAcceptMode(QFileDialog::AcceptSave);
    dialog.setDefaultSuffix(suffix);   // added before the dialog's "replace?" question, not after it
    if (dialog.exec() != QDialog::Accepted || dialog.selectedFiles().isEmpty())
        return {};
    const QString path = dialog.selectedFiles().front();
    s.setValue(QStringLiteral("lastDirectory"), QFileInfo(path).absolutePath());
    return path;
}

void MainWindow::chooseSaveModel()
{
    const QString path = askSavePath(tr("Save Model"), QStringLiteral("model.nym"), tr("Nym Studio models (*.nym)"),
        QStringLiteral("nym"));
    if (!path.isEmpty())
        saveModel(path);
}

void MainWindow::exportTable()
{
    if (m_project->labelings().empty())
        return;
    const QString path = askSavePath(tr("Export Labels Table"), QStringLiteral("labels.csv"),
        tr("Comma-separated (*.csv);;Tab-separated (*.tsv)"), QStringLiteral("csv"));
    if (!path.isEmpty())
        exportTableTo(path);
}

bool MainWindow::exportTableTo(const QString &path)
{
    if (isBusy() || m_project->labelings().empty())
        return false;
    if (isOpenInput(path, m_project->inputPaths())) {
        showError(tr("Export"), tr("%1 is one of the open data files; choose another name.").arg(path));
        return false;
    }
    runJob(tr("Writing %1…").arg(QFileInfo(path).fileName()),
        [labelings = m_project->labelings(), targets = m_project->data().targets, threshold = m_results->threshold(),
            path](std::stop_token) { return jobs::exportTable(labelings, targets, threshold, path); });
    return true;
}

void MainWindow::rememberFile(const QString &path, const QString &kind)
{
    QSettings s;
    QStringList recent = s.value(QStringLiteral("recentFiles")).toStringList();
    const QString entry = kind + QLatin1Char('|') + QFileInfo(path).absoluteFilePath();
    recent.removeAll(entry);
    recent.prepend(entry);
    while (recent.size() > kMaxRecent)
        recent.removeLast();
    s.setValue(QStringLiteral("recentFiles"), recent);
}

QStringList MainWindow::recentFiles() const
{
    return QSettings().value(QStringLiteral("recentFiles")).toStringList();
}

void MainWindow::fillRecentMenu()
{
    m_recent->clear();
    const QStringList recent = recentFiles();
    for (const QString &entry : recent) {
        const QString kind = entry.section(QLatin1Char('|'), 0, 0);
        const QString path = entry.section(QLatin1Char('|'), 1);
        const QString label = kind == QLatin1String("model") ? tr("Model: %1") : kind == QLatin1String("training")
            ? tr("Training: %1")
            : tr("Target: %1");
        QAction *a = m_recent->addAction(label.arg(QFileInfo(path).fileName()), this, [this, kind, path] {
            if (!QFileInfo::exists(path)) {
                showError(tr("Open Recent"), tr("%1 no longer exists.").arg(path));
                return;
            }
            if (kind == QLatin1String("model"))
                openModel(path);
            else
                addFiles({path}, kind == QLatin1String("training") ? Role::Training : Role::Target, true);
        });
        a->setToolTip(path);
        a->setEnabled(!isBusy());
    }
    if (recent.isEmpty())
        m_recent->addAction(tr("No recent files"))->setEnabled(false);
    m_recent->addSeparator();
    m_recent->addAction(tr("Clear List"), this, [] { QSettings().remove(QStringLiteral("recentFiles")); });
}

void MainWindow::showError(const QString &title, const QString &message)
{
    QMessageBox::warning(this, title, message);
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    if (m_controller->isRunning()) {
        const auto answer = QMessageBox::question(this, tr("Training is running"),
            tr("Stop the training and quit? The model trained so far is not saved."));
        if (answer != QMessageBox::Yes) {
            event->ignore();
            return;
        }
        m_controller->stop();
    }
    QSettings s;
    s.setValue(QStringLiteral("window/geometry"), saveGeometry());
    s.setValue(QStringLiteral("window/state"), saveState());
    event->accept();
}

void MainWindow::showAbout()
{
    QMessageBox::about(this, tr("About Nym Studio"),
        tr("<h3>Nym Studio %1</h3><p>Cell-type label transfer for single-cell RNA-seq with the scNym method "
           "(semi-supervised MixMatch and a domain adversary).</p><p>Qt %2 · LibTorch %3 · HDF5 %4</p>")
            .arg(QStringLiteral(NYM_VERSION), QString::fromLatin1(qVersion()), QString::fromStdString(torchVersion()),
                QString::fromStdString(hdf5Version())));
}

}   // namespace nym::ui
