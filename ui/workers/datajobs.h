#pragma once

#include "ui/document/project.h"

#include "core/embed/umap.h"
#include "core/export/reviewfile.h"

#include <QString>
#include <QStringList>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stop_token>
#include <vector>

namespace nym::ui {

// Which role opened data files play.
enum class FileRole { Training, Target };

// What each background job hands back to the GUI thread: plain values, one type per kind of job.
struct LoadedData
{
    Project::Data data;
    QStringList opened;   // "kind|absolute path" of files read successfully (for the recent-files list)
    QString done;         // status-bar message
};

struct LoadedModel
{
    std::shared_ptr<const Model> model;
    QString path;
    QString done;
};

struct LabelledTargets
{
    Project::Labelings labelings;   // one per target file, in order
    QString done;
};

struct ComputedMap
{
    Project::CellMapPtr map;
    QString done;
};

struct WrittenFile
{
    QString path;
    QString done;
};

// A project as saved (File → Save Project): the core file less what the worker computes (fingerprints, the
// model's bytes), with the files and model it refers to.
struct ProjectSnapshot
{
    ProjectFile file;
    std::vector<DatasetPtr> training, targets;
    std::shared_ptr<const Model> model;
};

// A project read back, its files checked and read, its model loaded.
struct OpenedProject
{
    ProjectFile file;
    LoadedData data;
    std::shared_ptr<const Model> model;
    QString path;
};

// What an export writes (a snapshot of the project: edits made meanwhile do not reach the files).
struct ExportRequest
{
    Project::Labelings labelings;
    std::vector<DatasetPtr> targets;
    std::vector<Annotations> annotations;
    Project::CellMapPtr map;
    std::vector<std::vector<std::string>> domains;        // per target file, each cell's domain
    std::vector<std::vector<std::int64_t>> rows;          // per target file: the selection's cells; empty = all
    bool selectionOnly = false;
    std::map<std::string, std::string> colors;            // label name → "#rrggbb" as the browser shows it
    std::shared_ptr<const Model> model;
    std::vector<std::pair<std::string, std::string>> provenance;   // uns/nym additions
};

// The long pieces of work behind the window, as plain functions for the JobController (any thread, no widgets,
// never the Project: they take immutable snapshots). Each throws nym::Error with a sentence for the user; `stop`
// is checked between files.
namespace jobs {

// The built-in demo: simulated training and target data with a batch effect.
LoadedData demo();
// Reads `paths` in a role and checks them with the files already open (kept as they are, or dropped with `replace`).
LoadedData open(std::vector<DatasetPtr> training, std::vector<DatasetPtr> targets, const QStringList &paths,
    FileRole role, bool replace, const QString &labelColumn, const QString &domainColumn, std::stop_token stop);
// Re-checks the open files with another label or domain column.
LoadedData recheck(std::vector<DatasetPtr> training, std::vector<DatasetPtr> targets, const QString &labelColumn,
    const QString &domainColumn);
LoadedModel openModel(const QString &path);
// Writes the model (replacing a file the save dialog asked about; atomically).
WrittenFile saveModel(std::shared_ptr<const Model> model, const QString &path);
// Labels every target file with the model.
LabelledTargets label(std::shared_ptr<const Model> model, std::vector<DatasetPtr> targets, std::stop_token stop);
// Lays out the target cells (their predictions' embeddings) and the training cells (embedded with the model here)
// in one UMAP map; `progress` receives a status line now and then (from the worker thread).
ComputedMap computeMap(std::shared_ptr<const Model> model, Project::Labelings labelings, std::vector<DatasetPtr> training,
    UmapOptions options, std::function<void(const QString &)> progress, std::stop_token stop);
// Writes the per-cell table of every target (core/export: one column order for the app and `nym`), or of the
// selected cells only. With the map of these predictions, the table gains umap_1 and umap_2.
WrittenFile exportTable(const ExportRequest &request, const QString &path);
// Writes an annotated copy of each target (.h5ad: core/export h5adAdditions, with the browser's colours and the
// review's provenance): `path` for one target, "<path stem>.<target name>.h5ad" for several. Never over an input.
WrittenFile exportH5ad(const ExportRequest &request, const QString &path);
// The names exportH5ad writes for these targets.
QStringList h5adExportNames(const std::vector<DatasetPtr> &targets, const QString &path);
// Writes a project file: fingerprints the data files, embeds the model. nym::Error for in-memory data.
WrittenFile saveProject(ProjectSnapshot snapshot, const QString &path);
// Reads a project, finds its data files (where they were, else beside the project), checks they did not change,
// reads them with the project's columns and loads its model.
OpenedProject openProject(const QString &path, std::stop_token stop);

}   // namespace jobs

// Writing somewhere the user chose must never replace one of the open input files (also through a link).
bool isOpenInput(const QString &path, const QStringList &inputs);

}   // namespace nym::ui
