// Tests of the desktop window: the demo loads off the GUI thread and shows its preflight report; a damaged file
// gives a failure signal with the reason instead of a crash.
#include "common/testsupport.h"

#include "core/data/simulator.h"
#include "core/data/trainingset.h"
#include "ui/widgets/mainwindow.h"
#include "ui/workers/trainingcontroller.h"

#include <QApplication>
#include <cmath>
#include <QMessageBox>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QElapsedTimer>
#include <QTimer>

class TestUi : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void demoLoadsWithoutBlocking()
    {
        nym::ui::MainWindow w;
        w.show();
        QSignalSpy loaded(&w, &nym::ui::MainWindow::loaded);
        w.openDemo();
        QVERIFY(w.isLoading());
        // The event loop keeps turning while the demo is simulated in the background.
        int ticks = 0;
        QTimer t;
        connect(&t, &QTimer::timeout, [&] { ++ticks; });
        t.start(10);
        QVERIFY(loaded.wait(120000));
        QVERIFY2(ticks > 3, "the GUI thread was blocked while loading");
        const QString text = w.reportText();
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
        QSignalSpy failed(&w, &nym::ui::MainWindow::loadFailed);
        // Close the warning dialog as soon as it appears.
        QTimer closer;
        connect(&closer, &QTimer::timeout, [] {
            for (QWidget *tl : QApplication::topLevelWidgets())
                if (auto *box = qobject_cast<QMessageBox *>(tl))
                    box->accept();
        });
        closer.start(50);
        w.openFiles(bad, bad);
        QVERIFY(failed.wait(30000));
        QVERIFY2(failed.first().first().toString().contains(expected), qPrintable(failed.first().first().toString()));
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
        // The GUI event loop keeps running during training: measure the largest gap between 5 ms timer ticks.
        QElapsedTimer clock;
        qint64 last = 0, worst = 0;
        QTimer tick;
        tick.setInterval(5);
        connect(&tick, &QTimer::timeout, this, [&] {
            const qint64 now = clock.elapsed();
            worst = std::max(worst, now - last);
            last = now;
        });
        QVERIFY(c.start(set, o));
        QVERIFY(!c.start(set, o));   // one run at a time
        QVERIFY(c.isRunning());
        clock.start();
        tick.start();
        QTRY_VERIFY_WITH_TIMEOUT(epochs.count() >= 3, 120000);
        tick.stop();
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
        qInfo("largest event-loop gap during training: %lld ms", static_cast<long long>(worst));
        QVERIFY2(worst < 100, qPrintable(QString::number(worst)));
    }
};

QTEST_MAIN(TestUi)
#include "tst_ui.moc"
