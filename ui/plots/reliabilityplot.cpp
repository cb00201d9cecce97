#include "ui/plots/reliabilityplot.h"

#include "core/eval/calibration.h"

namespace nym::ui {

ReliabilityPlot::ReliabilityPlot(QWidget *parent)
    : PlotWidget(tr("Reliability"), parent)
{
    xAxis->setLabel(tr("confidence (held-out cells)"));
    yAxis->setLabel(tr("accuracy"));
    yAxis2->setLabel(tr("share of cells"));
    yAxis2->setVisible(true);
    yAxis2->setTickLabelColor(QColor(130, 130, 130));
    yAxis2->setLabelColor(QColor(130, 130, 130));
    m_share = new QCPBars(xAxis, yAxis2);
    m_share->setName(tr("share of cells"));
    m_share->setPen(Qt::NoPen);
    m_share->setBrush(QColor(190, 190, 190, 140));
    m_share->setWidth(1.0 / 15.0 * 0.9);
    QCPGraph *diag = addSeries(tr("perfect calibration"), QColor(120, 120, 120), Qt::DashLine);
    diag->addData(0, 0);
    diag->addData(1, 1);
    m_before = addSeries(tr("model"), QColor(0, 114, 178));
    m_before->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, 5));
    m_after = addSeries(tr("after temperature scaling"), QColor(213, 94, 0));
    m_after->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDiamond, 6));
    xAxis->setRange(0, 1);
    yAxis->setRange(0, 1.02);
    yAxis2->setRange(0, 1.02);
    axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignLeft);
    reset();
}

void ReliabilityPlot::reset()
{
    m_before->data()->clear();
    m_after->data()->clear();
    m_after->setVisible(false);
    m_after->removeFromLegend();
    m_share->data()->clear();
    m_before->setName(tr("model"));
    titleElement()->setText(tr("Reliability"));
    replot(rpQueuedReplot);
}

void ReliabilityPlot::setCurve(QCPGraph *graph, const CalibrationReport &report)
{
    graph->data()->clear();
    for (const auto &b : report.bins)
        if (b.cells > 0)
            graph->addData(b.meanConfidence, b.accuracy);
}

void ReliabilityPlot::showEpoch(const CalibrationReport &report, int epoch)
{
    setCurve(m_before, report);
    m_share->data()->clear();
    double top = 0;
    for (const auto &b : report.bins) {
        const double share = report.cells > 0 ? static_cast<double>(b.cells) / static_cast<double>(report.cells) : 0;
        m_share->addData((b.lower + b.upper) / 2, share);
        top = std::max(top, share);
    }
    yAxis2->setRange(0, std::max(0.1, top * 1.1));
    m_before->setName(tr("epoch %1").arg(epoch + 1));
    titleElement()->setText(tr("Reliability — ECE %1").arg(report.ece, 0, 'f', 3));
    replot(rpQueuedReplot);
}

void ReliabilityPlot::showFinal(const CalibrationReport &before, const CalibrationReport *scaled, double temperature)
{
    showEpoch(before, 0);
    m_before->setName(tr("selected model"));
    if (scaled) {
        setCurve(m_after, *scaled);
        m_after->setVisible(true);
        m_after->addToLegend();
        m_after->setName(tr("after temperature scaling (T = %1)").arg(temperature, 0, 'f', 2));
        titleElement()->setText(tr("Reliability — ECE %1 → %2 scaled")
                                    .arg(before.ece, 0, 'f', 3)
                                    .arg(scaled->ece, 0, 'f', 3));
    } else {
        titleElement()->setText(tr("Reliability — ECE %1").arg(before.ece, 0, 'f', 3));
    }
    replot(rpQueuedReplot);
}

QString ReliabilityPlot::title() const
{
    return titleElement()->text();
}

}   // namespace nym::ui
