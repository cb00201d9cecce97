#include "ui/document/editcommands.h"

#include "ui/document/project.h"

#include <QObject>

namespace nym::ui {

SetCellLabels::SetCellLabels(Project *project, std::vector<std::int64_t> cells, Kind kind, std::string label,
    LabelSource source, std::int64_t time, const QString &text)
    : QUndoCommand(text)
    , m_project(project)
    , m_cells(std::move(cells))
    , m_kind(kind)
    , m_label(std::move(label))
    , m_source(source)
    , m_time(time)
{
    m_cells.shrink_to_fit();   // the caller grew it by push_back
    m_old.reserve(m_cells.size());
    for (std::int64_t c : m_cells)
        m_old.push_back(m_project->cellState(c));
}

void SetCellLabels::redo()
{
    m_project->applyCellEdit(m_cells, [this](Annotations &a, std::int64_t cell, std::size_t) {
        switch (m_kind) {
        case Kind::Relabel: a.setExpertLabel(cell, m_label, m_time, m_source); break;
        case Kind::Accept: a.accept(cell, m_time); break;
        case Kind::Unassign: a.setExpertLabel(cell, kUnassigned, m_time, m_source); break;
        }
    });
}

void SetCellLabels::undo()
{
    m_project->applyCellEdit(m_cells, [this](Annotations &a, std::int64_t cell, std::size_t k) { a.restore(cell, m_old[k]); });
}

bool SetCellLabels::mergeWith(const QUndoCommand *other)
{
    const auto *next = static_cast<const SetCellLabels *>(other);
    // A second thought on the same cell a moment later is one step: keep our old state, take the new value.
    if (m_cells.size() != 1 || next->m_cells != m_cells || next->m_time - m_time > 2)
        return false;
    m_kind = next->m_kind;
    m_label = next->m_label;
    m_source = next->m_source;
    m_time = next->m_time;
    setText(next->text());
    return true;
}

std::size_t SetCellLabels::memoryBytes() const
{
    return m_cells.capacity() * sizeof(std::int64_t) + m_old.capacity() * sizeof(Annotations::CellState) + m_label.capacity();
}

SetThreshold::SetThreshold(Project *project, double from, double to)
    : m_project(project)
    , m_from(from)
    , m_to(to)
{
    name();
}

void SetThreshold::name()
{
    setText(QObject::tr("Confidence threshold %1 → %2").arg(m_from, 0, 'f', 2).arg(m_to, 0, 'f', 2));
}

void SetThreshold::redo()
{
    m_project->setThreshold(m_to);
}

void SetThreshold::undo()
{
    m_project->setThreshold(m_from);
}

bool SetThreshold::mergeWith(const QUndoCommand *other)
{
    m_to = static_cast<const SetThreshold *>(other)->m_to;
    name();
    setObsolete(m_to == m_from);   // back where it started: no step at all
    return true;
}

RestoreCells::RestoreCells(Project *project, std::vector<std::int64_t> cells, std::vector<std::string> labels,
    std::vector<Annotations::CellState> states, const QString &text)
    : QUndoCommand(text)
    , m_project(project)
    , m_cells(std::move(cells))
    , m_labels(std::move(labels))
    , m_new(std::move(states))
{
    m_old.reserve(m_cells.size());
    for (std::int64_t c : m_cells)
        m_old.push_back(m_project->cellState(c));
}

void RestoreCells::redo()
{
    m_project->applyCellEdit(m_cells, [this](Annotations &a, std::int64_t cell, std::size_t k) { a.restore(cell, m_labels[k], m_new[k]); });
}

void RestoreCells::undo()
{
    m_project->applyCellEdit(m_cells, [this](Annotations &a, std::int64_t cell, std::size_t k) { a.restore(cell, m_old[k]); });
}

ApplyModel::ApplyModel(Project *project, Project::ModelState before, Project::ModelState after, const QString &text)
    : QUndoCommand(text)
    , m_project(project)
    , m_before(std::move(before))
    , m_after(std::move(after))
{
}

void ApplyModel::redo()
{
    m_project->setModelState(m_after);
}

void ApplyModel::undo()
{
    m_project->setModelState(m_before);
}

AddLabelName::AddLabelName(Project *project, QString name)
    : QUndoCommand(QObject::tr("Add the label %1").arg(name))
    , m_project(project)
    , m_name(std::move(name))
{
}

void AddLabelName::redo()
{
    m_project->setLabelNameAdded(m_name, true);
}

void AddLabelName::undo()
{
    m_project->setLabelNameAdded(m_name, false);
}

}   // namespace nym::ui
