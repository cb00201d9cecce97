// Tests of the desktop application (offscreen): the demo loads off the GUI thread and shows its preflight report;
// damaged files give an error dialog instead of a crash; the training panel marks changed presets "custom" and keeps
// its settings; training runs in a worker with live curves while the event loop stays responsive; Stop keeps the
// best model; models save, open and apply to new targets; drops and recent files open the right things; plots export.
#include "common/testsupport.h"

#include "core/data/simulator.h"
#include "core/data/trainingset.h"
#include "core/io/h5adwriter.h"
#include "ui/plots/reliabilityplot.h"
#include "ui/plots/trainingcurves.h"
#include "ui/widgets/datapanel.h"
#include "ui/document/project.h"
#include "ui/document/projectcontroller.h"
#include "ui/document/projectsettings.h"
#include "ui/document/recentfiles.h"
#include "ui/widgets/mainwindow.h"
#include "ui/widgets/resultsview.h"
#include "ui/widgets/trainingpanel.h"
#include "ui/workers/trainingcontroller.h"

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QElapsedTimer>
#include <QMessageBox>
#include <QSettings>
#include <QSignalSpy>
#include <QAbstractItemModel>
#include <QTableView>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTimer>

#include <cmath>

namespace {

// Accepts every message box as soon as it appears, remembering its text.
class DialogCloser : public QObject
{
public:
    DialogCloser()
    {
        connect(&m_timer, &QTimer::timeout, this, [this] {
            for (QWidget *tl : QApplication::topLevelWidgets())
                if (auto *box = qobject_cast<QMessageBox *>(tl); box && box->isVisible()) {
                    texts << box->text();
                    box->accept();
                }
        });
        m_timer.start(50);
    }
    QStringList texts;

private:
    QTimer m_timer;
};

// Settings for a short, fast training run on the demo.
void quickSettings(nym::ui::TrainingPanel *p, int epochs)
{
    p->applyPreset(QStringLiteral("scnym-default"));
    p->setKnob(QStringLiteral("epochs"), epochs);
    p->setKnob(QStringLiteral("minEpochForSelection"), 1);
    p->setKnob(QStringLiteral("minStepsPerEpoch"), 4);
    p->setKnob(QStringLiteral("batchSize"), 128);
    p->setKnob(QStringLiteral("threads"), 1);
}

// The largest gap between 5 ms timer ticks while running: how long the GUI event loop was ever blocked.
class EventLoopGapMeter
{
public:
    EventLoopGapMeter()
    {
        m_tick.setInterval(5);
        QObject::connect(&m_tick, &QTimer::timeout, [this] {
            const qint64 now = m_clock.elapsed();
            m_worst = std::max(m_worst, now - m_last);
            m_last = now;
        });
    }
    void start()
    {
        m_clock.start();
        m_last = 0;
        m_tick.start();
    }
    void stop() { m_tick.stop(); }
    qint64 worst() const { return m_worst; }

private:
    QElapsedTimer m_clock;
    QTimer m_tick;
    qint64 m_last = 0, m_worst = 0;
};

}   // namespace

class TestUi : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        // Never touch the user's settings.
        QVERIFY(nymtest::isolateSettings(m_settings, QStringLiteral("tst_ui")));
        // Two small simulated files on disk, as a user would have them.
        nym::SimulatorOptions so;
        so.cells = 1600;
        so.genes = 400;
        so.types = 4;
        so.seed = 3;
        auto sim = nym::simulate(so);
        m_train = m_files.filePath(QStringLiteral("batch1.h5ad"));
        m_target = m_files.filePath(QStringLiteral("batch2.h5ad"));
        nym::writeH5ad(sim[0].data, m_train.toStdString());
        nym::writeH5ad(sim[1].data, m_target.toStdString());
    }

    void demoLoadsWithoutBlocking()
    {
        nym::ui::MainWindow w;
        w.show();
        QSignalSpy loaded(w.controller(), &nym::ui::ProjectController::loaded);
        w.controller()->openDemo();
        QVERIFY(w.controller()->isBusy());
        // The event loop keeps turning while the demo is simulated in the background.
        int ticks = 0;
        QTimer t;
        connect(&t, &QTimer::timeout, [&] { ++ticks; });
        t.start(10);
        QVERIFY(loaded.wait(120000));
        QVERIFY2(ticks > 3, "the GUI thread was blocked while loading");
        const QString text = w.reportText();
        QVERIFY(text.contains(QStringLiteral("Ready to train")));
        QVERIFY(text.contains(QStringLiteral("TypeA")));
        QVERIFY(text.contains(QStringLiteral("raw counts")));
        QVERIFY(text.contains(QStringLiteral("2,000")) || text.contains(QStringLiteral("2000")));
    }

    void damagedFileReportsError_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("expected");
        QTest::newRow("not hdf5") << QStringLiteral("text") << QStringLiteral("not an HDF5 file");
        // A file that crashes libhdf5: the structure check forks from this multi-threaded Qt process.
        QTest::newRow("crashes libhdf5") << QStringLiteral("heap") << QStringLiteral("crashed the HDF5 library");
    }
    void damagedFileReportsError()
    {
        QFETCH(QString, kind);
        QFETCH(QString, expected);
        QTemporaryDir dir;
        const QString bad = dir.filePath(QStringLiteral("bad.h5ad"));
        if (kind == QStringLiteral("heap")) {
            nymtest::runPython(QStringLiteral("io/make_heap_crasher.py"), {bad});
        } else {
            QFile f(bad);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("this is not HDF5");
            f.close();
        }
        nym::ui::MainWindow w;
        QSignalSpy failed(w.controller(), &nym::ui::ProjectController::loadFailed);
        DialogCloser closer;   // records and closes the error dialog
        w.controller()->openFiles(bad, bad);
        QVERIFY(failed.wait(30000));
        QVERIFY2(failed.first().first().toString().contains(expected), qPrintable(failed.first().first().toString()));
        // The user saw a dialog with the reason, once (the queued target was dropped), and nothing was opened.
        QTRY_COMPARE(closer.texts.size(), 1);
        QVERIFY(closer.texts.first().contains(expected));
        QTest::qWait(200);
        QCOMPARE(failed.size(), 1);
        QVERIFY(!w.project()->hasData());
        QVERIFY(nym::ui::RecentFiles::entries().filter(QStringLiteral("bad.h5ad")).isEmpty());   // failed files are not "recent"
    }

    void trainingRunsInAWorkerAndStops()
    {
        nym::SimulatorOptions so;
        so.cells = 1200;
        so.genes = 300;
        so.types = 4;
        auto sim = nym::simulate(so);
        auto set = std::make_shared<const nym::TrainingSet>(
            nym::prepareTrainingSet({std::make_shared<const nym::Dataset>(sim[0].data)},
                {std::make_shared<const nym::Dataset>(sim[1].data)}));
        nym::TrainOptions o = nym::TrainOptions::fromPreset("scnym-default");
        o.epochs = 50;
        o.batchSize = 64;
        o.minEpochForSelection = 1;
        o.threads = 1;
        nym::ui::TrainingController c;
        QSignalSpy started(&c, &nym::ui::TrainingController::started);
        QSignalSpy steps(&c, &nym::ui::TrainingController::stepDone);
        QSignalSpy epochs(&c, &nym::ui::TrainingController::epochDone);
        QSignalSpy finished(&c, &nym::ui::TrainingController::finished);
        QSignalSpy failed(&c, &nym::ui::TrainingController::failed);
        // The GUI event loop keeps running during training.
        EventLoopGapMeter gaps;
        QVERIFY(c.start(set, o));
        QVERIFY(!c.start(set, o));   // one run at a time
        QVERIFY(c.isRunning());
        gaps.start();
        QTRY_VERIFY_WITH_TIMEOUT(epochs.count() >= 3, 120000);
        gaps.stop();
        c.stop();
        QTRY_VERIFY_WITH_TIMEOUT(finished.count() == 1, 30000);
        QCOMPARE(failed.count(), 0);
        QCOMPARE(started.count(), 1);
        QVERIFY(steps.count() > 0);
        const auto summary = finished.at(0).at(1).value<nym::TrainingSummary>();
        QVERIFY(summary.stopped);
        QVERIFY(summary.epochsRun < 50);
        const auto model = finished.at(0).at(0).value<std::shared_ptr<const nym::Model>>();
        QVERIFY(model && model->classes().size() == 4);
        const auto e = epochs.at(0).at(0).value<nym::EpochReport>();
        QCOMPARE(e.epoch, 0);
        QVERIFY(std::isfinite(e.totalLoss));
        QVERIFY(!c.isRunning());
        qInfo("largest event-loop gap during training: %lld ms", static_cast<long long>(gaps.worst()));
        QVERIFY2(gaps.worst() < 100, qPrintable(QString::number(gaps.worst())));
    }

    void presetsKnobsAndPersistence()
    {
        {
            nym::ui::Project project;
            nym::ui::ProjectSettings::attach(&project);
            nym::ui::TrainingPanel p(&project);
            p.applyPreset(QStringLiteral("scnym-default"));
            QCOMPARE(p.presetText(), QStringLiteral("scnym-default"));
            QCOMPARE(p.options().mixupAlpha, 0.3);
            // Every knob of the issue exists and carries a tooltip with its default.
            for (const char *f : {"epochs", "unsupervisedWeight", "unsupervisedRampEpochs", "adversaryWeight",
                     "adversaryRampEpochs", "mixupAlpha", "sharpenTemperature", "pseudolabelThreshold", "batchSize",
                     "learningRate", "seed", "threads", "temperatureScaling"}) {
                QWidget *w = p.knobWidget(QString::fromLatin1(f));
                QVERIFY2(w, f);
                QVERIFY2(w->toolTip().contains(QStringLiteral("default")), f);
            }
            QVERIFY(p.setKnob(QStringLiteral("mixupAlpha"), 0.5));
            QCOMPARE(p.presetText(), QStringLiteral("custom"));
            QCOMPARE(p.options().preset, std::string("custom"));
            QCOMPARE(p.options().mixupAlpha, 0.5);
            p.setKnob(QStringLiteral("mixupAlpha"), 0.3);
            QCOMPARE(p.presetText(), QStringLiteral("scnym-default"));
            // The seed and threads are not part of the method: changing them keeps the preset.
            p.setKnob(QStringLiteral("seed"), 7);
            QCOMPARE(p.presetText(), QStringLiteral("scnym-default"));
            // A preset switches the parts it turns off, and greys out their knobs.
            p.applyPreset(QStringLiteral("supervised"));
            QVERIFY(!p.options().mixMatch && !p.options().adversary);
            QCOMPARE(p.options().seed, std::uint64_t(7));
            QVERIFY(!p.knobWidget(QStringLiteral("mixupAlpha"))->isEnabled());
            QVERIFY(!p.knobWidget(QStringLiteral("adversaryWeight"))->isEnabled());
            p.applyPreset(QStringLiteral("new-identity-discovery"));
            QCOMPARE(p.options().pseudolabelThreshold, 0.9);
            QVERIFY(p.knobWidget(QStringLiteral("mixupAlpha"))->isEnabled());
            p.setKnob(QStringLiteral("adversaryWeight"), 0.25);
            p.setKnob(QStringLiteral("epochs"), 37);
            QCOMPARE(p.presetText(), QStringLiteral("custom"));
        }
        // A new project and panel (the next run of the app) start where the last one stopped.
        nym::ui::Project project;
        nym::ui::ProjectSettings::attach(&project);
        nym::ui::TrainingPanel again(&project);
        QCOMPARE(again.presetText(), QStringLiteral("custom"));
        QCOMPARE(again.options().epochs, 37);
        QCOMPARE(again.options().adversaryWeight, 0.25);
        QCOMPARE(again.options().pseudolabelThreshold, 0.9);
        QCOMPARE(again.options().seed, std::uint64_t(7));
        again.applyPreset(QStringLiteral("new-identity-discovery"));   // "Reset to preset" goes back to the base
        QCOMPARE(again.presetText(), QStringLiteral("new-identity-discovery"));
        // Damaged settings fall back to the defaults instead of failing.
        QSettings().setValue(QStringLiteral("training/options"), QStringLiteral("{not json"));
        nym::ui::Project fresh;
        nym::ui::ProjectSettings::attach(&fresh);
        nym::ui::TrainingPanel clean(&fresh);
        QCOMPARE(clean.options().epochs, 100);
    }

    void windowTrainsWithLiveCurvesThenSavesAndAppliesModel()
    {
        DialogCloser closer;
        nym::ui::MainWindow w;
        w.show();
        QSignalSpy loaded(w.controller(), &nym::ui::ProjectController::loaded);
        w.controller()->openFiles(m_train, m_target);
        QVERIFY(loaded.wait(60000));
        QVERIFY(w.project()->blockingReason().isEmpty());
        QCOMPARE(w.dataPanel()->labelPicker()->currentText(), QStringLiteral("cell_type"));
        quickSettings(w.trainingPanel(), 6);
        QSignalSpy finished(w.controller(), &nym::ui::ProjectController::trainingFinished);
        QSignalSpy labelled(w.controller(), &nym::ui::ProjectController::labelled);
        QVERIFY(w.controller()->train());
        QVERIFY(w.controller()->isTraining());
        QVERIFY(!w.trainingPanel()->knobWidget(QStringLiteral("epochs"))->isEnabled());   // locked while running
        QTRY_VERIFY_WITH_TIMEOUT(w.curves()->epochsShown() >= 1, 120000);
        QVERIFY(finished.wait(120000));
        QCOMPARE(w.curves()->epochsShown(), 6);   // one point per epoch
        // Every loss and accuracy curve got its points; the hover text names the series and values.
        auto *loss = w.curves()->lossPlot();
        QCOMPARE(loss->graph(0)->dataCount(), 6);
        QCOMPARE(w.curves()->accuracyPlot()->graph(0)->dataCount(), 6);
        QCOMPARE(w.curves()->weightPlot()->graph(0)->dataCount(), 6);
        loss->replot();
        const auto first = loss->graph(0)->data()->at(2);
        const QPointF at(loss->xAxis->coordToPixel(first->key), loss->yAxis->coordToPixel(first->value));
        QVERIFY2(loss->hoverText(at).contains(QStringLiteral("loss")), qPrintable(loss->hoverText(at)));
        QVERIFY(loss->hoverText(QPointF(-100, -100)).isEmpty());
        QVERIFY(w.reliabilityPlot()->title().contains(QStringLiteral("ECE")));
        QVERIFY(labelled.wait(60000));
        QVERIFY(w.project()->model());
        QVERIFY(w.project()->summary() && !w.project()->summary()->stopped);
        QCOMPARE(w.project()->labelings().size(), std::size_t(1));
        QCOMPARE(w.project()->labelings()[0]->labels.size(), std::size_t(800));
        QCOMPARE(w.tabs()->currentWidget(), static_cast<QWidget *>(w.resultsView()));
        const QString summary = w.resultsView()->summaryText();
        QVERIFY2(summary.contains(QStringLiteral("Held-out accuracy")), qPrintable(summary));
        QVERIFY2(summary.contains(QStringLiteral("agreement")), qPrintable(summary));   // the target has cell_type
        const QAbstractItemModel *summaryTable = w.resultsView()->table()->model();
        QVERIFY(summaryTable->rowCount() >= 2);
        // The table's cells add up to the target; it is sorted by cells, largest first.
        int cells = 0;
        for (int r = 0; r < summaryTable->rowCount(); ++r)
            cells += summaryTable->index(r, 1).data(Qt::UserRole).toInt();
        QCOMPARE(cells, 800);
        QVERIFY(summaryTable->index(0, 1).data(Qt::UserRole).toInt() >= summaryTable->index(1, 1).data(Qt::UserRole).toInt());
        // A stricter threshold leaves more cells below it.
        int below = 0;
        for (int r = 0; r < summaryTable->rowCount(); ++r)
            below += summaryTable->index(r, 4).data(Qt::UserRole).toInt();
        w.resultsView()->setThreshold(0.99);
        QCOMPARE(w.project()->threshold(), 0.99);   // the view sent it to the project
        int belowStrict = 0;
        for (int r = 0; r < summaryTable->rowCount(); ++r)
            belowStrict += summaryTable->index(r, 4).data(Qt::UserRole).toInt();
        QVERIFY(belowStrict > below);
        w.resultsView()->setThreshold(0.7);
        {
            nym::ui::Project next;   // remembered for the next run
            nym::ui::ProjectSettings::attach(&next);
            QCOMPARE(next.threshold(), 0.7);
        }

        // Export: one row per target cell with the thresholded label; never over an input file.
        const QString table = m_files.filePath(QStringLiteral("labels.csv"));
        QVERIFY(!w.controller()->exportTable(m_target));
        QVERIFY(w.controller()->exportTable(table));
        QTRY_VERIFY_WITH_TIMEOUT(!w.controller()->isBusy(), 30000);
        QFile csv(table);
        QVERIFY(csv.open(QIODevice::ReadOnly));
        const QList<QByteArray> lines = csv.readAll().trimmed().split('\n');
        QCOMPARE(lines.size(), 801);
        QVERIFY(lines.first().startsWith("cell,nym_label,nym_label_thresholded"));
        int unassigned = 0;
        for (const auto &line : lines)
            unassigned += line.split(',').value(2) == "Unassigned" ? 1 : 0;
        int expectedUnassigned = 0;
        for (float c : w.project()->labelings()[0]->predictions.confidence)
            expectedUnassigned += c < 0.7f ? 1 : 0;
        QCOMPARE(unassigned, expectedUnassigned);
        QVERIFY(w.controller()->exportTable(table));   // replacing the table the user chose again is fine
        QTRY_VERIFY_WITH_TIMEOUT(!w.controller()->isBusy(), 30000);
        w.resultsView()->setThreshold(0.5);

        // Save: never over an input file; a model file is written and reads back.
        const QDateTime before = QFileInfo(m_train).lastModified();
        QVERIFY(!w.controller()->saveModel(m_train));
        QCOMPARE(QFileInfo(m_train).lastModified(), before);
        QTRY_VERIFY(!closer.texts.isEmpty());
        QVERIFY(closer.texts.last().contains(QStringLiteral("never writes over")));
        const QString modelPath = m_files.filePath(QStringLiteral("demo.nym"));
        QSignalSpy written(w.controller(), &nym::ui::ProjectController::written);
        QVERIFY(w.controller()->saveModel(modelPath));   // in a worker, like every file operation
        QVERIFY(w.controller()->isBusy());
        QVERIFY(written.wait(30000));
        QCOMPARE(written.first().first().toString(), modelPath);
        QVERIFY(QFileInfo(modelPath).size() > 1000);
        QVERIFY(nym::ui::RecentFiles::entries().first().endsWith(modelPath));

        // A fresh window: open the model, then a target; Apply labels it without training.
        nym::ui::MainWindow w2;
        QSignalSpy labelled2(w2.controller(), &nym::ui::ProjectController::labelled);
        w2.controller()->openModel(modelPath);
        w2.controller()->addFiles({m_target}, nym::ui::ProjectController::Role::Target, true);   // queued behind the model
        QTRY_VERIFY_WITH_TIMEOUT(!w2.controller()->isBusy() && w2.project()->model() && w2.project()->hasData() == false
                                     && !w2.project()->data().targets.empty(), 60000);
        QVERIFY(w2.project()->modelSource().contains(QStringLiteral("demo.nym")));
        w2.controller()->applyModel();
        QVERIFY(labelled2.wait(60000));
        // The saved model gives the same labels as the one trained here.
        QCOMPARE(w2.project()->labelings()[0]->labels, w.project()->labelings()[0]->labels);
    }

    void stopKeepsBestModelAndGuiStaysResponsive()
    {
        nym::ui::MainWindow w;
        w.show();
        QSignalSpy loaded(w.controller(), &nym::ui::ProjectController::loaded);
        w.controller()->openDemo();
        QVERIFY(loaded.wait(120000));
        quickSettings(w.trainingPanel(), 500);
        QSignalSpy finished(w.controller(), &nym::ui::ProjectController::trainingFinished);
        EventLoopGapMeter gaps;
        QVERIFY(w.controller()->train());
        QTRY_VERIFY_WITH_TIMEOUT(w.curves()->epochsShown() >= 1, 120000);   // data prepared, training under way
        gaps.start();
        QTRY_VERIFY_WITH_TIMEOUT(w.curves()->epochsShown() >= 3, 120000);
        QElapsedTimer stopClock;
        stopClock.start();
        w.controller()->stopTraining();
        QVERIFY(finished.wait(30000));
        qInfo("stop took %lld ms", static_cast<long long>(stopClock.elapsed()));
        QTRY_VERIFY_WITH_TIMEOUT(!w.controller()->isBusy(), 60000);
        gaps.stop();
        // Training, stopping, handing over the model and labelling the target never stall the GUI.
        qInfo("largest event-loop gap while the window trains, stops and labels: %lld ms", static_cast<long long>(gaps.worst()));
        QVERIFY2(gaps.worst() < 100, qPrintable(QString::number(gaps.worst())));
        QVERIFY(w.project()->model());
        QVERIFY(w.project()->summary()->stopped);
        QVERIFY(w.project()->summary()->epochsRun < 500);
        QVERIFY(!w.controller()->isTraining());
        QTRY_VERIFY_WITH_TIMEOUT(!w.controller()->isBusy(), 60000);   // the stopped model labels the target
        QCOMPARE(w.project()->labelings().size(), std::size_t(1));
        QVERIFY2(w.statusText().startsWith(QStringLiteral("Stopped after")), qPrintable(w.statusText()));
        QVERIFY(w.resultsView()->summaryText().contains(QStringLiteral("stopped by you")));
    }

    void labelColumnChoiceAndBlockingErrors()
    {
        DialogCloser closer;
        nym::ui::MainWindow w;
        QSignalSpy loaded(w.controller(), &nym::ui::ProjectController::loaded);
        // Only a training file: training cannot start and says why.
        w.controller()->addFiles({m_train}, nym::ui::ProjectController::Role::Training, true);
        QVERIFY(loaded.wait(60000));
        QVERIFY(!w.controller()->train());
        QVERIFY(w.statusText().contains(QStringLiteral("target")));
        QVERIFY(w.reportText().contains(QStringLiteral("Training cannot start")));
        // A drop with two files when a training file is open: both are targets.
        w.controller()->openDropped({m_target, m_target});
        QVERIFY(loaded.wait(60000));
        QCOMPARE(w.project()->data().targets.size(), std::size_t(2));
        QVERIFY(w.project()->blockingReason().isEmpty());
        // Choosing another label column re-checks the data: "domain" has one value per file, so it is an error.
        const QStringList labels = w.project()->labelCandidates();
        QVERIFY(labels.contains(QStringLiteral("cell_type")));
        QCOMPARE(w.project()->trainingSetOptions().domains, nym::DomainSource::TrainingVsTarget);
        w.dataPanel()->domainPicker()->setCurrentIndex(1);
        Q_EMIT w.dataPanel()->domainPicker()->activated(1);   // as the user picks it
        QCOMPARE(w.project()->trainingSetOptions().domains, nym::DomainSource::PerFile);
        QCOMPARE(w.project()->domainMode(), nym::ui::Project::DomainMode::PerFile);
        // Choosing a label column re-checks the data; a column with one value cannot teach and blocks training.
        Q_EMIT w.dataPanel()->columnsChosen(QStringLiteral("domain"), nym::ui::Project::DomainMode::PerFile, QString());
        QVERIFY(loaded.wait(60000));
        QCOMPARE(w.project()->data().labelColumn, QStringLiteral("domain"));
        QVERIFY2(w.project()->blockingReason().contains(QStringLiteral("domain")),
            qPrintable(w.project()->blockingReason()));
        QVERIFY(!w.controller()->train());
        Q_EMIT w.dataPanel()->columnsChosen(QStringLiteral("cell_type"), nym::ui::Project::DomainMode::PerFile, QString());
        QVERIFY(loaded.wait(60000));
        QVERIFY(w.project()->blockingReason().isEmpty());
        QCOMPARE(w.project()->domainMode(), nym::ui::Project::DomainMode::PerFile);   // kept across the re-check
        QCOMPARE(w.dataPanel()->domainPicker()->currentIndex(), 1);
        // Recent files remember the role.
        QVERIFY(nym::ui::RecentFiles::entries().contains(QStringLiteral("target|") + QFileInfo(m_target).absoluteFilePath()));
        QVERIFY(nym::ui::RecentFiles::entries().contains(QStringLiteral("training|") + QFileInfo(m_train).absoluteFilePath()));
        // A first drop of two files onto an empty window: the first teaches, the second is labelled.
        nym::ui::MainWindow fresh;
        fresh.controller()->openDropped({m_train, m_target});
        QTRY_VERIFY_WITH_TIMEOUT(!fresh.controller()->isBusy() && fresh.project()->hasData(), 60000);
        QCOMPARE(fresh.project()->data().training.size(), std::size_t(1));
        QCOMPARE(fresh.project()->data().targets.size(), std::size_t(1));
        QCOMPARE(closer.texts.size(), 0);
    }

    void windowGeometryIsRemembered()
    {
        {
            nym::ui::MainWindow w;
            w.show();
            w.resize(987, 654);
            QVERIFY(QTest::qWaitForWindowExposed(&w));
            w.close();
        }
        nym::ui::MainWindow again;
        QCOMPARE(again.size(), QSize(987, 654));
    }

    void realDataOpensInTheWindow()
    {
        NYM_REQUIRE_SHARED();
        nym::ui::MainWindow w;
        QSignalSpy loaded(w.controller(), &nym::ui::ProjectController::loaded);
        w.controller()->openFiles(nymtest::dataFile(QStringLiteral("kang_pbmc_ifnb1k/ctrl.h5ad")),
            nymtest::dataFile(QStringLiteral("kang_pbmc_ifnb1k/stim.h5ad")));
        QVERIFY(loaded.wait(120000));
        const QString text = w.reportText();
        QVERIFY2(text.contains(QStringLiteral("CD14")), qPrintable(text.left(2000)));
        QVERIFY(text.contains(QStringLiteral("Shared genes")));
        QVERIFY(w.project()->blockingReason().isEmpty());
    }

    void plotsExportPngSvgPdf()
    {
        nym::ui::TrainingCurves curves;
        curves.resize(900, 600);
        curves.reset(3);
        for (int e = 0; e < 3; ++e) {
            nym::EpochReport r;
            r.epoch = e;
            r.supervisedLoss = 1.0 / (e + 1);
            r.totalLoss = 1.2 / (e + 1);
            r.heldOutAccuracy = 0.5 + 0.1 * e;
            r.adversaryAccuracy = 0.6;
            r.adversaryChance = 0.5;
            curves.addEpoch(r);
        }
        QCOMPARE(curves.epochsShown(), 3);
        QTemporaryDir dir;
        for (const char *suffix : {"png", "svg", "pdf"}) {
            const QString path = dir.filePath(QStringLiteral("losses.") + QString::fromLatin1(suffix));
            QVERIFY2(curves.lossPlot()->exportTo(path, 600, 400), suffix);
            QVERIFY2(QFileInfo(path).size() > 500, suffix);
        }
        QFile svg(dir.filePath(QStringLiteral("losses.svg")));
        QVERIFY(svg.open(QIODevice::ReadOnly));
        const QByteArray content = svg.readAll();
        QVERIFY(content.contains("<svg"));
        QVERIFY(content.contains("supervised"));   // the legend is in the drawing
        QVERIFY(!curves.lossPlot()->exportTo(dir.filePath(QStringLiteral("losses.bmpx"))));
    }

private:
    QTemporaryDir m_settings;
    QTemporaryDir m_files;
    QString m_train, m_target;
};

QTEST_MAIN(TestUi)
#include "tst_ui.moc"
