#pragma once

#include <QWidget>

#include <utility>

class QCPGraph;
class QCPItemRect;
class QCPItemStraightLine;

namespace nym {
struct EpochReport;
}

namespace nym::ui {

class PlotWidget;

// Live training curves, one point per epoch: the loss components and their total, the MixMatch and adversary
// weights in force, and held-out, model-selection and adversary accuracy with the adversary's chance level. The
// best epoch so far is marked, and the epochs whose weights the model averages are shaded. Renders only; owned by its
// parent; GUI thread.
class TrainingCurves : public QWidget
{
    Q_OBJECT

public:
    explicit TrainingCurves(QWidget *parent = nullptr);

    // Clears the curves for a run of `epochs` epochs.
    void reset(int epochs);
    void addEpoch(const EpochReport &report);
    int epochsShown() const;
    // The shaded epochs of the weight average, first and last; NaN when none is shown.
    std::pair<double, double> averagedEpochsShown() const;

    PlotWidget *lossPlot() const { return m_loss; }
    PlotWidget *weightPlot() const { return m_weights; }
    PlotWidget *accuracyPlot() const { return m_accuracy; }

private:
    PlotWidget *m_loss = nullptr;
    PlotWidget *m_weights = nullptr;
    PlotWidget *m_accuracy = nullptr;
    QCPItemStraightLine *m_best = nullptr;
    QCPItemRect *m_averaged = nullptr;
    double m_averagedFrom = -1;
    QCPGraph *m_bestKey = nullptr;       // legend entries of the two items
    QCPGraph *m_averagedKey = nullptr;
    int m_epochs = 1;
};

}   // namespace nym::ui
