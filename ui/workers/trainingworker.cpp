#include "ui/workers/trainingworker.h"

#include "core/common/error.h"

#include <chrono>
#include <exception>

namespace nym::ui {

TrainingWorker::TrainingWorker(std::shared_ptr<const TrainingSet> data, TrainOptions options)
    : m_data(std::move(data))
    , m_options(std::move(options))
{
}

TrainingWorker::TrainingWorker(std::vector<DatasetPtr> training, std::vector<DatasetPtr> targets,
    TrainingSetOptions setOptions, TrainOptions options, std::shared_ptr<const Model> startFrom)
    : m_training(std::move(training))
    , m_targets(std::move(targets))
    , m_setOptions(std::move(setOptions))
    , m_options(std::move(options))
    , m_startFrom(std::move(startFrom))
{
}

void TrainingWorker::requestStop()
{
    m_stop.request_stop();
}

void TrainingWorker::run()
{
    try {
        if (!m_data) {
            m_data = std::make_shared<const TrainingSet>(prepareTrainingSet(m_training, m_targets, m_setOptions));
            m_training.clear();
            m_targets.clear();
        }
        if (m_stop.stop_requested()) {
            Q_EMIT failed(tr("Training was stopped before it began."));
            return;
        }
        Trainer trainer(m_data, m_options);
        if (m_startFrom)
            trainer.startFrom(*m_startFrom);
        Q_EMIT started(trainer.numEpochs(), trainer.stepsPerEpoch());
        using Clock = std::chrono::steady_clock;
        auto lastStep = Clock::now() - std::chrono::seconds(1);
        TrainerCallbacks cb;
        cb.onStep = [&](const StepReport &r) {
            // The GUI needs about 20 updates a second, not one per step (a step can take a millisecond).
            const auto now = Clock::now();
            if (now - lastStep >= std::chrono::milliseconds(50) || r.step + 1 == r.stepsInEpoch) {
                lastStep = now;
                Q_EMIT stepDone(r);
            }
        };
        cb.onEpoch = [&](const EpochReport &e) { Q_EMIT epochDone(e); };
        const bool completed = trainer.run(cb, m_stop.get_token());
        Q_EMIT finishing(!completed);
        auto result = trainer.finish();
        Q_EMIT finished(std::make_shared<const Model>(std::move(result.model)), result.summary);
    } catch (const Error &e) {
        Q_EMIT failed(QString::fromStdString(e.what()));
    } catch (const std::bad_alloc &) {
        Q_EMIT failed(tr("Training ran out of memory. Close other programs or use a smaller batch."));
    } catch (const std::exception &e) {
        Q_EMIT failed(tr("Training failed unexpectedly: %1").arg(QString::fromStdString(e.what())));
    }
}

}   // namespace nym::ui
