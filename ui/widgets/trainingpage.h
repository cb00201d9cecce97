#pragma once

#include <QSplitter>

class QAction;

namespace nym::ui {

class Project;
class ProjectController;
class ReliabilityPlot;
class TrainingCurves;
class TrainingPanel;

// The training step: the settings (TrainingPanel) with Train and Stop buttons on the left, the live curves and the
// reliability diagram on the right. The buttons trigger the window's actions; the plots render the controller's
// training reports and the Project's training summary. Owned by the window's tabs; GUI thread.
class TrainingPage : public QSplitter
{
    Q_OBJECT

public:
    TrainingPage(Project *project, ProjectController *controller, QAction *train, QAction *stop,
        QWidget *parent = nullptr);

    TrainingPanel *panel() const { return m_panel; }
    TrainingCurves *curves() const { return m_curves; }
    ReliabilityPlot *reliability() const { return m_reliability; }

private:
    void showFinal();

    Project *m_project = nullptr;
    TrainingPanel *m_panel = nullptr;
    TrainingCurves *m_curves = nullptr;
    ReliabilityPlot *m_reliability = nullptr;
};

}   // namespace nym::ui
