#pragma once

#include "core/data/annotations.h"
#include "core/data/dataset.h"
#include "core/data/preflight.h"
#include "core/data/trainingset.h"
#include "core/model/labeling.h"
#include "core/model/model.h"
#include "core/model/trainoptions.h"
#include "core/nn/trainer.h"

#include <QObject>
#include <QString>
#include <QStringList>

#include <functional>
#include <memory>
#include <optional>
#include <vector>

class QUndoStack;

namespace nym::ui {

// The open project (DESIGN.md "document"; mapeditor/tiled's MapDocument is the model): the training and target
// datasets with their preflight reports, the data choices (label column, where the adversary's domains come from),
// the training options, the current model (trained here or opened from a file), its predictions for every target
// file, the per-cell annotations and the confidence threshold, and the undo stack for edits.
//
// Project is the only object that changes any of this: widgets render it and send intents, the ProjectController
// applies the results of background jobs through its setters, and every user edit of annotations will be a
// QUndoCommand pushed on undoStack() that calls back into Project. Each setter emits a signal naming what changed.
// Datasets, the model and predictions are immutable and shared, so workers may read them from other threads; the
// annotations are copied for them. Owned by the main window; GUI thread only.
class Project : public QObject
{
    Q_OBJECT

public:
    // Where the domain adversary's domains come from (TrainingSetOptions::domains).
    enum class DomainMode { TrainingVsTarget, PerFile, Column };

    // The data part of a project as a loader builds it off the GUI thread: datasets and their reports.
    struct Data
    {
        std::vector<DatasetPtr> training, targets;
        std::vector<PreflightReport> trainingReports, targetReports;
        QString labelColumn;    // chosen (from the training reports)
        QString domainColumn;   // "" = none
    };

    using Labelings = std::vector<std::shared_ptr<const Labeling>>;

    // The UMAP map of the current predictions: every target cell (all target files in order) and every training cell
    // (all training files in order), laid out together from the model's embedding. Immutable, shared.
    struct CellMap
    {
        std::vector<float> target;     // target cells × 2
        std::vector<float> training;   // training cells × 2 (may be empty)
        QString description;           // how it was made, for the user
        Labelings labelings;           // the predictions it belongs to
    };
    using CellMapPtr = std::shared_ptr<const CellMap>;

    explicit Project(QObject *parent = nullptr);
    ~Project() override;

    // Checks datasets: each training file with role Training (the label column chosen or automatic), each target
    // with role Target and its gene overlap with the first training file. Never throws on data problems (they
    // become report messages); any thread.
    static Data check(std::vector<DatasetPtr> training, std::vector<DatasetPtr> targets,
        const QString &labelColumn = {}, const QString &domainColumn = {});

    // --- Data and data choices
    const Data &data() const { return m_data; }
    bool hasData() const { return !m_data.training.empty() && !m_data.targets.empty(); }
    // Replaces the data; a model trained on other data stays (it can be applied); its predictions go unless the
    // target files are the same. A domain column in the data sets the domain mode to Column; without one a Column
    // mode falls back to training vs target.
    void setData(Data data);
    DomainMode domainMode() const { return m_domainMode; }
    // TrainingVsTarget or PerFile (a column is chosen by re-checking the data with it: ProjectController).
    void setDomainMode(DomainMode mode);
    // How training reads the data: the label column and the domains.
    TrainingSetOptions trainingSetOptions() const;
    // Why training cannot start now ("" when it can): missing data or the first error in a report.
    QString blockingReason() const;
    // Every obs column that could hold labels in a training file / domains in any file (union, in order).
    QStringList labelCandidates() const;
    QStringList domainCandidates() const;
    QStringList inputPaths() const;   // files of the loaded datasets (never written to)
    // True labels of the target cells for context, when the targets carry the training's label column (else empty).
    std::vector<std::string> targetTruth() const;

    // --- Training options
    const TrainOptions &trainOptions() const { return m_options; }
    // The preset the options started from (what "Reset to Preset" goes back to).
    const std::string &basePreset() const { return m_basePreset; }
    // Takes the options; their preset becomes "custom" when any setting of the method (not the seed or the thread
    // count) differs from the base preset's, and the base preset's name when none does.
    void setTrainOptions(TrainOptions options);
    // Loads a preset as the new base, keeping the seed and thread count (they are not part of the method). Throws
    // nym::Error for an unknown name.
    void applyPreset(const std::string &name);
    // Restores options and their base preset together (settings of an earlier run).
    void restoreTrainOptions(TrainOptions options, const std::string &basePreset);

    // --- Model
    std::shared_ptr<const Model> model() const { return m_model; }
    const std::optional<TrainingSummary> &summary() const { return m_summary; }
    QString modelSource() const { return m_modelSource; }   // "trained here" or the file it came from
    // A new model (with its training summary when trained here); its predictions are cleared.
    void setModel(std::shared_ptr<const Model> model, std::optional<TrainingSummary> summary, const QString &source);

    // A model with its predictions for the open targets, set at once (after training, opening a model file or
    // retraining). When the same targets already have predictions, every cell a person labelled, accepted or
    // reviewed keeps that (by label name) and the change is one undo step that brings back the previous model,
    // predictions, annotations and map; otherwise it is setModel + setLabelings. Returns the cells carried over.
    std::int64_t applyModel(std::shared_ptr<const Model> model, std::optional<TrainingSummary> summary,
        const QString &source, Labelings labelings);
    // Everything applyModel replaces, for its undo command.
    struct ModelState
    {
        std::shared_ptr<const Model> model;
        std::optional<TrainingSummary> summary;
        QString source;
        Labelings labelings;
        std::vector<Annotations> annotations;
        CellMapPtr cellMap;
    };
    ModelState modelState() const;
    void setModelState(const ModelState &state);   // for ApplyModel only

    // --- Predictions and annotations
    // Predictions of the current model, one per target file in order, and their per-cell annotations.
    const Labelings &labelings() const { return m_labelings; }
    const std::vector<Annotations> &annotations() const { return m_annotations; }
    // New predictions (one per target file): every cell gets the model's call at the current threshold.
    void setLabelings(Labelings labelings);
    // The confidence threshold of the model's calls (Annotations::isBelowThreshold). Throws nym::Error outside
    // [0, 1]. Changing it re-applies the rule to every cell the model labels.
    double threshold() const { return m_threshold; }
    void setThreshold(double threshold);
    // The user's change of the threshold: one undo step once there are predictions (consecutive changes merge).
    void changeThreshold(double threshold);
    // The map of the current predictions (null until computed; cleared with them). A map computed for other
    // predictions is refused (returns false).
    CellMapPtr cellMap() const { return m_cellMap; }
    bool setCellMap(CellMapPtr map);

    // --- Edits of the final labels. Each is one undo command on undoStack() (Edit → Undo); `cells` index all
    // target cells, files in order (as the browser's selection does). Cells the edit would not change are left
    // out; nothing is pushed when none changes. Return the number of cells changed.
    std::int64_t targetCells() const;
    // Sets a label (a class, Unassigned or a new name) on the cells; source Relabelled (one cell) or Lasso.
    std::int64_t relabelCells(const std::vector<std::int64_t> &cells, const std::string &label,
        LabelSource source = LabelSource::Relabelled);
    // Accepts the model's label for the cells (and marks them reviewed).
    std::int64_t acceptCells(const std::vector<std::int64_t> &cells);
    std::int64_t unassignCells(const std::vector<std::int64_t> &cells, LabelSource source = LabelSource::Relabelled);
    // Renames a final label on every cell that has it (into an existing name: merges the two), keeping each cell's
    // source, reviewed flag and edit time; one undo step. Returns the cells changed. nym::Error for an empty name.
    std::int64_t renameLabel(const std::string &from, const std::string &to);
    // Puts a saved review back (labels by name with their source, reviewed flag and time), as one undo step.
    void restoreCells(const std::vector<std::int64_t> &cells, const std::vector<std::string> &labels,
        const std::vector<Annotations::CellState> &states);
    // Every label name in use or introduced (classes first, then Unassigned, then names people added, also those
    // no cell carries yet).
    QStringList labelNames() const;
    // Adds a label name before any cell carries it (one undo step); false when the name is empty or exists.
    bool addLabelName(const QString &name);
    QStringList addedLabelNames() const { return m_addedLabels; }
    void setLabelNameAdded(const QString &name, bool added);   // for AddLabelName only
    // Target cells a person labelled, accepted or reviewed.
    std::int64_t editedCells() const;
    // The cells people labelled (not Unassigned) as labelled training files, one per target file that has any
    // (reviewedCellsAsTraining), for "retrain with my corrections".
    std::vector<DatasetPtr> correctionsAsTraining() const;
    // Each cell's domain in one target file as training sees it (the domain column's value, the file's name, or
    // "target"), for the exports' domain column.
    std::vector<std::string> targetDomains(std::size_t file) const;
    // Which target file a target-wide cell index falls in, and the cell's index there. nym::Error when out of range.
    struct CellLocation
    {
        std::size_t file = 0;
        std::int64_t cell = 0;
    };
    CellLocation locateCell(std::int64_t cell) const;
    // The annotation state of one target cell (for commands and tests).
    Annotations::CellState cellState(std::int64_t cell) const;
    // For the edit commands only: applies `edit(annotations, cellInFile, k)` to each cell and announces the change.
    void applyCellEdit(const std::vector<std::int64_t> &cells,
        const std::function<void(Annotations &, std::int64_t, std::size_t)> &edit);

    // --- Edits and their state
    QUndoStack *undoStack() const { return m_undo; }
    // Predictions or edits exist that have not been exported since they changed.
    bool isModified() const;
    // Marks the current predictions and edits as written out (after an export).
    void markExported();

Q_SIGNALS:
    void dataChanged();
    void domainModeChanged();
    void trainOptionsChanged();
    void modelChanged();
    void labelingsChanged();        // predictions replaced (or cleared); annotations rebuilt
    void thresholdChanged(double threshold);
    void annotationsChanged();      // final labels changed (threshold, predictions or an edit)
    void cellMapChanged();          // a map was computed, or cleared with its predictions
    void labelsChanged(const std::vector<std::int64_t> &cells);   // an edit (or its undo) changed these cells
    void labelNamesChanged();       // a name was added (or its addition undone)
    void modifiedChanged(bool modified);

private:
    // Sets options.preset: the base preset's name, or "custom" when a setting of the method differs from it.
    void namePreset(TrainOptions &options) const;
    void setModified(bool modified);

    Data m_data;
    DomainMode m_domainMode = DomainMode::TrainingVsTarget;
    TrainOptions m_options;
    std::string m_basePreset;
    std::shared_ptr<const Model> m_model;
    std::optional<TrainingSummary> m_summary;
    QString m_modelSource;
    Labelings m_labelings;
    std::vector<Annotations> m_annotations;
    double m_threshold = 0.5;
    CellMapPtr m_cellMap;
    QUndoStack *m_undo = nullptr;
    bool m_modified = false;
    QStringList m_addedLabels;
};

}   // namespace nym::ui
