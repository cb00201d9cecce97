#pragma once

#include <QObject>
#include <QString>

#include <functional>
#include <memory>
#include <stop_token>

namespace nym::ui {

// Runs one data job at a time (reading, checking, labelling, writing) on Qt's thread pool and reports on the GUI
// thread. A job is typed at its call site (run<Result>): its result is handed to an `apply` function on the GUI
// thread, so no catch-all result struct crosses the thread boundary. Exceptions never cross it either: they become
// failed(). cancel() asks the job to stop between files. Owned by the ProjectController; GUI thread.
class JobController : public QObject
{
    Q_OBJECT

public:
    explicit JobController(QObject *parent = nullptr);
    ~JobController() override;   // cancels and waits

    // Runs `job` on a pool thread, then `apply(result)` on the GUI thread (unless it threw). False when a job is
    // already running.
    template <class Result>
    bool run(std::function<Result(std::stop_token)> job, std::function<void(Result)> apply)
    {
        return start([job = std::move(job), apply = std::move(apply)](std::stop_token stop) -> Continuation {
            auto result = std::make_shared<Result>(job(stop));
            return [apply, result] { apply(std::move(*result)); };
        });
    }
    void cancel();
    bool isRunning() const { return m_running; }

Q_SIGNALS:
    void finished();   // after the job's apply function ran
    void failed(const QString &message);

private:
    using Continuation = std::function<void()>;
    bool start(std::function<Continuation(std::stop_token)> job);

    struct State;
    std::shared_ptr<State> m_state;
    bool m_running = false;
};

}   // namespace nym::ui
