#include "ui/models/classsummarymodel.h"

#include "core/eval/metrics.h"
#include "ui/document/project.h"

#include <QLocale>

#include <algorithm>
#include <map>

namespace nym::ui {

QString ClassSummaryModel::percent(double fraction)
{
    return QStringLiteral("%1%").arg(100.0 * fraction, 0, 'f', 1);
}

ClassSummaryModel::ClassSummaryModel(Project *project, QObject *parent)
    : QAbstractTableModel(parent)
    , m_project(project)
{
    connect(project, &Project::labelingsChanged, this, [this] {
        updateAgreement();
        recount();
    });
    connect(project, &Project::annotationsChanged, this, &ClassSummaryModel::recount);
    updateAgreement();
    recount();
}

void ClassSummaryModel::recount()
{
    beginResetModel();
    std::map<std::string, Row> rows;
    m_totals = {};
    for (const auto &a : m_project->annotations()) {
        for (std::int64_t i = 0; i < a.cells(); ++i) {
            Row &r = rows[a.predictedLabel(i)];
            ++r.cells;
            r.confidence += a.confidence(i);
            const bool unsure = a.isUnsure(i);
            r.below += unsure;
            m_totals.below += unsure;
            m_totals.noCounts += a.noCounts(i);
        }
        m_totals.cells += a.cells();
        ++m_totals.files;
    }
    m_rows.clear();
    for (auto &[name, r] : rows) {
        r.name = name;
        m_rows.push_back(r);
    }
    endResetModel();
}

void ClassSummaryModel::updateAgreement()
{
    m_agreement.reset();
    const auto model = m_project->model();
    const auto truth = m_project->targetTruth();
    std::vector<std::string> predicted;
    for (const auto &l : m_project->labelings())
        predicted.insert(predicted.end(), l->labels.begin(), l->labels.end());
    if (!model || truth.empty() || truth.size() != predicted.size())
        return;
    const auto m = classificationMetrics(truth, predicted, model->classes());
    if (m.evaluated > 0)
        m_agreement = Agreement {m.accuracy, m.balancedAccuracy, m.kappa, m.macroF1, m.evaluated};
}

int ClassSummaryModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int ClassSummaryModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ClassSummaryModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= rowCount())
        return {};
    const Row &r = m_rows[static_cast<std::size_t>(index.row())];
    const double share = static_cast<double>(r.cells) / static_cast<double>(std::max<std::int64_t>(m_totals.cells, 1));
    const double mean = r.confidence / static_cast<double>(std::max<std::int64_t>(r.cells, 1));
    if (role == Qt::TextAlignmentRole)
        return index.column() == Class ? QVariant() : QVariant(int(Qt::AlignRight | Qt::AlignVCenter));
    if (role != Qt::DisplayRole && role != Qt::UserRole)
        return {};
    const bool text = role == Qt::DisplayRole;
    switch (index.column()) {
    case Class:
        return QString::fromStdString(r.name);
    case Cells:
        return text ? QVariant(QLocale().toString(static_cast<qlonglong>(r.cells))) : QVariant(static_cast<qlonglong>(r.cells));
    case Share:
        return text ? QVariant(percent(share)) : QVariant(share);
    case MeanConfidence:
        return text ? QVariant(QString::number(mean, 'f', 3)) : QVariant(mean);
    case BelowThreshold:
        return text ? QVariant(QLocale().toString(static_cast<qlonglong>(r.below))) : QVariant(static_cast<qlonglong>(r.below));
    default:
        return {};
    }
}

QVariant ClassSummaryModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case Class:
        return tr("Predicted class");
    case Cells:
        return tr("Cells");
    case Share:
        return tr("Share");
    case MeanConfidence:
        return tr("Mean confidence");
    case BelowThreshold:
        return tr("Below threshold");
    default:
        return {};
    }
}

}   // namespace nym::ui
