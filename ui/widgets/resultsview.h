#pragma once

#include <QString>
#include <QWidget>

class QDoubleSpinBox;
class QLabel;
class QTableView;

namespace nym::ui {

class ClassSummaryModel;
class Project;

// The summary after training or applying a model: the model (where it came from, held-out accuracy, calibration),
// and for the target cells per-class counts, shares, mean confidence and cells under the confidence threshold; when
// the targets carry the training's label column, the agreement with it. Renders the Project (the table is a
// ClassSummaryModel over it); the threshold box sends the Project the new threshold. GUI thread.
class ResultsView : public QWidget
{
    Q_OBJECT

public:
    ResultsView(Project *project, QWidget *parent = nullptr);

    double threshold() const;
    // As if the user typed it: the Project takes it.
    void setThreshold(double threshold);
    QString summaryText() const;
    QTableView *table() const { return m_table; }

private:
    void refresh();

    Project *m_project = nullptr;
    ClassSummaryModel *m_model = nullptr;
    QLabel *m_summary = nullptr;
    QDoubleSpinBox *m_threshold = nullptr;
    QTableView *m_table = nullptr;
};

}   // namespace nym::ui
