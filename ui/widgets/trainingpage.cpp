#include "ui/widgets/trainingpage.h"

#include "ui/document/project.h"
#include "ui/document/projectcontroller.h"
#include "ui/plots/reliabilityplot.h"
#include "ui/plots/trainingcurves.h"
#include "ui/widgets/trainingpanel.h"

#include <QAction>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QPushButton>
#include <QVBoxLayout>

namespace nym::ui {

namespace {

// A push button that mirrors an action (enabled state and tooltip) and triggers it.
QPushButton *buttonFor(QAction *action, const QString &text, QWidget *parent)
{
    auto *b = new QPushButton(text, parent);
    QObject::connect(b, &QPushButton::clicked, action, &QAction::trigger);
    const auto mirror = [b, action] {
        b->setEnabled(action->isEnabled());
        b->setToolTip(action->toolTip());
    };
    QObject::connect(action, &QAction::changed, b, mirror);
    mirror();
    return b;
}

}   // namespace

TrainingPage::TrainingPage(Project *project, ProjectController *controller, QAction *train, QAction *stop,
    QWidget *parent)
    : QSplitter(Qt::Horizontal, parent)
    , m_project(project)
{
    auto *left = new QWidget(this);
    auto *leftLayout = new QVBoxLayout(left);
    m_panel = new TrainingPanel(project, left);
    leftLayout->addWidget(m_panel, 1);
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(buttonFor(train, tr("Train"), left));
    buttons->addWidget(buttonFor(stop, tr("Stop"), left));
    leftLayout->addLayout(buttons);
    auto *right = new QWidget(this);
    auto *grid = new QVBoxLayout(right);
    grid->setContentsMargins(0, 0, 0, 0);
    m_curves = new TrainingCurves(right);
    m_reliability = new ReliabilityPlot(right);
    // The reliability diagram takes the free cell of the curves' 2 × 2 grid.
    if (auto *g = qobject_cast<QGridLayout *>(m_curves->layout()))
        g->addWidget(m_reliability, 1, 1);
    grid->addWidget(m_curves);
    addWidget(left);
    addWidget(right);
    setStretchFactor(1, 1);
    setSizes({360, 900});

    connect(controller, &ProjectController::trainingStarted, this, [this](int epochs) {
        m_curves->reset(epochs);
        m_reliability->reset();
    });
    connect(controller, &ProjectController::trainingEpoch, this, [this](const EpochReport &r) {
        m_curves->addEpoch(r);
        if (r.heldOutCalibration.cells > 0)
            m_reliability->showEpoch(r.heldOutCalibration, r.epoch);
    });
    connect(controller, &ProjectController::trainingFinished, this, &TrainingPage::showFinal);
    // A model from a file has no curves to show.
    connect(controller, &ProjectController::modelOpened, this, [this] {
        m_curves->reset(1);
        m_reliability->reset();
    });
}

void TrainingPage::showFinal()
{
    const auto &s = m_project->summary();
    const auto model = m_project->model();
    if (s && model)
        m_reliability->showFinal(s->calibrationBefore,
            model->contents().options.temperatureScaling ? &s->calibrationAfter : nullptr, s->temperature);
}

}   // namespace nym::ui
