#pragma once

#include "core/data/trainingset.h"
#include "core/model/model.h"
#include "core/nn/trainer.h"
#include "core/model/trainoptions.h"

#include <QMetaType>
#include <QObject>
#include <QString>

#include <memory>

class QThread;

namespace nym::ui {

class TrainingWorker;

// Runs one training at a time in a worker thread (DESIGN.md "workers"): the worker drives core's Trainer through
// its callbacks and stop token and reports through typed, queued signals. Owned by the GUI thread; every signal
// arrives on the GUI thread. Nothing here touches the Project: results are applied by whoever listens.
class TrainingController : public QObject
{
    Q_OBJECT

public:
    explicit TrainingController(QObject *parent = nullptr);
    ~TrainingController() override;   // stops a running training and waits for it

    // Starts training; returns false (and emits nothing) when one is already running.
    bool start(std::shared_ptr<const TrainingSet> data, const TrainOptions &options);
    // The same, preparing the training set from datasets in the worker thread first. With `startFrom`, the network
    // starts from that model's weights (Trainer::startFrom: retraining with corrections).
    bool start(std::vector<DatasetPtr> training, std::vector<DatasetPtr> targets, const TrainingSetOptions &setOptions,
        const TrainOptions &options, std::shared_ptr<const Model> startFrom = {});
    // Asks the running training to stop after the current step; the model so far is still delivered.
    void stop();
    bool isRunning() const;

Q_SIGNALS:
    void started(int epochs, int stepsPerEpoch);
    void stepDone(const nym::StepReport &report);     // throttled to about 20 per second
    void epochDone(const nym::EpochReport &report);
    void finishing(bool stopped);   // the epochs are over; the model is being finished
    // Training ended (completed, stopped early or stopped by the user): the selected model and its summary.
    void finished(std::shared_ptr<const nym::Model> model, const nym::TrainingSummary &summary);
    void failed(const QString &message);

private:
    bool launch(TrainingWorker *worker);
    void cleanUp();

    QThread *m_thread = nullptr;
    TrainingWorker *m_worker = nullptr;
};

}   // namespace nym::ui

Q_DECLARE_METATYPE(nym::StepReport)
Q_DECLARE_METATYPE(nym::EpochReport)
Q_DECLARE_METATYPE(nym::TrainingSummary)
Q_DECLARE_METATYPE(std::shared_ptr<const nym::Model>)
