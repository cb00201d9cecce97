#pragma once

#include "core/data/annotations.h"
#include "ui/document/project.h"

#include <QUndoCommand>

#include <cstdint>
#include <string>
#include <vector>

namespace nym::ui {

class Project;

// Ids of the commands that can merge (QUndoCommand::id), one enum for the whole document (DESIGN.md).
enum class EditId
{
    SetCellLabels = 1,
    SetThreshold = 2,
};

// One edit of the final labels of some target cells (accept, relabel, mark Unassigned; one cell or a lasso
// selection): stores only the changed cells, their old states and the new value — a relabel of a million cells
// holds 24 bytes per cell, never a copy of every array. Changes the Project only through its edit gate. Repeating
// an edit on the same single cell within two seconds merges into one undo step. GUI thread.
class SetCellLabels : public QUndoCommand
{
public:
    enum class Kind { Relabel, Accept, Unassign };
    // `cells` index all target cells (files in order) and must already be limited to cells the edit changes.
    SetCellLabels(Project *project, std::vector<std::int64_t> cells, Kind kind, std::string label, LabelSource source,
        std::int64_t time, const QString &text);

    void redo() override;
    void undo() override;
    int id() const override { return static_cast<int>(EditId::SetCellLabels); }
    bool mergeWith(const QUndoCommand *other) override;

    const std::vector<std::int64_t> &cells() const { return m_cells; }
    // Bytes this command holds (cells and their old states), for the memory test.
    std::size_t memoryBytes() const;

private:
    Project *m_project;
    std::vector<std::int64_t> m_cells;
    std::vector<Annotations::CellState> m_old;
    Kind m_kind;
    std::string m_label;
    LabelSource m_source;
    std::int64_t m_time;
};

// A new confidence threshold for the model's calls (cells a person labelled keep their labels). Consecutive changes
// (a spin box's arrows) merge into one step. GUI thread.
class SetThreshold : public QUndoCommand
{
public:
    SetThreshold(Project *project, double from, double to);
    void redo() override;
    void undo() override;
    int id() const override { return static_cast<int>(EditId::SetThreshold); }
    bool mergeWith(const QUndoCommand *other) override;

private:
    void name();
    Project *m_project;
    double m_from, m_to;
};

// A saved review put back (ReviewJournal::restore): each cell's label, source, reviewed flag and edit time, as one
// undo step. Stores the cells, their old states and the new ones. GUI thread.
class RestoreCells : public QUndoCommand
{
public:
    RestoreCells(Project *project, std::vector<std::int64_t> cells, std::vector<std::string> labels,
        std::vector<Annotations::CellState> states, const QString &text);
    void redo() override;
    void undo() override;

private:
    Project *m_project;
    std::vector<std::int64_t> m_cells;
    std::vector<std::string> m_labels;
    std::vector<Annotations::CellState> m_new, m_old;
};

// A model and its predictions for the open targets, set together with the annotations built from them (the review
// carried over): undo puts back the previous model, predictions, annotations and map exactly. Holds both states
// (models and predictions are shared, not copied; the annotations are one copy each). GUI thread.
class ApplyModel : public QUndoCommand
{
public:
    ApplyModel(Project *project, Project::ModelState before, Project::ModelState after, const QString &text);
    void redo() override;
    void undo() override;

private:
    Project *m_project;
    Project::ModelState m_before, m_after;
};

// A label name added to the project's list (a type absent from the training data) before any cell carries it, so
// the relabel pickers and the review queue offer it. GUI thread.
class AddLabelName : public QUndoCommand
{
public:
    AddLabelName(Project *project, QString name);
    void redo() override;
    void undo() override;

private:
    Project *m_project;
    QString m_name;
};

}   // namespace nym::ui
