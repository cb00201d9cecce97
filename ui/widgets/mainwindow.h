#pragma once

#include <QMainWindow>
#include <QString>

class QAction;
class QLabel;
class QMenu;
class QProgressBar;
class QTabWidget;

namespace nym {
struct EpochReport;
struct StepReport;
}   // namespace nym

namespace nym::ui {

class DataPanel;
class Project;
class ProjectController;
class ReliabilityPlot;
class ResultsView;
class TrainingCurves;
class TrainingPanel;

// The Nym Studio main window: a wiring file. It lays out the steps (data, training, results), builds the menus and
// the toolbar, asks the user for file names and choices, and connects the widgets to the Project (what they show)
// and the ProjectController (what they ask for); the status bar renders the controller's status and progress.
// Owns the Project and its controller. Owned by main(); GUI thread.
class MainWindow : public QMainWindow
{
    Q_OBJECT

public:
    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    Project *project() const { return m_project; }
    ProjectController *controller() const { return m_controller; }
    DataPanel *dataPanel() const { return m_data; }
    TrainingPanel *trainingPanel() const { return m_panel; }
    TrainingCurves *curves() const { return m_curves; }
    ReliabilityPlot *reliabilityPlot() const { return m_reliability; }
    ResultsView *resultsView() const { return m_results; }
    QTabWidget *tabs() const { return m_tabs; }
    QString reportText() const;   // the data panel's text, for tests
    QString statusText() const;

protected:
    void closeEvent(QCloseEvent *event) override;
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dropEvent(QDropEvent *event) override;

private:
    void createActions();
    void connectController();
    void updateActions();
    void chooseFiles(bool training, bool replace);
    void chooseModel();
    void chooseSaveModel();
    void chooseNewTarget();
    void chooseExport();
    QString askSavePath(const QString &title, const QString &name, const QString &filter, const QString &suffix);
    void openDropped(const QStringList &paths);
    void fillRecentMenu();
    void showAbout();
    void showProgress(const nym::StepReport &r);

    Project *m_project = nullptr;
    ProjectController *m_controller = nullptr;
    QTabWidget *m_tabs = nullptr;
    DataPanel *m_data = nullptr;
    TrainingPanel *m_panel = nullptr;
    TrainingCurves *m_curves = nullptr;
    ReliabilityPlot *m_reliability = nullptr;
    ResultsView *m_results = nullptr;
    QLabel *m_status = nullptr;
    QLabel *m_trainStatus = nullptr;
    QProgressBar *m_progress = nullptr;
    QMenu *m_recent = nullptr;
    QAction *m_openTraining = nullptr, *m_addTraining = nullptr, *m_openTarget = nullptr, *m_addTarget = nullptr,
            *m_demo = nullptr, *m_openModel = nullptr, *m_saveModel = nullptr, *m_apply = nullptr,
            *m_applyNew = nullptr, *m_export = nullptr, *m_train = nullptr, *m_stop = nullptr;
    int m_epochs = 0;
    int m_stepsPerEpoch = 0;
};

}   // namespace nym::ui
