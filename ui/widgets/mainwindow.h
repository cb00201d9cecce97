#pragma once

#include <QMainWindow>
#include <QDateTime>
#include <QString>

class QTabWidget;

namespace nym::ui {

class BrowserPage;
class DataPanel;
class MainActions;
class Project;
class ProjectController;
class ReliabilityPlot;
class ResultsView;
class ReviewJournal;
class TaskStatus;
class TrainingCurves;
class TrainingPage;
class TrainingPanel;

// The Nym Studio main window: a wiring file. It creates the Project and its ProjectController, puts the four steps
// (data, training, results, map) in tabs, the commands in MainActions and the work under way in the status bar
// (TaskStatus), and connects them; it holds no state of the document. Owned by main(); GUI thread.
class MainWindow : public QMainWindow
{
    Q_OBJECT

public:
    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    Project *project() const { return m_project; }
    ProjectController *controller() const { return m_controller; }
    DataPanel *dataPanel() const { return m_data; }
    TrainingPanel *trainingPanel() const;
    TrainingCurves *curves() const;
    ReliabilityPlot *reliabilityPlot() const;
    ResultsView *resultsView() const { return m_results; }
    ReviewJournal *journal() const { return m_journal; }
    BrowserPage *browserPage() const { return m_browser; }
    QTabWidget *tabs() const { return m_tabs; }
    MainActions *mainActions() const { return m_actions; }
    QString reportText() const;   // the data panel's text, for tests
    QString statusText() const;

protected:
    void closeEvent(QCloseEvent *event) override;
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dropEvent(QDropEvent *event) override;

private:
    void updateState();
    void offerRestore(qint64 cells, const QDateTime &lastEdit);

    Project *m_project = nullptr;
    ProjectController *m_controller = nullptr;
    MainActions *m_actions = nullptr;
    QTabWidget *m_tabs = nullptr;
    DataPanel *m_data = nullptr;
    TrainingPage *m_training = nullptr;
    ResultsView *m_results = nullptr;
    BrowserPage *m_browser = nullptr;
    TaskStatus *m_status = nullptr;
    ReviewJournal *m_journal = nullptr;
};

}   // namespace nym::ui
