#pragma once

#include "ui/document/project.h"

#include <QString>
#include <QStringList>

#include <memory>
#include <optional>
#include <stop_token>
#include <vector>

namespace nym::ui {

// What a background job hands back to the GUI thread: at most one kind of result plus a status line. Plain value.
struct JobResult
{
    std::optional<Project::Data> data;
    std::shared_ptr<const Model> model;
    QString modelPath;
    std::optional<Project::Labelings> labelings;
    QStringList opened;   // "kind|absolute path" of files read successfully (for the recent-files list)
    QString done;         // status-bar message
};

// The long pieces of work behind the window, as plain functions for the JobController (any thread, no widgets).
// Each throws nym::Error with a sentence for the user; `stop` is checked between files.
namespace jobs {

enum class Role { Training, Target };

// The built-in demo: simulated training and target data with a batch effect.
JobResult demo();
// Reads `paths` in a role and checks them with the files already open (kept as they are, or dropped with `replace`).
JobResult open(std::vector<DatasetPtr> training, std::vector<DatasetPtr> targets, const QStringList &paths, Role role,
    bool replace, const QString &labelColumn, const QString &domainColumn, std::stop_token stop);
// Re-checks the open files with another label or domain column.
JobResult recheck(std::vector<DatasetPtr> training, std::vector<DatasetPtr> targets, const QString &labelColumn,
    const QString &domainColumn);
JobResult openModel(const QString &path);
// Labels every target file with the model.
JobResult label(std::shared_ptr<const Model> model, std::vector<DatasetPtr> targets, std::stop_token stop);
// Writes one table of every target cell (a "file" column when there are several), thresholded at `threshold`.
JobResult exportTable(Project::Labelings labelings, std::vector<DatasetPtr> targets, double threshold,
    const QString &path);

}   // namespace jobs

// Writing somewhere the user chose must never replace one of the open input files (also through a link).
bool isOpenInput(const QString &path, const QStringList &inputs);

}   // namespace nym::ui
