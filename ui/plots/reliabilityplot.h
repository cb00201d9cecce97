#pragma once

#include "ui/plots/plotwidget.h"

namespace nym {
struct CalibrationReport;
}

namespace nym::ui {

// Reliability diagram of the held-out labelled cells: accuracy against mean confidence per bin, the diagonal of
// perfect calibration, the share of cells per bin as bars, and the expected calibration error in the title. During
// training it shows the current weights; afterwards the selected model before and after temperature scaling.
// Renders only; owned by its parent; GUI thread.
class ReliabilityPlot : public PlotWidget
{
    Q_OBJECT

public:
    explicit ReliabilityPlot(QWidget *parent = nullptr);

    void reset();
    void showEpoch(const CalibrationReport &report, int epoch);
    // `scaled` is empty (no curve) when temperature scaling was off.
    void showFinal(const CalibrationReport &before, const CalibrationReport *scaled, double temperature);
    QString title() const;

private:
    void setCurve(QCPGraph *graph, const CalibrationReport &report);

    QCPGraph *m_before = nullptr;
    QCPGraph *m_after = nullptr;
    QCPBars *m_share = nullptr;
};

}   // namespace nym::ui
