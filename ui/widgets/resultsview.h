#pragma once

#include <QString>
#include <QWidget>

class QDoubleSpinBox;
class QLabel;
class QTableWidget;

namespace nym::ui {

class Project;

// The summary after training or applying a model: the model (where it came from, held-out accuracy, calibration),
// and for the target cells per-class counts, shares, mean confidence and cells under the confidence threshold; when
// the targets carry the training's label column, the agreement with it. Observes the Project; GUI thread.
class ResultsView : public QWidget
{
    Q_OBJECT

public:
    ResultsView(Project *project, QWidget *parent = nullptr);

    double threshold() const;
    void setThreshold(double threshold);
    QString summaryText() const;
    QTableWidget *table() const { return m_table; }

private:
    void refresh();
    void updateAgreement();

    Project *m_project = nullptr;
    QLabel *m_summary = nullptr;
    QDoubleSpinBox *m_threshold = nullptr;
    QTableWidget *m_table = nullptr;
    QString m_agreement;   // rich text; empty when the targets carry no true labels
};

}   // namespace nym::ui
