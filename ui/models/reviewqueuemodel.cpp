#include "ui/models/reviewqueuemodel.h"

#include "ui/document/project.h"

#include "core/data/trainingset.h"

#include <QLocale>

#include <algorithm>

namespace nym::ui {

ReviewQueueModel::ReviewQueueModel(Project *project, QObject *parent)
    : QAbstractTableModel(parent)
    , m_project(project)
    , m_threshold(project->threshold())
{
    connect(project, &Project::labelingsChanged, this, &ReviewQueueModel::rebuild);
    connect(project, &Project::labelsChanged, this, [this] {
        if (!m_rows.empty())
            Q_EMIT dataChanged(index(0, Final), index(rowCount() - 1, Reviewed));
        Q_EMIT countsChanged();
    });
    rebuild();
}

void ReviewQueueModel::setThreshold(double threshold)
{
    m_threshold = threshold;
    rebuild();
}

void ReviewQueueModel::setClassFilter(const QString &predictedClass)
{
    m_class = predictedClass;
    rebuild();
}

void ReviewQueueModel::setSelectionFilter(std::optional<CellSelection> selection)
{
    m_selection = std::move(selection);
    rebuild();
}

void ReviewQueueModel::setUnreviewedOnly(bool on)
{
    m_unreviewedOnly = on;
    rebuild();
}

void ReviewQueueModel::rebuild()
{
    beginResetModel();
    m_rows.clear();
    const auto &files = m_project->annotations();
    const std::string only = m_class.toStdString();
    std::int64_t start = 0;
    std::vector<std::pair<float, std::int64_t>> found;
    for (const auto &a : files) {
        for (std::int64_t i = 0; i < a.cells(); ++i) {
            const std::int64_t cell = start + i;
            if (!(a.confidence(i) < m_threshold) && !a.noCounts(i))
                continue;
            if ((!only.empty() && a.predictedLabel(i) != only) || (m_unreviewedOnly && a.reviewed(i)))
                continue;
            if (m_selection && m_selection->cells() == m_project->targetCells() && !m_selection->contains(cell))
                continue;
            found.emplace_back(a.confidence(i), cell);
        }
        start += a.cells();
    }
    std::sort(found.begin(), found.end());   // lowest confidence first, then by cell
    m_rows.reserve(found.size());
    for (const auto &[confidence, cell] : found)
        m_rows.push_back(cell);
    endResetModel();
    Q_EMIT countsChanged();
}

std::int64_t ReviewQueueModel::cellAt(int row) const
{
    return row >= 0 && row < rowCount() ? m_rows[static_cast<std::size_t>(row)] : -1;
}

int ReviewQueueModel::rowOf(std::int64_t cell) const
{
    const auto it = std::find(m_rows.begin(), m_rows.end(), cell);
    return it == m_rows.end() ? -1 : static_cast<int>(it - m_rows.begin());
}

std::int64_t ReviewQueueModel::wouldBeUnassigned() const
{
    std::int64_t n = 0;
    for (const auto &a : m_project->annotations())
        for (std::int64_t i = 0; i < a.cells(); ++i)
            n += Annotations::isBelowThreshold(a.confidence(i), a.noCounts(i), m_threshold) ? 1 : 0;
    return n;
}

std::int64_t ReviewQueueModel::reviewedInQueue() const
{
    std::int64_t n = 0;
    for (std::int64_t cell : m_rows) {
        const auto w = m_project->locateCell(cell);
        n += m_project->annotations()[w.file].reviewed(w.cell) ? 1 : 0;
    }
    return n;
}

int ReviewQueueModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int ReviewQueueModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ReviewQueueModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= rowCount() || (role != Qt::DisplayRole && role != Qt::UserRole))
        return {};
    const std::int64_t cell = m_rows[static_cast<std::size_t>(index.row())];
    const auto w = m_project->locateCell(cell);
    const Annotations &a = m_project->annotations()[w.file];
    const auto &targets = m_project->data().targets;
    switch (index.column()) {
    case Cell:
        return w.file < targets.size() ? QString::fromStdString(targets[w.file]->cellIds[static_cast<std::size_t>(w.cell)])
                                       : QString::number(cell);
    case File:
        return w.file < targets.size() ? QString::fromStdString(datasetDisplayName(*targets[w.file], w.file)) : QString();
    case Predicted: return QString::fromStdString(a.predictedLabel(w.cell));
    case Confidence:
        return role == Qt::UserRole ? QVariant(a.confidence(w.cell)) : QVariant(QLocale().toString(a.confidence(w.cell), 'f', 2));
    case Final: return QString::fromStdString(a.finalLabel(w.cell));
    case Reviewed:
        return role == Qt::UserRole ? QVariant(a.reviewed(w.cell)) : QVariant(a.reviewed(w.cell) ? tr("✓") : QString());
    default: return {};
    }
}

QVariant ReviewQueueModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Cell: return tr("Cell");
    case File: return tr("File");
    case Predicted: return tr("Predicted");
    case Confidence: return tr("Confidence");
    case Final: return tr("Final label");
    case Reviewed: return tr("Reviewed");
    default: return {};
    }
}

}   // namespace nym::ui
