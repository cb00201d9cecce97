#include "ui/widgets/mainactions.h"

#include "core/io/libraryversions.h"
#include "core/nn/predictor.h"
#include "ui/document/project.h"
#include "ui/document/projectcontroller.h"
#include "ui/document/recentfiles.h"

#include <QApplication>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QInputDialog>
#include <QLineEdit>
#include <QDockWidget>
#include <QMainWindow>
#include <QUndoStack>
#include <QUndoView>
#include <QMenuBar>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>
#include <QToolBar>

#include <optional>

namespace nym::ui {

namespace {

const QString kLastDirectory = QStringLiteral("lastDirectory");

QString dataFilter()
{
    return QCoreApplication::translate("nym::ui::MainActions", "Single-cell data (*.h5ad *.h5);;All files (*)");
}

}   // namespace

void MainActions::showHistory()
{
    if (!m_historyDock) {
        m_historyDock = new QDockWidget(tr("History"), m_window);
        m_historyDock->setObjectName(QStringLiteral("historyDock"));
        auto *view = new QUndoView(m_project->undoStack(), m_historyDock);
        view->setEmptyLabel(tr("<predictions>"));
        view->setObjectName(QStringLiteral("historyView"));
        m_historyDock->setWidget(view);
        m_window->addDockWidget(Qt::RightDockWidgetArea, m_historyDock);
    }
    m_historyDock->show();
    m_historyDock->raise();
}

MainActions::MainActions(QMainWindow *window, Project *project, ProjectController *controller)
    : QObject(window)
    , m_window(window)
    , m_project(project)
    , m_controller(controller)
{
    QMenu *file = window->menuBar()->addMenu(tr("&File"));
    m_openTraining = file->addAction(tr("&Open Training Data…"), this, [this] { chooseFiles(true, true); });
    m_openTraining->setShortcut(QKeySequence::Open);
    m_openTraining->setStatusTip(tr("Open the labelled dataset(s) to learn from (.h5ad or 10x .h5)."));
    m_addTraining = file->addAction(tr("Add Training Data…"), this, [this] { chooseFiles(true, false); });
    m_openTarget = file->addAction(tr("Open &Target Data…"), this, [this] { chooseFiles(false, true); });
    m_openTarget->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_T));
    m_openTarget->setStatusTip(tr("Open the dataset(s) to label."));
    m_addTarget = file->addAction(tr("Add Target Data…"), this, [this] { chooseFiles(false, false); });
    m_demo = file->addAction(tr("Open &Demo"), controller, &ProjectController::openDemo);
    m_demo->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_D));
    m_demo->setStatusTip(tr("Simulated training and target data with a batch effect."));
    m_recent = file->addMenu(tr("Open &Recent"));
    connect(m_recent, &QMenu::aboutToShow, this, &MainActions::fillRecentMenu);
    file->addSeparator();
    m_openProject = file->addAction(tr("Open &Project…"), this, &MainActions::chooseProject);
    m_openProject->setShortcut(QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_O));
    m_openProject->setStatusTip(tr("Continue a review: the data files, the model, the labels and the review of a .nymproj."));
    m_saveProject = file->addAction(tr("&Save Project"), this, [this] { chooseSaveProject(false); });
    m_saveProject->setShortcut(QKeySequence::Save);
    m_saveProject->setStatusTip(tr("Save the review with its model and references to the data (.nymproj), to continue "
                                   "another day or hand it to a colleague."));
    m_saveProjectAs = file->addAction(tr("Save Project &As…"), this, [this] { chooseSaveProject(true); });
    m_saveProjectAs->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_S));
    file->addSeparator();
    m_openModel = file->addAction(tr("Open &Model…"), this, &MainActions::chooseModel);
    m_openModel->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O));
    m_saveModel = file->addAction(tr("Save &Model…"), this, &MainActions::chooseSaveModel);
    m_saveModel->setShortcut(QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_S));
    file->addSeparator();
    m_export = file->addAction(tr("&Export Labels Table…"), this, &MainActions::chooseExport);
    m_export->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
    m_exportH5ad = file->addAction(tr("Export Annotated &h5ad…"), this, &MainActions::chooseExportH5ad);
    m_exportH5ad->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_E));
    m_exportH5ad->setStatusTip(tr("A copy of each target file with the final labels, sources, reviewed flags, the "
                                  "map and the colours (opens in scanpy and CELLxGENE)."));
    file->addSeparator();
    QAction *quit = file->addAction(tr("&Quit"), window, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);

    // Edit: every change of the final labels is one undo step on the Project's stack.
    QMenu *edit = window->menuBar()->addMenu(tr("&Edit"));
    m_undo = project->undoStack()->createUndoAction(this, tr("&Undo"));
    m_undo->setShortcut(QKeySequence::Undo);
    m_redo = project->undoStack()->createRedoAction(this, tr("&Redo"));
    m_redo->setShortcuts({QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Z), QKeySequence::Redo});
    edit->addAction(m_undo);
    edit->addAction(m_redo);
    edit->addSeparator();
    m_history = edit->addAction(tr("&History"), this, &MainActions::showHistory);
    m_history->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_H));
    m_history->setStatusTip(tr("Every edit of the labels in order; click one to go back to it."));
    edit->addSeparator();
    m_addLabel = edit->addAction(tr("&Add a Label Name…"), this, &MainActions::chooseNewLabel);
    m_addLabel->setStatusTip(tr("A cell type the training data does not have, to relabel cells with."));

    QMenu *model = window->menuBar()->addMenu(tr("&Model"));
    m_train = model->addAction(tr("&Train"), controller, [controller] { controller->train(); });
    m_train->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_R));
    m_stop = model->addAction(tr("&Stop Training"), controller, &ProjectController::stopTraining);
    m_stop->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Period));
    model->addSeparator();
    m_retrain = model->addAction(tr("Retrain with My &Corrections"), this, &MainActions::retrainWithCorrections);
    m_retrain->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_R));
    m_retrain->setStatusTip(tr("Train again with the same settings, the cells you reviewed or relabelled joining the "
                               "labelled data; then see which other cells changed label."));
    model->addSeparator();
    m_apply = model->addAction(tr("&Apply Model to Target"), controller, &ProjectController::applyModel);
    m_applyNew = model->addAction(tr("Apply Model to &New Target…"), this, &MainActions::chooseNewTarget);

    QMenu *help = window->menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About Nym Studio"), this, &MainActions::showAbout);
    help->addAction(tr("About &Qt"), qApp, &QApplication::aboutQt);

    QToolBar *bar = window->addToolBar(tr("Main"));
    bar->setObjectName(QStringLiteral("mainToolBar"));
    bar->setToolButtonStyle(Qt::ToolButtonTextOnly);
    bar->addActions({m_openTraining, m_openTarget, m_demo});
    bar->addSeparator();
    bar->addActions({m_train, m_stop});
    bar->addSeparator();
    bar->addActions({m_openModel, m_saveModel, m_apply});
}

void MainActions::update()
{
    const bool idle = !m_controller->isBusy();
    const QString why = m_project->blockingReason();
    for (QAction *a : {m_openTraining, m_addTraining, m_openTarget, m_addTarget, m_demo, m_openModel})
        a->setEnabled(idle);
    m_train->setEnabled(idle && why.isEmpty());
    m_train->setToolTip(why.isEmpty() ? tr("Train a model on the open data with the settings on the left (Ctrl+R).")
                                      : tr("Training cannot start: %1").arg(why));
    m_stop->setEnabled(m_controller->isTraining());
    m_saveModel->setEnabled(idle && m_project->model() != nullptr);
    m_apply->setEnabled(idle && m_project->model() && !m_project->data().targets.empty());
    m_applyNew->setEnabled(idle && m_project->model() != nullptr);
    m_export->setEnabled(idle && !m_project->labelings().empty());
    m_exportH5ad->setEnabled(idle && !m_project->labelings().empty());
    m_openProject->setEnabled(idle);
    m_saveProject->setEnabled(idle && m_project->hasData());
    m_saveProjectAs->setEnabled(idle && m_project->hasData());
    m_retrain->setEnabled(idle && why.isEmpty() && !m_project->labelings().empty());
    m_addLabel->setEnabled(!m_project->labelings().empty());
}

void MainActions::retrainWithCorrections()
{
    const std::int64_t edited = m_project->editedCells();
    if (edited == 0) {
        QMessageBox::information(m_window, tr("Retrain with My Corrections"),
            tr("No cell has been reviewed or relabelled yet. Review some cells (the Review Queue on the Map step), then "
               "retrain: they join the labelled data."));
        return;
    }
    m_controller->train(true);
}

void MainActions::chooseNewLabel()
{
    bool ok = false;
    const QString name = QInputDialog::getText(m_window, tr("Add a Label Name"),
        tr("A cell type to label cells with (for example one the training data does not have):"), QLineEdit::Normal, {}, &ok);
    if (!ok || name.trimmed().isEmpty())
        return;
    if (!m_project->addLabelName(name))
        QMessageBox::information(m_window, tr("Add a Label Name"), tr("%1 is already a label.").arg(name.trimmed()));
}

void MainActions::chooseProject()
{
    const QStringList files = askOpenPaths(tr("Open Project"), tr("Nym Studio projects (*.nymproj);;All files (*)"), false);
    if (!files.isEmpty()) {
        m_projectPath = files.front();
        m_controller->openProject(files.front());
    }
}

void MainActions::chooseSaveProject(bool askName)
{
    QString path = m_projectPath;
    if (askName || path.isEmpty())
        path = askSavePath(tr("Save Project"), QStringLiteral("review.nymproj"), tr("Nym Studio projects (*.nymproj)"),
            QStringLiteral("nymproj"));
    if (path.isEmpty())
        return;
    if (m_controller->saveProject(path, viewSettings ? viewSettings() : std::map<std::string, std::string>()))
        m_projectPath = path;
}

void MainActions::chooseExportH5ad()
{
    if (m_project->labelings().empty())
        return;
    const QString path = askSavePath(tr("Export Annotated h5ad"), QStringLiteral("labelled.h5ad"),
        tr("AnnData (*.h5ad)"), QStringLiteral("h5ad"));
    if (!path.isEmpty())
        m_controller->exportH5ad(path, exportChoices ? exportChoices(false) : ExportChoices());
}

void MainActions::openDropped(const QStringList &paths)
{
    m_controller->openDropped(paths, [this](qsizetype files) -> std::optional<ProjectController::Role> {
        QMessageBox box(QMessageBox::Question, tr("Open dropped files"),
            tr("Use %n dropped file(s) as:", nullptr, static_cast<int>(files)), QMessageBox::Cancel, m_window);
        QPushButton *asTraining = box.addButton(tr("Training Data"), QMessageBox::AcceptRole);
        QPushButton *asTarget = box.addButton(tr("Target Data"), QMessageBox::AcceptRole);
        box.setDefaultButton(asTarget);
        box.exec();
        if (box.clickedButton() == asTraining)
            return ProjectController::Role::Training;
        if (box.clickedButton() == asTarget)
            return ProjectController::Role::Target;
        return std::nullopt;
    });
}

QStringList MainActions::askOpenPaths(const QString &title, const QString &filter, bool several)
{
    QSettings s;
    const QString dir = s.value(kLastDirectory).toString();
    QStringList files;
    if (several)
        files = QFileDialog::getOpenFileNames(m_window, title, dir, filter);
    else if (const QString one = QFileDialog::getOpenFileName(m_window, title, dir, filter); !one.isEmpty())
        files << one;
    if (!files.isEmpty())
        s.setValue(kLastDirectory, QFileInfo(files.front()).absolutePath());
    return files;
}

QString MainActions::askSavePath(const QString &title, const QString &name, const QString &filter,
    const QString &suffix)
{
    QSettings s;
    QFileDialog dialog(m_window, title, QDir(s.value(kLastDirectory, QDir::homePath()).toString()).filePath(name),
        filter);
    dialog.setAcceptMode(QFileDialog::AcceptSave);
    dialog.setDefaultSuffix(suffix);   // added before the dialog's "replace?" question, not after it
    if (dialog.exec() != QDialog::Accepted || dialog.selectedFiles().isEmpty())
        return {};
    const QString path = dialog.selectedFiles().front();
    s.setValue(kLastDirectory, QFileInfo(path).absolutePath());
    return path;
}

void MainActions::chooseFiles(bool training, bool replace)
{
    const QStringList files = askOpenPaths(
        training ? tr("Open labelled training data") : tr("Open target data to label"), dataFilter());
    if (!files.isEmpty())
        m_controller->addFiles(files, training ? ProjectController::Role::Training : ProjectController::Role::Target,
            replace);
}

void MainActions::chooseNewTarget()
{
    m_controller->applyToNewTargets(askOpenPaths(tr("Apply the model to"), dataFilter()));
}

void MainActions::chooseModel()
{
    const QStringList files = askOpenPaths(tr("Open Model"), tr("Nym Studio models (*.nym);;All files (*)"), false);
    if (!files.isEmpty())
        m_controller->openModel(files.front());
}

void MainActions::chooseSaveModel()
{
    const QString path = askSavePath(tr("Save Model"), QStringLiteral("model.nym"), tr("Nym Studio models (*.nym)"),
        QStringLiteral("nym"));
    if (!path.isEmpty())
        m_controller->saveModel(path);
}

void MainActions::chooseExport()
{
    if (m_project->labelings().empty())
        return;
    // With cells selected on the map, the table can hold only them.
    ExportChoices choices = exportChoices ? exportChoices(true) : ExportChoices();
    if (!choices.selection.empty()) {
        QMessageBox box(QMessageBox::Question, tr("Export Labels Table"), tr("Which cells should the table hold?"),
            QMessageBox::Cancel, m_window);
        QPushButton *all = box.addButton(tr("All %L1 Cells").arg(m_project->targetCells()), QMessageBox::AcceptRole);
        QPushButton *selected = box.addButton(tr("The %Ln Selected", nullptr, static_cast<int>(choices.selection.size())),
            QMessageBox::AcceptRole);
        box.setDefaultButton(all);
        box.exec();
        if (box.clickedButton() != all && box.clickedButton() != selected)
            return;
        choices.selectionOnly = box.clickedButton() == selected;
    }
    const QString path = askSavePath(tr("Export Labels Table"), QStringLiteral("labels.csv"),
        tr("Comma-separated (*.csv);;Tab-separated (*.tsv)"), QStringLiteral("csv"));
    if (!path.isEmpty())
        m_controller->exportTable(path, choices);
}

void MainActions::fillRecentMenu()
{
    m_recent->clear();
    const QStringList recent = RecentFiles::entries();
    for (const QString &entry : recent) {
        const QString kind = RecentFiles::kind(entry);
        const QString path = RecentFiles::path(entry);
        const QString label = kind == QLatin1String("model") ? tr("Model: %1")
            : kind == QLatin1String("project")               ? tr("Project: %1")
            : kind == QLatin1String("training")              ? tr("Training: %1")
                                                             : tr("Target: %1");
        QAction *a = m_recent->addAction(label.arg(QFileInfo(path).fileName()), this, [this, kind, path] {
            if (!QFileInfo::exists(path)) {
                QMessageBox::warning(m_window, tr("Open Recent"), tr("%1 no longer exists.").arg(path));
                return;
            }
            if (kind == QLatin1String("model")) {
                m_controller->openModel(path);
            } else if (kind == QLatin1String("project")) {
                m_projectPath = path;
                m_controller->openProject(path);
            } else
                m_controller->addFiles({path},
                    kind == QLatin1String("training") ? ProjectController::Role::Training : ProjectController::Role::Target,
                    true);
        });
        a->setToolTip(path);
        a->setEnabled(!m_controller->isBusy());
    }
    if (recent.isEmpty())
        m_recent->addAction(tr("No recent files"))->setEnabled(false);
    m_recent->addSeparator();
    m_recent->addAction(tr("Clear List"), this, [] { RecentFiles::clear(); });
}

void MainActions::showAbout()
{
    QMessageBox::about(m_window, tr("About Nym Studio"),
        tr("<h3>Nym Studio %1</h3><p>Cell-type label transfer for single-cell RNA-seq with the scNym method "
           "(semi-supervised MixMatch and a domain adversary).</p><p>Qt %2 · LibTorch %3 · HDF5 %4</p>")
            .arg(QStringLiteral(NYM_VERSION), QString::fromLatin1(qVersion()), QString::fromStdString(torchVersion()),
                QString::fromStdString(hdf5Version())));
}

}   // namespace nym::ui
