#pragma once

#include "core/data/cellselection.h"

#include <QAbstractTableModel>
#include <QString>

#include <cstdint>
#include <optional>
#include <vector>

namespace nym::ui {

class Project;

// The review queue as a table model observing the Project: the target cells whose confidence is below the queue's
// threshold, lowest confidence first, optionally only one predicted class, only cells inside a selection, only
// cells not yet reviewed. Rows are target-wide cell indices (files in order, as the browser's). Edits do not
// reorder the queue under the reviewer (a reviewed cell stays until the filters are applied again); the counts
// follow every edit. Display text in Qt::DisplayRole, numbers in Qt::UserRole. GUI thread.
class ReviewQueueModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { Cell, File, Predicted, Confidence, Final, Reviewed, ColumnCount };

    explicit ReviewQueueModel(Project *project, QObject *parent = nullptr);

    // Cells with confidence strictly below this join the queue (the threshold rule of Annotations).
    void setThreshold(double threshold);
    double threshold() const { return m_threshold; }
    void setClassFilter(const QString &predictedClass);   // "" = every class
    void setSelectionFilter(std::optional<CellSelection> selection);
    void setUnreviewedOnly(bool on);
    // Rebuilds the rows from the Project and the filters (also after new predictions).
    void rebuild();

    std::int64_t cellAt(int row) const;
    int rowOf(std::int64_t cell) const;   // −1 when the cell is not in the queue
    // Cells of the whole target the model would call Unassigned at the queue's threshold (confidence below it or
    // no counts), and how many of the queue's rows are reviewed.
    std::int64_t wouldBeUnassigned() const;
    std::int64_t reviewedInQueue() const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

Q_SIGNALS:
    void countsChanged();

private:
    Project *m_project;
    double m_threshold = 0.5;
    QString m_class;
    std::optional<CellSelection> m_selection;
    bool m_unreviewedOnly = false;
    std::vector<std::int64_t> m_rows;
};

}   // namespace nym::ui
