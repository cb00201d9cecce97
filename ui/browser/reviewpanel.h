#pragma once

#include <QWidget>

#include <cstdint>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QSlider;
class QTableView;

namespace nym::ui {

class CellMapView;
class Project;
class ReviewQueueModel;

// The review queue beside the map: the low-confidence target cells, lowest first, under a threshold slider with
// live counts (cells in the queue, reviewed, would be Unassigned), filtered by predicted class, by the map's
// selection and to unreviewed cells; one hand on the keys — J/↓ next, K/↑ previous, Enter accept, 1–9 the cell's
// top classes, U Unassigned, S skip, or type a label. Every decision is one undo step through the Project; the map
// centres on and selects the current cell, and a cell clicked on the map becomes current here. GUI thread.
class ReviewPanel : public QWidget
{
    Q_OBJECT

public:
    ReviewPanel(Project *project, CellMapView *view, QWidget *parent = nullptr);

    ReviewQueueModel *model() const { return m_model; }
    QTableView *table() const { return m_table; }
    QSlider *thresholdSlider() const { return m_threshold; }
    std::int64_t currentCell() const;
    // Makes a cell current when it is in the queue (false otherwise).
    bool setCurrentCell(std::int64_t cell);
    void next();
    void previous();
    void acceptCurrent();
    // Relabels the current cell with its `rank`-th most probable class (1 = the top one).
    void relabelCurrentWithRank(int rank);
    void relabelCurrent(const QString &label);
    void unassignCurrent();
    QString countsText() const;

Q_SIGNALS:
    void currentCellChanged(std::int64_t cell);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void updateCounts();
    void showCurrent();
    QStringList topClasses(std::int64_t cell) const;

    Project *m_project;
    CellMapView *m_view;
    ReviewQueueModel *m_model;
    QSlider *m_threshold = nullptr;
    QLabel *m_counts = nullptr;
    QComboBox *m_class = nullptr;
    QCheckBox *m_inSelection = nullptr;
    QCheckBox *m_unreviewed = nullptr;
    QTableView *m_table = nullptr;
    QLabel *m_keys = nullptr;
    QLineEdit *m_relabel = nullptr;
};

}   // namespace nym::ui
