#include "ui/plots/trainingcurves.h"

#include "core/nn/trainer.h"
#include "ui/plots/plotwidget.h"

#include <QGridLayout>

#include <algorithm>
#include <cmath>

namespace nym::ui {

namespace {

// Okabe–Ito colours: distinguishable with the common colour-vision deficiencies.
const QColor kBlue(0, 114, 178), kOrange(230, 159, 0), kGreen(0, 158, 115), kBlack(40, 40, 40),
    kSky(86, 180, 233), kVermillion(213, 94, 0);

void setUpAxes(PlotWidget *p, const QString &y)
{
    p->xAxis->setLabel(QObject::tr("epoch"));
    // Whole epochs only: the step grows with the run (1, 2, 5, 10, ...).
    QSharedPointer<QCPAxisTickerFixed> ticker(new QCPAxisTickerFixed);
    ticker->setTickStep(1.0);
    ticker->setScaleStrategy(QCPAxisTickerFixed::ssMultiples);
    p->xAxis->setTicker(ticker);
    p->yAxis->setLabel(y);
}

void addPoint(QCPGraph *g, double x, double y)
{
    if (std::isfinite(y))
        g->addData(x, y);
}

}   // namespace

TrainingCurves::TrainingCurves(QWidget *parent)
    : QWidget(parent)
    , m_loss(new PlotWidget(tr("Losses"), this))
    , m_weights(new PlotWidget(tr("Weights in force"), this))
    , m_accuracy(new PlotWidget(tr("Accuracy"), this))
{
    auto *grid = new QGridLayout(this);
    grid->setContentsMargins(0, 0, 0, 0);
    grid->addWidget(m_loss, 0, 0);
    grid->addWidget(m_accuracy, 0, 1);
    grid->addWidget(m_weights, 1, 0);
    setUpAxes(m_loss, tr("loss"));
    m_loss->addSeries(tr("supervised"), kBlue);
    m_loss->addSeries(tr("consistency (MixMatch)"), kOrange);
    m_loss->addSeries(tr("adversary"), kGreen);
    m_loss->addSeries(tr("total"), kBlack, Qt::DashLine);
    setUpAxes(m_weights, tr("weight"));
    m_weights->addSeries(tr("MixMatch weight w_u"), kOrange);
    m_weights->addSeries(tr("adversary weight w_d"), kGreen);
    m_weights->addSeries(tr("alignment strength β"), kSky, Qt::DashLine);
    setUpAxes(m_accuracy, tr("accuracy"));
    m_accuracy->addSeries(tr("held-out"), kBlue);
    m_accuracy->addSeries(tr("model selection"), kSky, Qt::DashLine);
    m_accuracy->addSeries(tr("adversary"), kGreen);
    m_accuracy->addSeries(tr("adversary chance"), kGreen, Qt::DotLine);
    m_best = new QCPItemStraightLine(m_accuracy);
    m_best->setPen(QPen(kVermillion, 1, Qt::DashDotLine));
    m_best->setVisible(false);
    m_averaged = new QCPItemRect(m_accuracy);
    m_averaged->setPen(Qt::NoPen);
    m_averaged->setBrush(QColor(kVermillion.red(), kVermillion.green(), kVermillion.blue(), 28));
    m_averaged->setLayer(QStringLiteral("background"));
    m_averaged->setVisible(false);
    // Legend entries for the two items (a graph without data draws only its legend icon), shown with the items.
    m_bestKey = m_accuracy->addSeries(tr("best selection epoch"), kVermillion, Qt::DashDotLine);
    m_averagedKey = m_accuracy->addSeries(tr("weights averaged"), Qt::transparent);
    m_averagedKey->setPen(Qt::NoPen);
    m_averagedKey->setBrush(m_averaged->brush().color().darker(110));
    m_accuracy->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignBottom | Qt::AlignRight);
    reset(100);
}

void TrainingCurves::reset(int epochs)
{
    m_epochs = std::max(1, epochs);
    for (PlotWidget *p : {m_loss, m_weights, m_accuracy}) {
        for (int i = 0; i < p->graphCount(); ++i)
            p->graph(i)->data()->clear();
        p->xAxis->setRange(0, std::max(1, m_epochs - 1));
    }
    m_loss->yAxis->setRange(0, 1);
    m_weights->yAxis->setRange(0, 1.05);
    m_accuracy->yAxis->setRange(0, 1.02);
    m_best->setVisible(false);
    m_averaged->setVisible(false);
    m_averagedFrom = -1;
    m_bestKey->removeFromLegend();
    m_averagedKey->removeFromLegend();
    for (PlotWidget *p : {m_loss, m_weights, m_accuracy})
        p->replot(QCustomPlot::rpQueuedReplot);
}

void TrainingCurves::addEpoch(const EpochReport &r)
{
    const double x = r.epoch;
    addPoint(m_loss->graph(0), x, r.supervisedLoss);
    addPoint(m_loss->graph(1), x, r.consistencyLoss);
    addPoint(m_loss->graph(2), x, r.adversaryLoss);
    addPoint(m_loss->graph(3), x, r.totalLoss);
    addPoint(m_weights->graph(0), x, r.unsupervisedWeight);
    addPoint(m_weights->graph(1), x, r.adversaryWeight);
    addPoint(m_weights->graph(2), x, r.alignmentStrength);
    addPoint(m_accuracy->graph(0), x, r.heldOutAccuracy);
    addPoint(m_accuracy->graph(1), x, r.selectionAccuracy);
    addPoint(m_accuracy->graph(2), x, r.adversaryAccuracy);
    addPoint(m_accuracy->graph(3), x, std::isfinite(r.adversaryAccuracy) ? r.adversaryChance : NAN);
    if (r.best) {
        m_best->point1->setCoords(x, 0);
        m_best->point2->setCoords(x, 1);
        m_best->setVisible(true);
        m_bestKey->addToLegend();
    }
    if (r.averaged) {
        if (m_averagedFrom < 0)
            m_averagedFrom = x;
        m_averaged->topLeft->setCoords(m_averagedFrom - 0.5, 1.02);
        m_averaged->bottomRight->setCoords(x + 0.5, 0);
        m_averaged->setVisible(true);
        m_averagedKey->addToLegend();
    }
    if (r.epoch >= m_epochs)
        m_epochs = r.epoch + 1;
    for (PlotWidget *p : {m_loss, m_weights, m_accuracy})
        p->xAxis->setRange(0, std::max(1, m_epochs - 1));
    bool found = false;
    const QCPRange loss = m_loss->graph(3)->data()->valueRange(found);
    double top = found ? loss.upper : 1.0;
    for (int i = 0; i < 3; ++i) {
        bool f = false;
        const QCPRange rr = m_loss->graph(i)->data()->valueRange(f);
        if (f)
            top = std::max(top, rr.upper);
    }
    m_loss->yAxis->setRange(0, top * 1.08);
    bool fw = false;
    const QCPRange w = m_weights->graph(0)->data()->valueRange(fw);
    bool fd = false;
    const QCPRange wd = m_weights->graph(1)->data()->valueRange(fd);
    m_weights->yAxis->setRange(0, std::max({1.0, fw ? w.upper : 0.0, fd ? wd.upper : 0.0}) * 1.05);
    for (PlotWidget *p : {m_loss, m_weights, m_accuracy})
        p->replot(QCustomPlot::rpQueuedReplot);
}

std::pair<double, double> TrainingCurves::averagedEpochsShown() const
{
    if (!m_averaged->visible())
        return {NAN, NAN};
    return {m_averaged->topLeft->coords().x() + 0.5, m_averaged->bottomRight->coords().x() - 0.5};
}

int TrainingCurves::epochsShown() const
{
    return m_loss->graph(3)->dataCount();
}

}   // namespace nym::ui
