#include "ui/workers/trainingcontroller.h"

#include "ui/workers/trainingworker.h"

#include <QThread>

namespace nym::ui {

TrainingController::TrainingController(QObject *parent)
    : QObject(parent)
{
    qRegisterMetaType<nym::StepReport>();
    qRegisterMetaType<nym::EpochReport>();
    qRegisterMetaType<nym::TrainingSummary>();
    qRegisterMetaType<std::shared_ptr<const nym::Model>>();
}

TrainingController::~TrainingController()
{
    if (m_worker)
        m_worker->requestStop();
    if (m_thread) {
        m_thread->quit();
        m_thread->wait();
    }
}

bool TrainingController::isRunning() const
{
    return m_thread != nullptr;
}

bool TrainingController::start(std::shared_ptr<const TrainingSet> data, const TrainOptions &options)
{
    if (m_thread)
        return false;
    return launch(new TrainingWorker(std::move(data), options));
}

bool TrainingController::start(std::vector<DatasetPtr> training, std::vector<DatasetPtr> targets,
    const TrainingSetOptions &setOptions, const TrainOptions &options, std::shared_ptr<const Model> startFrom)
{
    if (m_thread)
        return false;
    return launch(new TrainingWorker(std::move(training), std::move(targets), setOptions, options, std::move(startFrom)));
}

bool TrainingController::launch(TrainingWorker *worker)
{
    m_thread = new QThread(this);
    m_worker = worker;
    m_worker->moveToThread(m_thread);
    connect(m_thread, &QThread::started, m_worker, &TrainingWorker::run);
    connect(m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    connect(m_worker, &TrainingWorker::started, this, &TrainingController::started);
    connect(m_worker, &TrainingWorker::stepDone, this, &TrainingController::stepDone);
    connect(m_worker, &TrainingWorker::epochDone, this, &TrainingController::epochDone);
    connect(m_worker, &TrainingWorker::finishing, this, &TrainingController::finishing);
    connect(m_worker, &TrainingWorker::finished, this,
        [this](std::shared_ptr<const nym::Model> model, const nym::TrainingSummary &summary) {
            cleanUp();
            Q_EMIT finished(std::move(model), summary);
        });
    connect(m_worker, &TrainingWorker::failed, this, [this](const QString &message) {
        cleanUp();
        Q_EMIT failed(message);
    });
    m_thread->start();
    return true;
}

void TrainingController::stop()
{
    if (m_worker)
        m_worker->requestStop();
}

void TrainingController::cleanUp()
{
    if (!m_thread)
        return;
    m_thread->quit();
    m_thread->wait();
    m_thread->deleteLater();
    m_thread = nullptr;
    m_worker = nullptr;   // deleted by the thread's finished signal
}

}   // namespace nym::ui
