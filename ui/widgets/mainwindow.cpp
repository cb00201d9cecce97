#include "ui/widgets/mainwindow.h"

#include "core/io/libraryversions.h"
#include "core/nn/predictor.h"
#include "ui/document/project.h"
#include "ui/document/projectcontroller.h"
#include "ui/document/projectsettings.h"
#include "ui/document/recentfiles.h"
#include "ui/plots/reliabilityplot.h"
#include "ui/plots/trainingcurves.h"
#include "ui/widgets/datapanel.h"
#include "ui/widgets/resultsview.h"
#include "ui/widgets/trainingpanel.h"

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
#include <QTimer>
#include <QToolBar>
#include <QVBoxLayout>

#include <cmath>
#include <optional>

namespace nym::ui {

namespace {

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
    , m_controller(new ProjectController(m_project, this))
    , m_tabs(new QTabWidget(this))
    , m_status(new QLabel(this))
    , m_trainStatus(new QLabel(this))
    , m_progress(new QProgressBar(this))
{
    setWindowTitle(tr("Nym Studio"));
    setAcceptDrops(true);
    ProjectSettings::attach(m_project);   // the options and threshold of the last run
    m_data = new DataPanel(m_project, m_tabs);
    m_tabs->addTab(m_data, tr("1 · &Data"));

    auto *trainingPage = new QSplitter(Qt::Horizontal, m_tabs);
    auto *left = new QWidget(trainingPage);
    auto *leftLayout = new QVBoxLayout(left);
    m_panel = new TrainingPanel(m_project, left);
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

    connect(m_data, &DataPanel::columnsChosen, m_controller, &ProjectController::chooseColumns);
    connect(m_project, &Project::dataChanged, this, &MainWindow::updateActions);
    connect(m_project, &Project::modelChanged, this, &MainWindow::updateActions);
    connect(m_project, &Project::labelingsChanged, this, &MainWindow::updateActions);
    connectController();

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

void MainWindow::connectController()
{
    auto *c = m_controller;
    connect(c, &ProjectController::statusChanged, m_status, &QLabel::setText);
    connect(c, &ProjectController::titleChanged, this, &QWidget::setWindowTitle);
    connect(c, &ProjectController::error, this,
        [this](const QString &title, const QString &message) { QMessageBox::warning(this, title, message); });
    connect(c, &ProjectController::busyChanged, this, [this](bool busy) {
        // Data jobs have no measure of progress: a busy bar. Training shows its own (showProgress).
        if (busy && !m_controller->isTraining()) {
            m_progress->setRange(0, 0);
            m_progress->setFormat(QString());
            m_progress->show();
        } else if (!busy) {
            m_progress->hide();
            m_trainStatus->clear();
        }
        updateActions();
    });
    connect(c, &ProjectController::modelOpened, this, [this] {
        m_curves->reset(1);
        m_reliability->reset();
        m_tabs->setCurrentWidget(m_results);
    });
    connect(c, &ProjectController::labelled, this, [this] { m_tabs->setCurrentWidget(m_results); });
    connect(c, &ProjectController::trainingStarted, this, [this](int epochs) {
        m_curves->reset(epochs);
        m_reliability->reset();
        m_epochs = epochs;
        m_stepsPerEpoch = 0;
        m_tabs->setCurrentIndex(1);
        m_progress->setRange(0, 0);
        m_progress->setFormat(QString());
        m_progress->show();
        updateActions();
    });
    connect(c, &ProjectController::trainingPrepared, this, [this](int epochs, int stepsPerEpoch) {
        m_epochs = epochs;
        m_stepsPerEpoch = stepsPerEpoch;
        m_progress->setRange(0, 1000);   // per mille: epochs × steps can exceed an int
        m_progress->setValue(0);
        m_progress->setFormat(QStringLiteral("%p%"));
    });
    connect(c, &ProjectController::trainingStep, this, &MainWindow::showProgress);
    connect(c, &ProjectController::trainingEpoch, this, [this](const EpochReport &r) {
        m_curves->addEpoch(r);
        if (r.heldOutCalibration.cells > 0)
            m_reliability->showEpoch(r.heldOutCalibration, r.epoch);
    });
    connect(c, &ProjectController::trainingFinished, this, [this] {
        const auto &s = m_project->summary();
        const auto model = m_project->model();
        if (s && model)
            m_reliability->showFinal(s->calibrationBefore,
                model->contents().options.temperatureScaling ? &s->calibrationAfter : nullptr, s->temperature);
    });
}

void MainWindow::showProgress(const StepReport &r)
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

void MainWindow::createActions()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    m_openTraining = file->addAction(tr("&Open Training Data…"), this, [this] { chooseFiles(true, true); });
    m_openTraining->setShortcut(QKeySequence::Open);
    m_openTraining->setStatusTip(tr("Open the labelled dataset(s) to learn from (.h5ad or 10x .h5)."));
    m_addTraining = file->addAction(tr("Add Training Data…"), this, [this] { chooseFiles(true, false); });
    m_openTarget = file->addAction(tr("Open &Target Data…"), this, [this] { chooseFiles(false, true); });
    m_openTarget->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_T));
    m_openTarget->setStatusTip(tr("Open the dataset(s) to label."));
    m_addTarget = file->addAction(tr("Add Target Data…"), this, [this] { chooseFiles(false, false); });
    m_demo = file->addAction(tr("Open &Demo"), m_controller, &ProjectController::openDemo);
    m_demo->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_D));
    m_demo->setStatusTip(tr("Simulated training and target data with a batch effect."));
    m_recent = file->addMenu(tr("Open &Recent"));
    connect(m_recent, &QMenu::aboutToShow, this, &MainWindow::fillRecentMenu);
    file->addSeparator();
    m_openModel = file->addAction(tr("Open &Model…"), this, &MainWindow::chooseModel);
    m_openModel->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O));
    m_saveModel = file->addAction(tr("&Save Model…"), this, &MainWindow::chooseSaveModel);
    m_saveModel->setShortcut(QKeySequence::Save);
    m_export = file->addAction(tr("&Export Labels Table…"), this, &MainWindow::chooseExport);
    m_export->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
    file->addSeparator();
    QAction *quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);

    QMenu *model = menuBar()->addMenu(tr("&Model"));
    m_train = model->addAction(tr("&Train"), m_controller, [this] { m_controller->train(); });
    m_train->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_R));
    m_stop = model->addAction(tr("&Stop Training"), m_controller, &ProjectController::stopTraining);
    m_stop->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Period));
    model->addSeparator();
    m_apply = model->addAction(tr("&Apply Model to Target"), m_controller, &ProjectController::applyModel);
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
    const bool training = m_controller->isTraining();
    const bool idle = !m_controller->isBusy();
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

QString MainWindow::reportText() const
{
    return m_data->reportText();
}

QString MainWindow::statusText() const
{
    return m_status->text();
}

void MainWindow::openDropped(const QStringList &paths)
{
    m_controller->openDropped(paths, [this](qsizetype files) -> std::optional<ProjectController::Role> {
        QMessageBox box(QMessageBox::Question, tr("Open dropped files"),
            tr("Use %n dropped file(s) as:", nullptr, static_cast<int>(files)), QMessageBox::Cancel, this);
        QPushButton *asTraining = box.addButton(tr("Training Data"), QMessageBox::AcceptRole);
        QPushButton *asTarget = box.addButton(tr("Target Data"), QMessageBox::AcceptRole);
        box.setDefaultButton(asTarget);
        box.exec();
        if (box.clickedButton() == asTraining)
            return ProjectController::Role::Training;
        if (box.clickedButton() == asTarget)
            return ProjectController::Role::Target;
        return std::nullopt;
    });
}

void MainWindow::dragEnterEvent(QDragEnterEvent *event)
{
    if (!event->mimeData()->hasUrls())
        return;
    for (const QUrl &u : event->mimeData()->urls())
        if (!u.isLocalFile()
            || !(ProjectController::isDataFile(u.toLocalFile()) || ProjectController::isModelFile(u.toLocalFile())))
            return;
    if (!m_controller->isBusy())
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

void MainWindow::chooseFiles(bool training, bool replace)
{
    QSettings s;
    const QString dir = s.value(QStringLiteral("lastDirectory")).toString();
    const QString filter = tr("Single-cell data (*.h5ad *.h5);;All files (*)");
    const QString title = training ? tr("Open labelled training data") : tr("Open target data to label");
    const QStringList files = QFileDialog::getOpenFileNames(this, title, dir, filter);
    if (files.isEmpty())
        return;
    s.setValue(QStringLiteral("lastDirectory"), QFileInfo(files.front()).absolutePath());
    m_controller->addFiles(files, training ? ProjectController::Role::Training : ProjectController::Role::Target, replace);
}

void MainWindow::chooseNewTarget()
{
    QSettings s;
    const QStringList files = QFileDialog::getOpenFileNames(this, tr("Apply the model to"),
        s.value(QStringLiteral("lastDirectory")).toString(), tr("Single-cell data (*.h5ad *.h5);;All files (*)"));
    if (files.isEmpty())
        return;
    s.setValue(QStringLiteral("lastDirectory"), QFileInfo(files.front()).absolutePath());
    m_controller->applyToNewTargets(files);
}

void MainWindow::chooseModel()
{
    QSettings s;
    const QString path = QFileDialog::getOpenFileName(this, tr("Open Model"),
        s.value(QStringLiteral("lastDirectory")).toString(), tr("Nym Studio models (*.nym);;All files (*)"));
    if (!path.isEmpty())
        m_controller->openModel(path);
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
        m_controller->saveModel(path);
}

void MainWindow::chooseExport()
{
    if (m_project->labelings().empty())
        return;
    const QString path = askSavePath(tr("Export Labels Table"), QStringLiteral("labels.csv"),
        tr("Comma-separated (*.csv);;Tab-separated (*.tsv)"), QStringLiteral("csv"));
    if (!path.isEmpty())
        m_controller->exportTable(path);
}

void MainWindow::fillRecentMenu()
{
    m_recent->clear();
    const QStringList recent = RecentFiles::entries();
    for (const QString &entry : recent) {
        const QString kind = RecentFiles::kind(entry);
        const QString path = RecentFiles::path(entry);
        const QString label = kind == QLatin1String("model") ? tr("Model: %1") : kind == QLatin1String("training")
            ? tr("Training: %1")
            : tr("Target: %1");
        QAction *a = m_recent->addAction(label.arg(QFileInfo(path).fileName()), this, [this, kind, path] {
            if (!QFileInfo::exists(path)) {
                QMessageBox::warning(this, tr("Open Recent"), tr("%1 no longer exists.").arg(path));
                return;
            }
            if (kind == QLatin1String("model"))
                m_controller->openModel(path);
            else
                m_controller->addFiles({path},
                    kind == QLatin1String("training") ? ProjectController::Role::Training : ProjectController::Role::Target,
                    true);
        });
        a->setToolTip(path);
        a->setEnabled(!m_controller->isBusy());
    }
    if (recent.isEmpty())
        m_recent->addAction(tr("No recent files"))->setEnabled(false);
    m_recent->addSeparator();
    m_recent->addAction(tr("Clear List"), this, [] { RecentFiles::clear(); });
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    if (m_controller->isTraining()) {
        const auto answer = QMessageBox::question(this, tr("Training is running"),
            tr("Stop the training and quit? The model trained so far is not saved."));
        if (answer != QMessageBox::Yes) {
            event->ignore();
            return;
        }
        m_controller->stopTraining();
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
            .arg(QStringLiteral(NYM_VERSION), QString::fromLatin1(qVersion()), QString::fromStdString(nym::torchVersion()),
                QString::fromStdString(hdf5Version())));
}

}   // namespace nym::ui
