#pragma once

#include "core/data/dataset.h"
#include "core/model/trainoptions.h"

#include <QMainWindow>
#include <QString>
#include <QStringList>

#include <deque>
#include <functional>
#include <memory>
#include <stop_token>

class QAction;
class QLabel;
class QMenu;
class QProgressBar;
class QTabWidget;

namespace nym {
class Model;
struct EpochReport;
struct StepReport;
struct TrainingSummary;
}   // namespace nym

namespace nym::ui {

class DataPanel;
class JobController;
struct JobResult;
class Project;
class ReliabilityPlot;
class ResultsView;
class TrainingController;
class TrainingCurves;
class TrainingPanel;

// The Nym Studio main window: open training and target data (menus, toolbar, drag and drop, recent files, the
// built-in demo), check it, set up and run training in a worker thread with live curves, then see, save and apply
// the model. Owns the Project and the workers; long work never runs on the GUI thread. Owned by main(); GUI thread.
class MainWindow : public QMainWindow
{
    Q_OBJECT

public:
    enum class Role { Training, Target };

    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    // Simulated training + target data with a domain shift (the app's built-in demo).
    void openDemo();
    // Loads a training and a target file (replacing what is open).
    void openFiles(const QString &training, const QString &target);
    // Opens data files in a role; `replace` drops the files open in that role first.
    void addFiles(const QStringList &paths, Role role, bool replace);
    // Opens files the way a drop does: .nym files as models; data files as training when none is open, else as
    // targets when none is open, else asks.
    void openDropped(const QStringList &paths);
    void openModel(const QString &path);
    // Writes the current model; false (with a dialog) when there is none or the path is one of the open inputs.
    bool saveModel(const QString &path);
    // Writes the per-cell table of every target (in the background); false when it cannot start.
    bool exportTableTo(const QString &path);
    // Labels the open target files with the current model, off the GUI thread.
    void applyModel();
    // Starts training with the panel's settings; false (with the reason in the status bar) when it cannot.
    bool train();
    void stopTraining();

    bool isBusy() const;   // loading, training or labelling
    bool isTraining() const;
    Project *project() const { return m_project; }
    DataPanel *dataPanel() const { return m_data; }
    TrainingPanel *trainingPanel() const { return m_panel; }
    TrainingCurves *curves() const { return m_curves; }
    ReliabilityPlot *reliabilityPlot() const { return m_reliability; }
    ResultsView *resultsView() const { return m_results; }
    QTabWidget *tabs() const { return m_tabs; }
    QString reportText() const;   // the data panel's text, for tests
    QString statusText() const;
    QStringList recentFiles() const;

Q_SIGNALS:
    void loaded();
    void loadFailed(const QString &message);
    void trainingFinished();
    void trainingFailed(const QString &message);
    void labelled();   // predictions for the targets are in the project

protected:
    void closeEvent(QCloseEvent *event) override;
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dropEvent(QDropEvent *event) override;

private:
    void createActions();
    void runJob(const QString &what, std::function<JobResult(std::stop_token)> job);
    void onJobDone(const nym::ui::JobResult &result);
    void onJobFailed(const QString &message);
    QString askSavePath(const QString &title, const QString &name, const QString &filter, const QString &suffix);
    // Requests made while busy (files given on the command line, several drops) wait their turn.
    bool deferIfBusy(std::function<void()> request);
    void runDeferred();
    void recheck(const QString &labelColumn, const QString &domainColumn);
    void chooseFiles(Role role, bool replace);
    void chooseModel();
    void chooseSaveModel();
    void chooseNewTarget();
    void exportTable();
    void rememberFile(const QString &path, const QString &kind);
    void fillRecentMenu();
    void updateActions();
    void showError(const QString &title, const QString &message);
    void showAbout();
    void onStarted(int epochs, int stepsPerEpoch);
    void onStep(const nym::StepReport &r);
    void onEpoch(const nym::EpochReport &r);
    void onFinished(std::shared_ptr<const nym::Model> model, const nym::TrainingSummary &summary);
    void onFailed(const QString &message);

    Project *m_project = nullptr;
    TrainingController *m_controller = nullptr;
    JobController *m_jobs = nullptr;
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
    std::deque<std::function<void()>> m_deferred;
    TrainOptions m_runOptions;   // of the training under way
    QString m_trainedMessage;   // kept in the status bar after the labelling that follows training
    bool m_busy = false;
    bool m_stopRequested = false;
    bool m_labelAfterLoad = false;
    int m_epochs = 0;
    int m_stepsPerEpoch = 0;
};

}   // namespace nym::ui
