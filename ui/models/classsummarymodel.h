#pragma once

#include <QAbstractTableModel>
#include <QString>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace nym::ui {

class Project;

// The per-class summary of the target predictions as a table model observing the Project: one row per predicted
// class with its cells, share, mean confidence and cells below the confidence threshold (the rule of
// Annotations::isUnsure), plus totals and, when the targets carry the training's label column, the agreement with
// it. Display text in Qt::DisplayRole, the number behind it in Qt::UserRole (sort on it). GUI thread.
class ClassSummaryModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { Class, Cells, Share, MeanConfidence, BelowThreshold, ColumnCount };

    struct Totals
    {
        std::int64_t cells = 0, below = 0, noCounts = 0;
        int files = 0;
    };
    struct Agreement
    {
        double accuracy = 0, balancedAccuracy = 0, kappa = 0, macroF1 = 0;
        std::int64_t evaluated = 0;
    };

    explicit ClassSummaryModel(Project *project, QObject *parent = nullptr);

    // How shares are shown ("12.3%"), here and in the views around the table.
    static QString percent(double fraction);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    const Totals &totals() const { return m_totals; }
    // Independent of the threshold, so computed once per set of predictions; nullopt without true labels.
    const std::optional<Agreement> &agreement() const { return m_agreement; }

private:
    struct Row
    {
        std::string name;
        std::int64_t cells = 0, below = 0;
        double confidence = 0;
    };
    void recount();
    void updateAgreement();

    Project *m_project = nullptr;
    std::vector<Row> m_rows;
    Totals m_totals;
    std::optional<Agreement> m_agreement;
};

}   // namespace nym::ui
