#pragma once

#include "ui/workers/datajobs.h"

#include <QObject>
#include <QString>

#include <functional>
#include <memory>
#include <stop_token>

namespace nym::ui {

// Runs one data job at a time (reading, checking, labelling, exporting) on Qt's thread pool and reports on the GUI
// thread. Exceptions never cross the thread boundary: they become failed(). cancel() asks the job to stop between
// files. Owned by the main window; GUI thread.
class JobController : public QObject
{
    Q_OBJECT

public:
    using Job = std::function<JobResult(std::stop_token)>;

    explicit JobController(QObject *parent = nullptr);
    ~JobController() override;   // cancels and waits

    // False when a job is already running.
    bool start(Job job);
    void cancel();
    bool isRunning() const { return m_running; }

Q_SIGNALS:
    void finished(const nym::ui::JobResult &result);
    void failed(const QString &message);

private:
    struct State;
    std::shared_ptr<State> m_state;
    bool m_running = false;
};

}   // namespace nym::ui
