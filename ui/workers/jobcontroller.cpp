#include "ui/workers/jobcontroller.h"

#include "core/common/error.h"

#include <QFutureWatcher>
#include <QtConcurrent>

namespace nym::ui {

struct JobController::State
{
    std::stop_source stop;
    QFuture<void> future;
};

JobController::JobController(QObject *parent)
    : QObject(parent)
{
}

JobController::~JobController()
{
    if (m_state) {
        m_state->stop.request_stop();
        m_state->future.waitForFinished();
    }
}

bool JobController::start(std::function<Continuation(std::stop_token)> job)
{
    if (m_running)
        return false;
    m_running = true;
    auto state = std::make_shared<State>();
    m_state = state;
    auto *watcher = new QFutureWatcher<std::pair<Continuation, QString>>(this);
    using Watcher = std::remove_pointer_t<decltype(watcher)>;
    connect(watcher, &Watcher::finished, this, [this, watcher, state] {
        auto r = watcher->result();
        watcher->deleteLater();
        m_running = false;
        if (m_state == state)
            m_state.reset();
        if (r.first) {
            r.first();
            Q_EMIT finished();
        } else {
            Q_EMIT failed(r.second);
        }
    });
    auto future = QtConcurrent::run([job = std::move(job), token = state->stop.get_token()]()
                                        -> std::pair<Continuation, QString> {
        try {
            return {job(token), QString()};
        } catch (const Error &e) {
            return {Continuation(), QString::fromUtf8(e.what())};
        } catch (const std::bad_alloc &) {
            return {Continuation(), tr("Not enough memory for this data.")};
        } catch (const std::exception &e) {
            return {Continuation(), tr("Unexpected error: %1").arg(QString::fromUtf8(e.what()))};
        }
    });
    state->future = QFuture<void>(future);
    watcher->setFuture(future);
    return true;
}

void JobController::cancel()
{
    if (m_state)
        m_state->stop.request_stop();
}

}   // namespace nym::ui
