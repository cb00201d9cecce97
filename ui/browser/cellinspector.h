#pragma once

#include <QString>
#include <QWidget>

#include <cstdint>
#include <utility>
#include <vector>

class QLabel;
class QTableWidget;

namespace nym::ui {

class Project;

// The cell inspector: everything about the current cell (the review queue's, or the one clicked on the map): its
// id and file, the predicted and final label with the confidence, where the final label comes from and whether it
// was reviewed, every class's probability as sorted bars, and the cell's own obs values. Follows edits of that
// cell. Renders the Project; changes nothing. GUI thread.
class CellInspector : public QWidget
{
    Q_OBJECT

public:
    explicit CellInspector(Project *project, QWidget *parent = nullptr);

    // A target-wide cell index (files in order); −1 shows nothing.
    void showCell(std::int64_t cell);
    std::int64_t cell() const { return m_cell; }
    QString summaryText() const;
    // The probabilities as shown: class and probability, highest first.
    const std::vector<std::pair<QString, float>> &bars() const { return m_bars; }

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void refresh();

    Project *m_project;
    std::int64_t m_cell = -1;
    QLabel *m_summary = nullptr;
    QWidget *m_chart = nullptr;
    QTableWidget *m_obs = nullptr;
    std::vector<std::pair<QString, float>> m_bars;
};

}   // namespace nym::ui
