#pragma once

#include <QObject>
#include <QString>

class QLabel;
class QProgressBar;
class QStatusBar;
class QToolButton;

namespace nym {
struct StepReport;
}

namespace nym::ui {

class ProjectController;

// The status bar's view of the work under way: the controller's status line, a busy bar while a file job runs, and
// during training the epoch, step, ETA and a progress bar; while the map is computed, a button to cancel it. Renders the ProjectController's signals; owns nothing of
// the document. Lives in the window's status bar; GUI thread.
class TaskStatus : public QObject
{
    Q_OBJECT

public:
    TaskStatus(QStatusBar *bar, ProjectController *controller);

    QString text() const;

private:
    void showBusy(bool busy);
    void showStep(const nym::StepReport &r);

    ProjectController *m_controller = nullptr;
    QLabel *m_status = nullptr;
    QLabel *m_training = nullptr;
    QProgressBar *m_progress = nullptr;
    QToolButton *m_cancelMap = nullptr;
    int m_epochs = 0;
    int m_stepsPerEpoch = 0;
};

}   // namespace nym::ui
