#pragma once

#include "core/data/trainingset.h"
#include "core/model/model.h"
#include "core/nn/trainer.h"
#include "core/model/trainoptions.h"

#include <QObject>
#include <QString>

#include <atomic>
#include <memory>
#include <stop_token>

namespace nym::ui {

// Lives in the controller's worker thread: builds a Trainer from an immutable training set and options, runs it,
// and turns every exception into failed(). requestStop() may be called from any thread.
class TrainingWorker : public QObject
{
    Q_OBJECT

public:
    TrainingWorker(std::shared_ptr<const TrainingSet> data, TrainOptions options);
    // Prepares the training set from datasets first (normalisation and gene alignment take a while on big files).
    TrainingWorker(std::vector<DatasetPtr> training, std::vector<DatasetPtr> targets, TrainingSetOptions setOptions,
        TrainOptions options, std::shared_ptr<const Model> startFrom = {});
    void requestStop();

public Q_SLOTS:
    void run();

Q_SIGNALS:
    void started(int epochs, int stepsPerEpoch);
    void stepDone(const nym::StepReport &report);
    void epochDone(const nym::EpochReport &report);
    // The epochs are over (done, stopped early or by the user): the best weights, the calibration and the linear
    // member follow (seconds on large sets).
    void finishing(bool stopped);
    void finished(std::shared_ptr<const nym::Model> model, const nym::TrainingSummary &summary);
    void failed(const QString &message);

private:
    std::shared_ptr<const TrainingSet> m_data;
    std::vector<DatasetPtr> m_training, m_targets;
    TrainingSetOptions m_setOptions;
    TrainOptions m_options;
    std::shared_ptr<const Model> m_startFrom;   // weights to start from (none: a fresh network)
    std::stop_source m_stop;
};

}   // namespace nym::ui
