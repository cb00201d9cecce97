// nymstudio: the Nym Studio desktop application.
//   nymstudio [--demo] [TRAINING [TARGET...]] [--target FILE]... [MODEL.nym]
//   nymstudio REVIEW.nymproj
//   nymstudio [--demo | TRAINING TARGET] --screenshots DIR [--epochs N] [--screenshot-gene NAME]
//             (a scripted tour that saves screenshots of each step, then quits)
#include "core/nn/blascheck.h"
#include "ui/browser/browserpage.h"
#include "ui/browser/cellinspector.h"
#include "ui/browser/reviewpanel.h"
#include "ui/document/project.h"
#include "ui/document/projectcontroller.h"
#include "ui/plots/trainingcurves.h"
#include "ui/widgets/mainactions.h"
#include "ui/widgets/mainwindow.h"
#include "ui/widgets/trainingpanel.h"

#include <QAction>
#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QFileInfo>
#include <QMessageBox>
#include <QSettings>
#include <QSlider>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTimer>

#include <cstdlib>
#include <memory>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

namespace {

// Loads the demo, saves the data tab, trains for a few epochs, saves the training and results tabs, then the map
// (by label, confidence and a marker gene), quits.
void runTour(nym::ui::MainWindow &window, const QString &dir, int epochs, const QString &gene)
{
    QDir().mkpath(dir);
    const auto shot = [&window, dir](int tab, const QString &name) {
        window.tabs()->setCurrentIndex(tab);
        QApplication::processEvents();
        window.grab().save(QDir(dir).filePath(name));
    };
    auto *c = window.controller();
    QObject::connect(c, &nym::ui::ProjectController::loadFailed, &window, [] { QApplication::exit(1); });
    QObject::connect(c, &nym::ui::ProjectController::trainingFailed, &window, [] { QApplication::exit(1); });
    auto started = std::make_shared<bool>(false);
    QObject::connect(c, &nym::ui::ProjectController::loaded, &window, [&window, shot, epochs, started] {
        // Files load one job at a time: start once training and target data are both open.
        if (*started || !window.project()->hasData())
            return;
        *started = true;
        QTimer::singleShot(300, &window, [&window, shot, epochs] {
            shot(0, QStringLiteral("data.png"));
            window.trainingPanel()->setKnob(QStringLiteral("epochs"), epochs);
            window.trainingPanel()->setKnob(QStringLiteral("minEpochForSelection"), std::min(5, epochs / 2));
            if (!window.controller()->train())
                QApplication::exit(1);
        });
    });
    QObject::connect(c, &nym::ui::ProjectController::labelled, &window, [shot] {
        QTimer::singleShot(300, [shot] {
            shot(1, QStringLiteral("training.png"));
            shot(2, QStringLiteral("results.png"));
        });
    });
    // The map (computed after labelling): by predicted label, by confidence, and by a marker gene of the first class.
    QObject::connect(c, &nym::ui::ProjectController::mapped, &window, [&window, shot, gene] {
        auto *page = window.browserPage();
        QTimer::singleShot(300, &window, [&window, page, shot, gene] {
            page->setColorBy(QStringLiteral("predicted"));
            shot(3, QStringLiteral("map_labels.png"));
            page->setColorBy(QStringLiteral("confidence"));
            shot(3, QStringLiteral("map_confidence.png"));
            const auto &classes = window.project()->model()->classes();
            QObject::connect(page, &nym::ui::BrowserPage::coloringApplied, &window, [&window, shot](const QString &key) {
                if (!key.startsWith(QLatin1String("gene:")))
                    return;
                shot(3, QStringLiteral("map_gene.png"));
                // The review queue mid-review: two cells accepted, one relabelled with its second class.
                auto *page = window.browserPage();
                page->setColorBy(QStringLiteral("final"));
                auto *review = page->reviewPanel();
                page->sideTabs()->setCurrentWidget(review);
                review->thresholdSlider()->setValue(80);
                review->acceptCurrent();
                review->acceptCurrent();
                review->relabelCurrentWithRank(2);
                shot(3, QStringLiteral("review.png"));
                // The inspector on the current cell, once its saliency genes are in.
                auto *inspector = page->inspector();
                page->sideTabs()->setCurrentWidget(inspector);
                QObject::connect(inspector, &nym::ui::CellInspector::genesShown, &window, [&window, shot] {
                    shot(3, QStringLiteral("inspector.png"));
                    // Edit → History beside the map: every edit, one click to go back to it.
                    window.mainActions()->historyAction()->trigger();
                    shot(3, QStringLiteral("history.png"));
                    QApplication::exit(0);
                });
                inspector->showCell(-1);
                inspector->showCell(review->currentCell());
            });
            page->setColorBy(QStringLiteral("gene:") +
                (gene.isEmpty() ? QString::fromStdString(classes.front()) + QStringLiteral("_m01") : gene));
        });
    });
    QObject::connect(c, &nym::ui::ProjectController::error, &window, [](const QString &, const QString &message) {
        qWarning("tour: %s", qPrintable(message));
        QApplication::exit(1);
    });
}

}   // namespace

int main(int argc, char **argv)
{
    // libgomp (LibTorch's and OpenBLAS's threads) spins for a long time at every barrier; when other programs keep
    // the cores busy, training then slows 20-fold (the demo's 10 epochs: 2.0 s alone, 39.6 s beside two busy
    // processes). A short spin costs nothing alone (1.8 s) and 12.0 s when busy. libgomp reads the setting when it
    // loads, before main(), so the process starts itself again once with it set; a user's own setting is kept.
    if (!std::getenv("GOMP_SPINCOUNT")) {
        ::setenv("GOMP_SPINCOUNT", "10000", 1);
        ::execv("/proc/self/exe", argv);   // returns only on failure: then run as we are
    }
    // Without XDG_RUNTIME_DIR (a root shell, a cluster node, a container) Qt warns on stderr at every start and then
    // uses /tmp/runtime-<user>; the same folder, made private the way Qt requires, without the warning.
    if (!std::getenv("XDG_RUNTIME_DIR")) {
        const std::string dir = "/tmp/runtime-" + std::to_string(::getuid());
        ::mkdir(dir.c_str(), 0700);
        struct stat st {};
        if (::stat(dir.c_str(), &st) == 0 && st.st_uid == ::getuid() && (st.st_mode & 0777) == 0700)
            ::setenv("XDG_RUNTIME_DIR", dir.c_str(), 1);
    }
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("Nym Studio"));
    QApplication::setOrganizationName(QStringLiteral("Nym Studio"));
    QApplication::setApplicationVersion(QStringLiteral(NYM_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Label single-cell RNA-seq data with the scNym method."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption demo(QStringLiteral("demo"), QStringLiteral("Open the built-in demo data."));
    const QCommandLineOption target(QStringLiteral("target"),
        QStringLiteral("A dataset to label (repeatable); the positional files are then all training data."),
        QStringLiteral("file"));
    const QCommandLineOption shots(QStringLiteral("screenshots"),
        QStringLiteral("Scripted tour on the demo: save screenshots of each step into DIR, then quit."),
        QStringLiteral("dir"));
    const QCommandLineOption epochs(QStringLiteral("epochs"),
        QStringLiteral("Epochs to train in the screenshot tour (default 15)."), QStringLiteral("n"),
        QStringLiteral("15"));
    const QCommandLineOption gene(QStringLiteral("screenshot-gene"),
        QStringLiteral("Gene to colour the map by in the screenshot tour (default: a marker of the demo's first class)."),
        QStringLiteral("name"));
    parser.addOptions({demo, target, shots, epochs, gene});
    parser.addPositionalArgument(QStringLiteral("files"),
        QStringLiteral("Training dataset, then target datasets (.h5ad or 10x .h5); .nym files open as models, "
                       ".nymproj files as projects."),
        QStringLiteral("[files...]"));
    parser.process(app);

    // The tour must not change the user's settings.
    QTemporaryDir tourSettings;
    if (parser.isSet(shots)) {
        QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, tourSettings.path());
        qputenv("XDG_DATA_HOME", tourSettings.path().toUtf8());   // nor its saved reviews
    }

    nym::ui::MainWindow window;
    window.show();
    // A wrong BLAS makes every training 5-45x slower; the package cannot set it, so say how once per start.
    if (const auto blas = nym::checkBlas(); !blas.warning.empty() && !parser.isSet(shots))
        QTimer::singleShot(0, &window, [&window, text = QString::fromStdString(blas.warning)] {
            auto *box = new QMessageBox(QMessageBox::Warning, QObject::tr("Training will be slow"), text,
                QMessageBox::Ok, &window);
            box->setTextInteractionFlags(Qt::TextSelectableByMouse);   // the command can be copied
            box->setAttribute(Qt::WA_DeleteOnClose);
            box->open();
        });
    QStringList data, models, projects;
    for (const QString &f : parser.positionalArguments())
        (nym::ui::ProjectController::isProjectFile(f) ? projects
                : nym::ui::ProjectController::isModelFile(f) ? models
                                                             : data) << f;
    QStringList targets = parser.values(target);
    if (targets.isEmpty() && data.size() > 1)
        targets = data.mid(1), data = data.mid(0, 1);

    if (parser.isSet(shots)) {
        runTour(window, parser.value(shots), std::max(1, parser.value(epochs).toInt()), parser.value(gene));
        if (data.isEmpty()) {
            window.controller()->openDemo();
        } else {
            window.controller()->addFiles(data, nym::ui::ProjectController::Role::Training, true);
            window.controller()->addFiles(targets, nym::ui::ProjectController::Role::Target, true);
        }
    } else if (!data.isEmpty() || !targets.isEmpty()) {
        // One loading job at a time: the window queues the targets behind the training files.
        window.controller()->addFiles(data, nym::ui::ProjectController::Role::Training, true);
        window.controller()->addFiles(targets, nym::ui::ProjectController::Role::Target, true);
    } else if (!projects.isEmpty()) {
        window.controller()->openProject(projects.front());
    } else if (parser.isSet(demo) || models.isEmpty()) {
        window.controller()->openDemo();
    }
    for (const QString &m : models)
        window.controller()->openModel(m);   // queued behind any data loading
    return app.exec();
}
