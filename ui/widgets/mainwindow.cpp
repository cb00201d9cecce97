#include "ui/widgets/mainwindow.h"

#include "core/common/error.h"
#include "core/data/dataset.h"
#include "core/data/preflight.h"
#include "core/data/simulator.h"
#include "core/io/datasetreader.h"
#include "core/io/libraryversions.h"
#include "ui/widgets/preflightview.h"

#include <QApplication>
#include <QFileDialog>
#include <QFutureWatcher>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QProgressBar>
#include <QStatusBar>
#include <QtConcurrent>

namespace nym::ui {

struct MainWindow::Loaded
{
    std::shared_ptr<const Dataset> training, target;
    std::shared_ptr<PreflightReport> trainingReport, targetReport;
    QString error;
};

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent)
    , m_view(new PreflightView(this))
    , m_progress(new QProgressBar(this))
    , m_status(new QLabel(this))
{
    setWindowTitle(tr("Nym Studio"));
    setCentralWidget(m_view);
    m_view->showMessage(tr("Open a training and a target dataset (File → Open), or the demo data (File → Open Demo)."));
    m_progress->setRange(0, 0);
    m_progress->setMaximumWidth(160);
    m_progress->hide();
    statusBar()->addWidget(m_status, 1);
    statusBar()->addPermanentWidget(m_progress);

    QMenu *file = menuBar()->addMenu(tr("&File"));
    QAction *open = file->addAction(tr("&Open Training and Target…"), this, &MainWindow::chooseFiles);
    open->setShortcut(QKeySequence::Open);
    QAction *demo = file->addAction(tr("Open &Demo"), this, &MainWindow::openDemo);
    demo->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_D));
    file->addSeparator();
    QAction *quit = file->addAction(tr("&Quit"), qApp, &QApplication::closeAllWindows);
    quit->setShortcut(QKeySequence::Quit);
    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About Nym Studio"), this, &MainWindow::showAbout);
    resize(1100, 720);
}

MainWindow::~MainWindow() = default;

bool MainWindow::isLoading() const
{
    return m_loading;
}

QString MainWindow::reportText() const
{
    return m_view->toPlainText();
}

void MainWindow::startLoad(const QString &what, std::function<Loaded()> job)
{
    if (m_loading)
        return;
    m_loading = true;
    m_progress->show();
    m_status->setText(what);
    auto *watcher = new QFutureWatcher<Loaded>(this);
    connect(watcher, &QFutureWatcher<Loaded>::finished, this, [this, watcher] {
        const Loaded r = watcher->result();
        watcher->deleteLater();
        m_loading = false;
        m_progress->hide();
        if (!r.error.isEmpty()) {
            m_status->setText(tr("Could not open the data."));
            QMessageBox::warning(this, tr("Could not open the data"), r.error);
            Q_EMIT loadFailed(r.error);
            return;
        }
        m_view->showReports(*r.trainingReport, *r.targetReport);
        m_status->setText(tr("Training: %1 cells · Target: %2 cells")
                              .arg(QLocale().toString(static_cast<qlonglong>(r.training->cells())),
                                  QLocale().toString(static_cast<qlonglong>(r.target->cells()))));
        Q_EMIT loaded();
    });
    // Exceptions never cross the thread boundary: the job turns them into text.
    watcher->setFuture(QtConcurrent::run([job = std::move(job)] {
        try {
            return job();
        } catch (const Error &e) {
            Loaded l;
            l.error = QString::fromUtf8(e.what());
            return l;
        } catch (const std::exception &e) {
            Loaded l;
            l.error = tr("Unexpected error: %1").arg(QString::fromUtf8(e.what()));
            return l;
        }
    }));
}

void MainWindow::openDemo()
{
    setWindowTitle(tr("Nym Studio — demo data"));
    startLoad(tr("Simulating the demo data…"), [] {
        SimulatorOptions o;
        o.cells = 6000;
        o.genes = 2000;
        o.types = 6;
        o.domains = 2;
        o.seed = 42;
        auto domains = simulate(o);
        auto train = std::make_shared<const Dataset>(std::move(domains[0].data));
        auto target = std::make_shared<const Dataset>(std::move(domains[1].data));
        return checkPair(train, target);
    });
}

void MainWindow::openFiles(const QString &training, const QString &target)
{
    setWindowTitle(tr("Nym Studio — %1 → %2").arg(QFileInfo(training).fileName(), QFileInfo(target).fileName()));
    startLoad(tr("Reading %1 and %2…").arg(QFileInfo(training).fileName(), QFileInfo(target).fileName()),
        [a = training.toStdString(), b = target.toStdString()] {
            auto train = std::make_shared<const Dataset>(readDataset(a));
            auto tgt = std::make_shared<const Dataset>(readDataset(b));
            return checkPair(train, tgt);
        });
}

MainWindow::Loaded MainWindow::checkPair(std::shared_ptr<const Dataset> training, std::shared_ptr<const Dataset> target)
{
    Loaded l;
    auto [a, b] = preflightPair(*training, *target);
    l.training = std::move(training);
    l.target = std::move(target);
    l.trainingReport = std::make_shared<PreflightReport>(std::move(a));
    l.targetReport = std::make_shared<PreflightReport>(std::move(b));
    return l;
}

void MainWindow::chooseFiles()
{
    const QString filter = tr("Single-cell data (*.h5ad *.h5);;All files (*)");
    const QString training = QFileDialog::getOpenFileName(this, tr("Open the labelled training dataset"), {}, filter);
    if (training.isEmpty())
        return;
    const QString target = QFileDialog::getOpenFileName(this, tr("Open the target dataset to label"), {}, filter);
    if (target.isEmpty())
        return;
    openFiles(training, target);
}

void MainWindow::showAbout()
{
    QMessageBox::about(this, tr("About Nym Studio"),
        tr("<h3>Nym Studio %1</h3><p>Cell-type label transfer with the scNym method.</p>"
           "<p>Qt %2 · HDF5 %3</p>")
            .arg(QStringLiteral(NYM_VERSION), QString::fromLatin1(qVersion()), QString::fromStdString(hdf5Version())));
}

}   // namespace nym::ui
