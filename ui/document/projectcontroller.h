#pragma once

#include "ui/document/project.h"
#include "ui/workers/datajobs.h"
#include "ui/workers/trainingcontroller.h"   // the report types' metatype declarations, before the signals use them

#include <QObject>
#include <QString>
#include <QStringList>

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stop_token>

namespace nym::ui {

class JobController;

// What an export holds besides the predictions and annotations.
struct ExportChoices
{
    bool selectionOnly = false;                 // the table: only `selection` (target-wide cell indices)
    std::vector<std::int64_t> selection;
    std::map<std::string, std::string> colors;  // label name → "#rrggbb", as the browser shows it
};

// What the user asks of a project that takes time: opening data, models and drops, re-checking with other columns,
// training, labelling, saving and exporting. Runs each in a worker (one at a time; requests made meanwhile wait
// their turn in order), applies the typed result to the Project on the GUI thread, and reports progress, status
// lines and errors as signals for the window to render. Holds no document state of its own. Owned by the main
// window; GUI thread. No widgets: dialogs are the window's (a drop that needs a choice asks through a callback).
class ProjectController : public QObject
{
    Q_OBJECT

public:
    using Role = FileRole;
    // Asked when dropped data files could be either training or target data; nullopt cancels.
    using AskRole = std::function<std::optional<Role>(qsizetype files)>;

    explicit ProjectController(Project *project, QObject *parent = nullptr);
    ~ProjectController() override;

    Project *project() const { return m_project; }

    // Simulated training + target data with a domain shift (the app's built-in demo).
    void openDemo();
    // Loads a training and a target file (replacing what is open).
    void openFiles(const QString &training, const QString &target);
    // Opens data files in a role; `replace` drops the files open in that role first.
    void addFiles(const QStringList &paths, Role role, bool replace);
    // Opens files the way a drop does: .nym files as models; data files as training when none is open, else as
    // targets when none is open, else as `ask` says.
    void openDropped(const QStringList &paths, const AskRole &ask = {});
    // Opens data files as new targets and labels them with the current model once read.
    void applyToNewTargets(const QStringList &paths);
    // The label column and the domains the user picked: a new column re-checks the data in a worker.
    void chooseColumns(const QString &labelColumn, Project::DomainMode mode, const QString &domainColumn);
    void openModel(const QString &path);
    // Writes the current model in a worker; false (with error()) when there is none or the path is an open input.
    bool saveModel(const QString &path);
    // Writes the per-cell table of every target (or of the selection) in a worker; false when it cannot start.
    bool exportTable(const QString &path, const ExportChoices &choices = {});
    // Writes an annotated .h5ad of each target (jobs::exportH5ad) in a worker; false when it cannot start.
    bool exportH5ad(const QString &path, const ExportChoices &choices = {});
    // Saves the project (data references with checksums, the model, the review, the threshold, `view`) in a worker.
    bool saveProject(const QString &path, const std::map<std::string, std::string> &view = {});
    // Opens a project: its files (checked), its model, its predictions and review; projectOpened when done.
    void openProject(const QString &path);
    // Labels the open target files with the current model, off the GUI thread.
    void applyModel();
    // Starts training with the Project's options; false (with the reason in status()) when it cannot. With
    // `withCorrections`, the cells people labelled in the targets join the training data (Project::
    // correctionsAsTraining; "retrain with my corrections"); once the new model has labelled the targets,
    // retrainedChanged names the cells nobody reviewed whose label changed.
    bool train(bool withCorrections = false);
    void stopTraining();
    // Lays out the current predictions (targets and training cells) in a UMAP map, in a worker with progress in
    // the status line; runs by itself after each labelling unless setAutoMap(false). A request made while a map
    // is computed (other than an export, which waits for it) cancels the map first.
    void computeMap();
    void cancelMap();
    bool isMapping() const { return m_mapping; }
    void setAutoMap(bool on) { m_autoMap = on; }
    void setMapOptions(const UmapOptions &options) { m_mapOptions = options; }
    // The options a map is computed with (threads: all cores but one unless set).
    UmapOptions mapOptions() const;

    bool isBusy() const;   // loading, training, labelling or writing
    bool isTraining() const;
    QString statusText() const { return m_status; }

    // File kinds by name: data (.h5ad, .h5, .hdf5) and models (.nym).
    static bool isDataFile(const QString &path);
    static bool isModelFile(const QString &path);
    static bool isProjectFile(const QString &path);   // .nymproj

Q_SIGNALS:
    void busyChanged(bool busy);
    void statusChanged(const QString &text);
    // A problem the user must see (a dialog): title and sentence.
    void error(const QString &title, const QString &message);
    void loaded();
    void modelOpened();   // a model read from a file is now the project's
    void titleChanged(const QString &title);
    void loadFailed(const QString &message);
    void written(const QString &path);
    void labelled();   // predictions for the targets are in the project
    void mapped();     // the map of the current predictions is in the project
    // After retraining with corrections: the target cells nobody reviewed whose final label the new model changed.
    void retrainedChanged(const std::vector<std::int64_t> &cells);
    // A project was opened (data, model, predictions and review are in place): its view settings.
    void projectOpened(const std::map<std::string, std::string> &view);
    // Training, for the curves and the progress bar.
    void trainingStarted(int epochs);
    void trainingPrepared(int epochs, int stepsPerEpoch);
    void trainingStep(const nym::StepReport &report);
    void trainingEpoch(const nym::EpochReport &report);
    void trainingFinished();
    void trainingFailed(const QString &message);

private:
    template <class Result>
    void run(const QString &what, std::function<Result(std::stop_token)> job, std::function<void(Result)> apply);
    void applyData(LoadedData result);
    ExportRequest exportRequest(const ExportChoices &choices) const;
    bool startExport(const QString &path, const QStringList &outputs, bool h5ad, const ExportChoices &choices);
    std::string modelBytesCached() const;
    std::int64_t restoreReviews(const ProjectFile &file);   // the cells restored
    // Labels the targets with `model` in a worker, then gives the Project the model and its predictions at once
    // (Project::applyModel); `then` runs after that.
    void labelWith(std::shared_ptr<const Model> model, std::optional<TrainingSummary> summary, const QString &source,
        std::function<void()> then = {});
    void setStatus(const QString &text);
    bool deferIfBusy(std::function<void()> request, bool preemptMap = true);
    void runDeferred();
    void onJobFailed(const QString &message);
    void onTrainingFinished(std::shared_ptr<const Model> model, const TrainingSummary &summary);
    void onTrainingFailed(const QString &message);

    Project *m_project = nullptr;
    JobController *m_jobs = nullptr;
    TrainingController *m_training = nullptr;
    std::deque<std::function<void()>> m_deferred;
    QString m_status;
    QString m_trainedMessage;   // kept in the status line after the labelling that follows training
    bool m_busy = false;
    bool m_mapping = false;
    QString m_statusBeforeMap;
    bool m_mapCancelled = false;
    bool m_autoMap = true;
    UmapOptions m_mapOptions;
    bool m_stopRequested = false;
    bool m_labelAfterLoad = false;
    bool m_compareAfterLabelling = false;
    mutable std::shared_ptr<const Model> m_bytesOf;   // the model m_modelBytes holds (for its checksum)
    mutable std::string m_modelBytes;   // the next labelling follows a retraining with corrections
};

}   // namespace nym::ui
