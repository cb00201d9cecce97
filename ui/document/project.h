#pragma once

#include "core/data/dataset.h"
#include "core/data/preflight.h"
#include "core/data/trainingset.h"
#include "core/nn/labeler.h"
#include "core/model/model.h"
#include "core/nn/trainer.h"

#include <QObject>
#include <QString>
#include <QStringList>

#include <memory>
#include <optional>
#include <vector>

namespace nym::ui {

// The open project: the training and target datasets with their preflight reports, the chosen label and domain
// columns, the current model (trained here or opened from a file) and its predictions for every target file.
// The single place this state changes (DESIGN.md "document"); widgets observe its signals. Datasets, the model and
// predictions are immutable and shared, so workers may read them from other threads. Owned by the main window;
// GUI thread only.
class Project : public QObject
{
    Q_OBJECT

public:
    // The data part of a project as a loader builds it off the GUI thread: datasets and their reports.
    struct Data
    {
        std::vector<DatasetPtr> training, targets;
        std::vector<PreflightReport> trainingReports, targetReports;
        QString labelColumn;    // chosen (from the training reports)
        QString domainColumn;   // "" = none
    };

    explicit Project(QObject *parent = nullptr);

    // Checks datasets: each training file with role Training (the label column chosen or automatic), each target
    // with role Target and its gene overlap with the first training file. Never throws on data problems (they
    // become report messages); any thread.
    static Data check(std::vector<DatasetPtr> training, std::vector<DatasetPtr> targets,
        const QString &labelColumn = {}, const QString &domainColumn = {});

    const Data &data() const { return m_data; }
    bool hasData() const { return !m_data.training.empty() && !m_data.targets.empty(); }
    // Replaces the data; a model trained on other data stays (it can be applied); its predictions go unless the
    // target files are the same.
    void setData(Data data);
    // Why training cannot start now ("" when it can): missing data or the first error in a report.
    QString blockingReason() const;
    // Every obs column that could hold labels in a training file / domains in any file (union, in order).
    QStringList labelCandidates() const;
    QStringList domainCandidates() const;
    QStringList inputPaths() const;   // files of the loaded datasets (never written to)

    std::shared_ptr<const Model> model() const { return m_model; }
    const std::optional<TrainingSummary> &summary() const { return m_summary; }
    QString modelSource() const { return m_modelSource; }   // "trained here" or the file it came from
    // A new model (with its training summary when trained here); its predictions are cleared.
    void setModel(std::shared_ptr<const Model> model, std::optional<TrainingSummary> summary, const QString &source);

    // Predictions of the current model, one per target file in order.
    using Labelings = std::vector<std::shared_ptr<const Labeling>>;
    const Labelings &labelings() const { return m_labelings; }
    void setLabelings(Labelings labelings);
    // True labels of the target cells for context, when the targets carry the training's label column (else empty).
    std::vector<std::string> targetTruth() const;

Q_SIGNALS:
    void dataChanged();
    void modelChanged();
    void labelingsChanged();

private:
    Data m_data;
    std::shared_ptr<const Model> m_model;
    std::optional<TrainingSummary> m_summary;
    QString m_modelSource;
    Labelings m_labelings;
};

}   // namespace nym::ui
