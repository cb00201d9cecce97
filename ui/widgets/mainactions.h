#pragma once

#include <QObject>
#include <QString>
#include <QStringList>

#include "ui/document/projectcontroller.h"

#include <functional>
#include <map>
#include <string>

class QAction;
class QDockWidget;
class QMainWindow;
class QMenu;

namespace nym::ui {

class Project;
class ProjectController;

// The window's commands: the File, Model and Help menus and the toolbar with their shortcuts, and the dialogs the
// commands open (file choosers, save paths, the recent-files menu, the question a drop may need, the About box).
// Every command ends as an intent to the ProjectController; update() sets what is enabled from the Project and the
// controller. Owned by the main window; GUI thread.
class MainActions : public QObject
{
    Q_OBJECT

public:
    MainActions(QMainWindow *window, Project *project, ProjectController *controller);

    QAction *trainAction() const { return m_train; }
    QAction *stopAction() const { return m_stop; }
    QAction *undoAction() const { return m_undo; }
    QAction *redoAction() const { return m_redo; }
    QAction *historyAction() const { return m_history; }
    // Opens dropped files, asking whether they are training or target data when that is not clear.
    void openDropped(const QStringList &paths);
    // Set by the window: what an export takes from the browser (its colours, its selection when `withSelection`),
    // and the view settings a saved project keeps.
    std::function<ExportChoices(bool withSelection)> exportChoices;
    std::function<std::map<std::string, std::string>()> viewSettings;
    QAction *retrainAction() const { return m_retrain; }
    // Enables what can run now (nothing that reads or writes while a job or training runs).
    void update();

private:
    void showHistory();
    void chooseFiles(bool training, bool replace);
    void chooseNewTarget();
    void chooseModel();
    void chooseSaveModel();
    void chooseExport();
    void chooseExportH5ad();
    void chooseProject();
    void chooseSaveProject(bool askName);
    void chooseNewLabel();
    void retrainWithCorrections();
    QStringList askOpenPaths(const QString &title, const QString &filter, bool several = true);
    QString askSavePath(const QString &title, const QString &name, const QString &filter, const QString &suffix);
    void fillRecentMenu();
    void showAbout();

    QMainWindow *m_window = nullptr;
    Project *m_project = nullptr;
    ProjectController *m_controller = nullptr;
    QMenu *m_recent = nullptr;
    QAction *m_undo = nullptr, *m_redo = nullptr, *m_history = nullptr;
    QDockWidget *m_historyDock = nullptr;
    QAction *m_openTraining = nullptr, *m_addTraining = nullptr, *m_openTarget = nullptr, *m_addTarget = nullptr,
            *m_demo = nullptr, *m_openModel = nullptr, *m_saveModel = nullptr, *m_apply = nullptr,
            *m_applyNew = nullptr, *m_export = nullptr, *m_train = nullptr, *m_stop = nullptr, *m_exportH5ad = nullptr,
            *m_openProject = nullptr, *m_saveProject = nullptr, *m_saveProjectAs = nullptr, *m_retrain = nullptr,
            *m_addLabel = nullptr;
    QString m_projectPath;   // where Save Project writes without asking (the project opened or saved last)
};

}   // namespace nym::ui
