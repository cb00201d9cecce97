#include "ui/widgets/taskstatus.h"

#include "ui/document/projectcontroller.h"

#include <QLabel>
#include <QProgressBar>
#include <QStatusBar>
#include <QToolButton>

#include <cmath>

namespace nym::ui {

namespace {

QString duration(double seconds)
{
    if (!std::isfinite(seconds) || seconds < 0)
        return QStringLiteral("–");
    const auto s = static_cast<long long>(std::llround(seconds));
    if (s >= 3600)
        return QStringLiteral("%1:%2:%3").arg(s / 3600).arg((s / 60) % 60, 2, 10, QLatin1Char('0')).arg(s % 60, 2, 10, QLatin1Char('0'));
    return QStringLiteral("%1:%2").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
}

}   // namespace

TaskStatus::TaskStatus(QStatusBar *bar, ProjectController *controller)
    : QObject(bar)
    , m_controller(controller)
    , m_status(new QLabel(bar))
    , m_training(new QLabel(bar))
    , m_progress(new QProgressBar(bar))
    , m_cancelMap(new QToolButton(bar))
{
    m_cancelMap->setText(tr("Cancel Map"));
    m_cancelMap->setToolTip(tr("Stop computing the UMAP map (compute it again from the Map step)"));
    m_cancelMap->hide();
    connect(m_cancelMap, &QToolButton::clicked, controller, &ProjectController::cancelMap);
    m_progress->setMaximumWidth(220);
    m_progress->setTextVisible(true);
    m_progress->hide();
    bar->addWidget(m_status, 1);
    bar->addPermanentWidget(m_training);
    bar->addPermanentWidget(m_progress);
    bar->addPermanentWidget(m_cancelMap);
    m_status->setText(tr("Open a training and a target dataset, or the demo data (File → Open Demo)."));

    connect(controller, &ProjectController::statusChanged, m_status, &QLabel::setText);
    connect(controller, &ProjectController::busyChanged, this, &TaskStatus::showBusy);
    connect(controller, &ProjectController::trainingStarted, this, [this](int epochs) {
        m_epochs = epochs;
        m_stepsPerEpoch = 0;
        showBusy(true);   // preparing the training set: no measure yet
    });
    connect(controller, &ProjectController::trainingPrepared, this, [this](int epochs, int stepsPerEpoch) {
        m_epochs = epochs;
        m_stepsPerEpoch = stepsPerEpoch;
        m_progress->setRange(0, 1000);   // per mille: epochs × steps can exceed an int
        m_progress->setValue(0);
        m_progress->setFormat(QStringLiteral("%p%"));
    });
    connect(controller, &ProjectController::trainingStep, this, &TaskStatus::showStep);
}

QString TaskStatus::text() const
{
    return m_status->text();
}

void TaskStatus::showBusy(bool busy)
{
    m_cancelMap->setVisible(busy && m_controller->isMapping());
    if (!busy) {
        m_progress->hide();
        m_training->clear();
        return;
    }
    // File jobs have no measure of progress: a busy bar. Training replaces it once its steps are known.
    if (m_controller->isTraining() && m_stepsPerEpoch > 0)
        return;
    m_progress->setRange(0, 0);
    m_progress->setFormat(QString());
    m_progress->show();
}

void TaskStatus::showStep(const StepReport &r)
{
    const double total = std::max(1.0, static_cast<double>(m_epochs) * std::max(1, m_stepsPerEpoch));
    m_progress->setValue(static_cast<int>(std::min(1000.0, 1000.0 * static_cast<double>(r.globalStep + 1) / total)));
    m_training->setText(tr("Epoch %1/%2 · step %3/%4 · ETA %5")
                            .arg(r.epoch + 1)
                            .arg(m_epochs)
                            .arg(r.step + 1)
                            .arg(r.stepsInEpoch)
                            .arg(duration(r.etaSeconds)));
}

}   // namespace nym::ui
