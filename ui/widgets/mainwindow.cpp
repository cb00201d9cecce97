#include "ui/widgets/mainwindow.h"

#include "ui/browser/browserpage.h"
#include "ui/document/project.h"
#include "ui/document/projectcontroller.h"
#include "ui/document/projectsettings.h"
#include "ui/document/reviewjournal.h"
#include "ui/widgets/datapanel.h"
#include "ui/widgets/mainactions.h"
#include "ui/widgets/resultsview.h"
#include "ui/widgets/taskstatus.h"
#include "ui/widgets/trainingpage.h"
#include "ui/widgets/trainingpanel.h"

#include <QCloseEvent>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QMessageBox>
#include <QLocale>
#include <QMimeData>
#include <QScreen>
#include <QSettings>
#include <QStatusBar>
#include <QTabWidget>
#include <QTimer>

namespace nym::ui {

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent)
    , m_project(new Project(this))
    , m_controller(new ProjectController(m_project, this))
    , m_tabs(new QTabWidget(this))
{
    setWindowTitle(tr("Nym Studio"));
    setAcceptDrops(true);
    ProjectSettings::attach(m_project);   // the options and threshold of the last run
    m_actions = new MainActions(this, m_project, m_controller);
    m_data = new DataPanel(m_project, m_tabs);
    m_training = new TrainingPage(m_project, m_controller, m_actions->trainAction(), m_actions->stopAction(), m_tabs);
    m_results = new ResultsView(m_project, m_tabs);
    m_browser = new BrowserPage(m_project, m_controller, m_tabs);
    m_tabs->addTab(m_data, tr("1 · &Data"));
    m_tabs->addTab(m_training, tr("2 · &Training"));
    m_tabs->addTab(m_results, tr("3 · &Results"));
    m_tabs->addTab(m_browser, tr("4 · &Map"));
    setCentralWidget(m_tabs);
    m_status = new TaskStatus(statusBar(), m_controller);
    // Every edit is journalled; a review of the same targets and predictions found on disk is offered back.
    m_journal = new ReviewJournal(m_project, {}, this);
    connect(m_journal, &ReviewJournal::sessionFound, this, [this](qint64 cells, const QDateTime &lastEdit) {
        QTimer::singleShot(0, this, [this, cells, lastEdit] { offerRestore(cells, lastEdit); });
    });

    // Exports take the browser's colours (and its selection for a table of selected cells); a project keeps its view.
    m_actions->exportChoices = [this](bool withSelection) {
        ExportChoices c;
        c.colors = m_browser->labelColors();
        if (withSelection)
            c.selection = m_browser->selectedCells();
        return c;
    };
    m_actions->viewSettings = [this] { return m_browser->viewSettings(); };
    connect(m_controller, &ProjectController::projectOpened, this, [this](const std::map<std::string, std::string> &view) {
        m_browser->applyViewSettings(view);
    });
    // After retraining with corrections: the cells whose label changed, selected on the map.
    connect(m_controller, &ProjectController::retrainedChanged, this, [this](const std::vector<std::int64_t> &cells) {
        auto select = [this, cells] {
            m_browser->setColorBy(QStringLiteral("final"));
            m_browser->selectCells(cells);
            m_tabs->setCurrentWidget(m_browser);
        };
        // The map of the new predictions comes after them: select once it is there.
        auto connection = std::make_shared<QMetaObject::Connection>();
        *connection = connect(m_controller, &ProjectController::mapped, this, [select, connection] {
            QObject::disconnect(*connection);
            select();
        });
    });

    connect(m_data, &DataPanel::columnsChosen, m_controller, &ProjectController::chooseColumns);
    for (auto signal : {&Project::dataChanged, &Project::modelChanged, &Project::labelingsChanged})
        connect(m_project, signal, this, &MainWindow::updateState);
    connect(m_controller, &ProjectController::busyChanged, this, &MainWindow::updateState);
    connect(m_controller, &ProjectController::titleChanged, this, &QWidget::setWindowTitle);
    connect(m_controller, &ProjectController::error, this,
        [this](const QString &title, const QString &message) { QMessageBox::warning(this, title, message); });
    connect(m_controller, &ProjectController::trainingStarted, this, [this] { m_tabs->setCurrentWidget(m_training); });
    for (auto signal : {&ProjectController::labelled, &ProjectController::modelOpened})
        connect(m_controller, signal, this, [this] { m_tabs->setCurrentWidget(m_results); });

    QSettings s;
    if (!restoreGeometry(s.value(QStringLiteral("window/geometry")).toByteArray())) {
        const QRect avail = screen() ? screen()->availableGeometry() : QRect(0, 0, 1400, 900);
        resize(std::min(1320, avail.width() * 9 / 10), std::min(860, avail.height() * 9 / 10));
    }
    restoreState(s.value(QStringLiteral("window/state")).toByteArray());
    updateState();
}

MainWindow::~MainWindow() = default;

void MainWindow::offerRestore(qint64 cells, const QDateTime &lastEdit)
{
    if (m_project->editedCells() > 0)
        return;   // these predictions arrived with their review (a project, a new model, an undo)
    const ReviewJournal::Saved saved = m_journal->read();
    if (!saved.error.isEmpty()) {
        QMessageBox::warning(this, tr("Saved Review"), saved.error);
        return;
    }
    const auto answer = QMessageBox::question(this, tr("Saved Review"),
        tr("These target cells were reviewed before (%n cell(s) edited, last on %1). Restore that review?", nullptr,
            static_cast<int>(cells))
            .arg(QLocale().toString(lastEdit, QLocale::ShortFormat)),
        QMessageBox::Yes | QMessageBox::No, QMessageBox::Yes);
    QString error;
    if (answer == QMessageBox::Yes && !m_journal->restore(&error))
        QMessageBox::warning(this, tr("Saved Review"), error);
}

TrainingPanel *MainWindow::trainingPanel() const
{
    return m_training->panel();
}

TrainingCurves *MainWindow::curves() const
{
    return m_training->curves();
}

ReliabilityPlot *MainWindow::reliabilityPlot() const
{
    return m_training->reliability();
}

QString MainWindow::reportText() const
{
    return m_data->reportText();
}

QString MainWindow::statusText() const
{
    return m_status->text();
}

void MainWindow::updateState()
{
    m_actions->update();
    m_training->panel()->setRunning(m_controller->isTraining());
    m_data->setBusy(m_controller->isBusy());
}

void MainWindow::dragEnterEvent(QDragEnterEvent *event)
{
    if (!event->mimeData()->hasUrls() || m_controller->isBusy())
        return;
    for (const QUrl &u : event->mimeData()->urls())
        if (!u.isLocalFile()
            || !(ProjectController::isDataFile(u.toLocalFile()) || ProjectController::isModelFile(u.toLocalFile())
                 || ProjectController::isProjectFile(u.toLocalFile())))
            return;
    event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent *event)
{
    QStringList paths;
    for (const QUrl &u : event->mimeData()->urls())
        paths << u.toLocalFile();
    event->acceptProposedAction();
    // Leave the drop handler before any dialog opens.
    QTimer::singleShot(0, this, [this, paths] { m_actions->openDropped(paths); });
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

}   // namespace nym::ui
