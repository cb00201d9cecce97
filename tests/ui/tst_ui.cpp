// Tests of the desktop application (offscreen): the demo loads off the GUI thread and shows its preflight report;
// damaged files give an error dialog instead of a crash; the training panel marks changed presets "custom" and keeps
// its settings; training runs in a worker with live curves while the event loop stays responsive; Stop keeps the
// best model; models save, open and apply to new targets; drops and recent files open the right things; plots export.
#include "common/testsupport.h"

#include "core/common/xoshiro.h"
#include "core/data/simulator.h"
#include "core/data/trainingset.h"
#include "core/io/h5adwriter.h"
#include "core/model/model.h"
#include "ui/browser/browserpage.h"
#include "ui/browser/cellmapview.h"
#include "ui/browser/maplegend.h"
#include "ui/browser/reviewpanel.h"
#include "ui/browser/cellinspector.h"
#include "ui/workers/saliencyservice.h"
#include <QTableWidget>
#include "ui/models/reviewqueuemodel.h"
#include <QSlider>
#include <QSpinBox>
#include <QTableView>
#include "ui/plots/reliabilityplot.h"
#include "ui/plots/trainingcurves.h"
#include "ui/widgets/datapanel.h"
#include "ui/document/project.h"
#include "ui/document/projectcontroller.h"
#include "ui/document/projectsettings.h"
#include "ui/document/recentfiles.h"
#include "ui/widgets/mainactions.h"
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
#include <QRegularExpression>
#include <QAbstractItemModel>
#include <QTableView>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTimer>
#include <QXmlStreamReader>
#include <QLineEdit>
#include <QListWidget>
#include <QImageReader>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMimeData>
#include <QUrl>

#include <cmath>
#include <set>

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
// A time bound for the machine the test runs on: sanitizer builds (NYM_TEST_TIME_SCALE=3, set by tests/CMakeLists.txt
// when NYM_SANITIZE is on) run the app's own code 2-3x slower, so their GUI-latency bounds scale with it.
qint64 timeBound(qint64 ms)
{
    const int scale = qEnvironmentVariableIntValue("NYM_TEST_TIME_SCALE");
    return scale > 1 ? ms * scale : ms;
}

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

    // Every damaged file of the reader tests (tests/io/make_bad_files.py), opened as the command line opens files
    // (`nymstudio BAD GOOD`: the training file, a good target queued behind it) and dropped on a new window with a
    // good training file (`GOOD BAD`: a target). A file that cannot be read gives exactly one dialog naming the
    // problem; a file that reads but cannot be trained on (NaN, empty, one class...) gives no dialog: the data report
    // names the problem and training cannot start. Either way the window stays usable: a good pair then opens.
    void badFilesInTheApp()
    {
        QTemporaryDir dir;
        const QByteArray out = nymtest::runPython(QStringLiteral("io/make_bad_files.py"), {dir.path()});
        const QJsonArray cases = QJsonDocument::fromJson(out).array();
        QVERIFY(cases.size() >= 25);
        DialogCloser closer;
        using Role = nym::ui::ProjectController::Role;
        int unreadable = 0, unusable = 0;
        // Waits for the window's loading to end and checks what the user was told.
        const auto check = [&](nym::ui::MainWindow &w, const QJsonObject &o, const QString &how) {
            QSignalSpy loaded(w.controller(), &nym::ui::ProjectController::loaded);
            QSignalSpy failed(w.controller(), &nym::ui::ProjectController::loadFailed);
            QTRY_VERIFY_WITH_TIMEOUT(!w.controller()->isBusy() && (!loaded.isEmpty() || !failed.isEmpty()), 60000);
            QTest::qWait(150);   // a dialog opened at the end of the job is seen by the closer
            QString message;
            if (o[QStringLiteral("stage")].toString() == QStringLiteral("read")) {
                ++unreadable;
                QVERIFY2(closer.texts.size() == 1, qPrintable(how + QStringLiteral(": %1 dialogs").arg(closer.texts.size())));
                QCOMPARE(failed.size(), 1);
                message = closer.texts.first();
            } else {
                ++unusable;
                QVERIFY2(closer.texts.isEmpty(), qPrintable(how + QStringLiteral(": ") + closer.texts.join(u'|')));
                QVERIFY2(!w.project()->blockingReason().isEmpty(), qPrintable(how + QStringLiteral(": training would start")));
                QVERIFY(!w.controller()->train());
                message = w.reportText();
            }
            for (const auto &want : o[QStringLiteral("expect")].toArray())
                QVERIFY2(message.contains(want.toString()),
                    qPrintable(how + QStringLiteral(": '%1' lacks '%2'").arg(message, want.toString())));
            closer.texts.clear();
        };
        nym::ui::MainWindow w;
        w.show();
        for (const auto &c : cases) {
            const QJsonObject o = c.toObject();
            const QString file = o[QStringLiteral("file")].toString(), name = QFileInfo(file).fileName();
            // As main.cpp opens `nymstudio BAD GOOD`.
            w.controller()->addFiles({file}, Role::Training, true);
            w.controller()->addFiles({m_target}, Role::Target, true);
            check(w, o, name + QStringLiteral(" (command line)"));
            if (QTest::currentTestFailed())
                return;
            // Dropped with a good training file on a new window.
            nym::ui::MainWindow dw;
            dw.show();
            QMimeData mime;
            mime.setUrls({QUrl::fromLocalFile(m_train), QUrl::fromLocalFile(file)});
            QDragEnterEvent enter(QPoint(10, 10), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
            QApplication::sendEvent(&dw, &enter);
            QVERIFY2(enter.isAccepted(), qPrintable(name));
            QDropEvent drop(QPointF(10, 10), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
            QApplication::sendEvent(&dw, &drop);
            check(dw, o, name + QStringLiteral(" (dropped)"));
            if (QTest::currentTestFailed())
                return;
        }
        QVERIFY(unreadable >= 20 && unusable >= 4);
        // Still usable: a good pair opens and is ready to train.
        QSignalSpy loaded(w.controller(), &nym::ui::ProjectController::loaded);
        w.controller()->addFiles({m_train}, Role::Training, true);
        w.controller()->addFiles({m_target}, Role::Target, true);
        QTRY_VERIFY_WITH_TIMEOUT(loaded.size() >= 2 && !w.controller()->isBusy(), 60000);
        QVERIFY2(w.project()->blockingReason().isEmpty(), qPrintable(w.project()->blockingReason()));
        QCOMPARE(w.project()->data().targets.size(), std::size_t(1));
        QVERIFY(closer.texts.isEmpty());
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
        QVERIFY2(gaps.worst() < timeBound(100), qPrintable(QString::number(gaps.worst())));
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
            // Automatic patience (0) reads as such, in the box and in its tooltip; the weight average is a switch.
            auto *patience = qobject_cast<QSpinBox *>(p.knobWidget(QStringLiteral("patience")));
            QVERIFY(patience);
            QCOMPARE(patience->text(), QStringLiteral("automatic"));
            QVERIFY2(patience->toolTip().contains(QStringLiteral("scNym default automatic")), qPrintable(patience->toolTip()));
            QVERIFY(p.setKnob(QStringLiteral("patience"), 8));
            QCOMPARE(p.options().patience, 8);
            QCOMPARE(patience->text(), QStringLiteral("8"));
            QVERIFY(p.setKnob(QStringLiteral("patience"), 0));
            QVERIFY(p.knobWidget(QStringLiteral("weightAveraging")));
            QVERIFY(p.setKnob(QStringLiteral("weightAveraging"), 0));
            QVERIFY(!p.options().weightAveraging);
            QCOMPARE(p.presetText(), QStringLiteral("custom"));
            QVERIFY(p.setKnob(QStringLiteral("weightAveraging"), 1));
            QCOMPARE(p.presetText(), QStringLiteral("scnym-default"));
            auto *ramp = p.knobWidget(QStringLiteral("targetPartnerRamp"));
            QVERIFY(ramp);
            QVERIFY2(ramp->toolTip().contains(QStringLiteral("pseudolabels")), qPrintable(ramp->toolTip()));
            QVERIFY(p.setKnob(QStringLiteral("targetPartnerRamp"), 0));
            QVERIFY(!p.options().targetPartnerRamp);
            QCOMPARE(p.presetText(), QStringLiteral("custom"));
            QVERIFY(p.setKnob(QStringLiteral("targetPartnerRamp"), 1));
            QCOMPARE(p.presetText(), QStringLiteral("scnym-default"));
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
        {
            // Settings saved by a version before the target-partner ramp and weight averaging, on reference-exact:
            // the missing options come from that preset, which stays the one shown.
            QJsonObject older = QJsonDocument::fromJson(QByteArray::fromStdString(
                nym::trainOptionsToJson(nym::TrainOptions::fromPreset("reference-exact")))).object();
            older.remove(QStringLiteral("targetPartnerRamp"));
            older.remove(QStringLiteral("weightAveraging"));
            QSettings().setValue(QStringLiteral("training/preset"), QStringLiteral("reference-exact"));
            QSettings().setValue(QStringLiteral("training/options"),
                QString::fromUtf8(QJsonDocument(older).toJson(QJsonDocument::Compact)));
            nym::ui::Project earlier;
            nym::ui::ProjectSettings::attach(&earlier);
            nym::ui::TrainingPanel restored(&earlier);
            QVERIFY(!restored.options().targetPartnerRamp);
            QVERIFY(!restored.options().weightAveraging);
            QCOMPARE(restored.presetText(), QStringLiteral("reference-exact"));
            QSettings().remove(QStringLiteral("training/preset"));
        }
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
        QVERIFY2(summary.contains(QStringLiteral("linear member")), qPrintable(summary));   // how the labels were made
        // What labelling did about the target's class mix: corrected (with its largest estimated share), or a note
        // saying why not.
        const auto &labeling = *w.project()->labelings()[0];
        if (!labeling.composition.empty()) {
            const auto top = std::max_element(labeling.composition.begin(), labeling.composition.end())
                - labeling.composition.begin();
            QVERIFY2(summary.contains(QStringLiteral("corrected for the file's own class mix (estimated ")
                         + QString::fromStdString(labeling.predictions.classes[static_cast<std::size_t>(top)])),
                qPrintable(summary));
        } else {
            QVERIFY(!labeling.notes.empty());
            QVERIFY2(summary.contains(QString::fromStdString(labeling.notes.front())), qPrintable(summary));
        }
        // The calibration sentence names the temperature of each member that makes the labels.
        const double share = w.project()->model()->contents().linearShare;
        const QString tLinear = QString::number(w.project()->model()->contents().linearTemperature, 'f', 2);
        QVERIFY2(share <= 0 || summary.contains(QStringLiteral("linear member T = ") + tLinear)
                || summary.contains(QStringLiteral("linear member's T = ") + tLinear),
            qPrintable(summary));
        // The model is the mean of the weights from the first selectable epoch (2) to the last (6), shaded on the
        // accuracy curves.
        QVERIFY2(summary.contains(QStringLiteral("the mean of the weights of epochs 2–6 kept")), qPrintable(summary));
        QCOMPARE(w.curves()->averagedEpochsShown(), std::make_pair(1.0, 5.0));
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
        QVERIFY(lines.first().startsWith("cell,nym_label,nym_final_label"));
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
        QSignalSpy statuses(w.controller(), &nym::ui::ProjectController::statusChanged);
        w.controller()->stopTraining();
        QVERIFY(finished.wait(30000));
        qInfo("stop took %lld ms", static_cast<long long>(stopClock.elapsed()));
        // While the model is finished after the last step, the status bar says so.
        QStringList said;
        for (const auto &args : statuses)
            said << args.at(0).toString();
        QVERIFY2(said.size() >= 2 && said.at(0).startsWith(QStringLiteral("Stopping after this step"))
                && said.at(1).startsWith(QStringLiteral("Stopped; finishing the model")),
            qPrintable(said.join(QStringLiteral(" | "))));
        QTRY_VERIFY_WITH_TIMEOUT(!w.controller()->isBusy(), 60000);
        gaps.stop();
        // Training, stopping, handing over the model and labelling the target never stall the GUI.
        qInfo("largest event-loop gap while the window trains, stops and labels: %lld ms", static_cast<long long>(gaps.worst()));
        QVERIFY2(gaps.worst() < timeBound(100), qPrintable(QString::number(gaps.worst())));
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

    void mapViewSelectionAndHoverAgainstBruteForce()
    {
        // 20,000 points in clusters, the last 5,000 training cells (shown), some target cells hidden.
        nym::ui::CellMapView view;
        view.resize(800, 600);
        view.show();
        std::vector<float> xy;
        nym::Xoshiro256 rng(4);
        auto uniform = [&] { return static_cast<double>(rng.starStar() >> 11) * 0x1.0p-53; };
        for (int i = 0; i < 20000; ++i) {
            const double cx = (i % 7) * 3.0, cy = (i % 5) * 2.0;
            xy.push_back(static_cast<float>(cx + 2 * uniform()));
            xy.push_back(static_cast<float>(cy + 2 * uniform()));
        }
        const std::int64_t targets = 15000;
        view.setPoints(xy, targets);
        view.setShowTraining(true);
        std::vector<std::uint8_t> hidden(20000, 0);
        for (int i = 0; i < 20000; i += 13)
            hidden[static_cast<std::size_t>(i)] = 1;
        view.setColoring(std::vector<QRgb>(20000, 0xff3366aau), {}, hidden);
        auto visibleTarget = [&](std::int64_t i) { return i < targets && !hidden[static_cast<std::size_t>(i)]; };
        auto brute = [&](const QPolygonF &poly) {
            std::vector<std::int64_t> in;
            for (std::int64_t i = 0; i < targets; ++i)
                if (visibleTarget(i) && poly.containsPoint(QPointF(xy[2 * i], xy[2 * i + 1]), Qt::OddEvenFill))
                    in.push_back(i);
            return in;
        };
        // Random star polygons, including self-intersecting ones (even-odd rule), against the exact test.
        for (int round = 0; round < 6; ++round) {
            QPolygonF poly;
            const double cx = 2 + 16 * uniform(), cy = 1 + 8 * uniform();
            const int vertices = 5 + round * 17;
            for (int v = 0; v < vertices; ++v) {
                const double angle = (round % 2 ? 2.7 : 1.0) * 6.283185307 * v / vertices;
                const double r = 1 + 5 * uniform();
                poly << QPointF(cx + r * std::cos(angle), cy + r * std::sin(angle));
            }
            view.selectPolygon(poly, nym::CellSelection::Mode::Replace);
            QCOMPARE(view.selection().indices(), brute(poly));
        }
        // Shift adds a rectangle, Alt subtracts a polygon.
        QPolygonF tri;
        tri << QPointF(0, 0) << QPointF(12, 1) << QPointF(3, 9);
        view.selectPolygon(tri, nym::CellSelection::Mode::Replace);
        const QRectF box(5, 2, 6, 4);
        view.selectRect(box, nym::CellSelection::Mode::Add);
        std::set<std::int64_t> expected;
        for (auto i : brute(tri))
            expected.insert(i);
        for (std::int64_t i = 0; i < targets; ++i)
            if (visibleTarget(i) && box.contains(QPointF(xy[2 * i], xy[2 * i + 1])))
                expected.insert(i);
        QCOMPARE(view.selection().count(), static_cast<std::int64_t>(expected.size()));
        QPolygonF cut;
        cut << QPointF(6, 2) << QPointF(20, 2) << QPointF(20, 20) << QPointF(6, 20);
        view.selectPolygon(cut, nym::CellSelection::Mode::Subtract);
        for (auto i : brute(cut))
            expected.erase(i);
        QCOMPARE(view.selection().indices(), std::vector<std::int64_t>(expected.begin(), expected.end()));
        // Esc clears.
        QSignalSpy changed(&view, &nym::ui::CellMapView::selectionChanged);
        QTest::keyClick(&view, Qt::Key_Escape);
        QVERIFY(view.selection().empty());
        QCOMPARE(changed.size(), 1);
        // Hover: the nearest visible point within 6 pixels, as a brute-force search finds it.
        for (int q = 0; q < 300; ++q) {
            const QPointF at(800 * uniform(), 600 * uniform());
            const std::int64_t got = view.pointAt(at, 6.0);
            double best = INFINITY;
            bool bestTarget = false;
            for (std::int64_t i = 0; i < 20000; ++i) {
                if (hidden[static_cast<std::size_t>(i)])
                    continue;
                const double d = QLineF(view.toWidget(QPointF(xy[2 * i], xy[2 * i + 1])), at).length();
                if (d > 6.0 + 1e-9)
                    continue;
                const bool isTarget = i < targets;
                if ((isTarget && !bestTarget) || (isTarget == bestTarget && d < best)) {
                    best = d;
                    bestTarget = isTarget;
                }
            }
            if (!std::isfinite(best)) {
                QCOMPARE(got, std::int64_t(-1));
            } else {
                QVERIFY(got >= 0);
                QCOMPARE(got < targets, bestTarget);
                QVERIFY(std::abs(QLineF(view.toWidget(QPointF(xy[2 * got], xy[2 * got + 1])), at).length() - best) < 1e-3);
            }
        }
        // A click on a target cell selects it; Shift-click adds another.
        std::int64_t a = 0;
        while (!visibleTarget(a))
            ++a;
        view.resetView();
        QSignalSpy clicked(&view, &nym::ui::CellMapView::pointClicked);
        const QPoint pa = view.toWidget(QPointF(xy[2 * a], xy[2 * a + 1])).toPoint();
        QTest::mouseClick(&view, Qt::LeftButton, Qt::NoModifier, pa);
        QCOMPARE(clicked.size(), 1);
        QCOMPARE(view.selection().count(), std::int64_t(1));
        // Rendering covers the image: something other than white is drawn.
        const QImage image = view.renderPoints(QSize(400, 300));
        QCOMPARE(image.size(), QSize(400, 300));
        int coloured = 0;
        for (int y = 0; y < 300; ++y)
            for (int x = 0; x < 400; ++x)
                coloured += image.pixel(x, y) != 0xffffffffu;
        QVERIFY(coloured > 1000);
    }

    void mapBrowserColoursSelectsAndExports()
    {
        DialogCloser closer;
        nym::ui::MainWindow w;
        w.show();
        QSignalSpy loaded(w.controller(), &nym::ui::ProjectController::loaded);
        w.controller()->openFiles(m_train, m_target);
        QVERIFY(loaded.wait(60000));
        quickSettings(w.trainingPanel(), 2);
        QSignalSpy mapped(w.controller(), &nym::ui::ProjectController::mapped);
        QVERIFY(w.controller()->train());
        QVERIFY(mapped.wait(240000));   // trained, labelled, then mapped by itself
        const auto map = w.project()->cellMap();
        QVERIFY(map);
        const std::int64_t targets = w.project()->data().targets[0]->cells();
        QCOMPARE(map->target.size(), std::size_t(2 * targets));
        QCOMPARE(map->training.size(), std::size_t(2 * w.project()->data().training[0]->cells()));
        auto *page = w.browserPage();
        auto *view = page->view();
        QCOMPARE(view->targetCells(), targets);
        QCOMPARE(view->pointCount(), targets + w.project()->data().training[0]->cells());
        // Every entry of the list colours the map; categorical legends count every target cell.
        QStringList keys;
        for (int i = 0; i < page->colorBy()->count(); ++i)
            keys << page->colorBy()->itemData(i).toString();
        for (const QString &k : {QStringLiteral("predicted"), QStringLiteral("final"), QStringLiteral("confidence"),
                 QStringLiteral("file"), QStringLiteral("truth"), QStringLiteral("agreement")})
            QVERIFY2(keys.contains(k), qPrintable(k));
        for (const QString &k : std::as_const(keys)) {
            QVERIFY(page->setColorBy(k));
            QCOMPARE(page->colorKey(), k);
            if (page->legend()->isContinuous())
                continue;
            qint64 total = 0;
            for (const auto &e : page->legend()->entries())
                total += e.count;
            QVERIFY2(total == targets, qPrintable(k));
        }
        QVERIFY(page->setColorBy(QStringLiteral("confidence")));
        QVERIFY(page->legend()->isContinuous());
        QCOMPARE(*page->legend()->scale().marker, w.project()->threshold());
        // Predicted labels: legend counts match the predictions; hiding a class hides its cells.
        QVERIFY(page->setColorBy(QStringLiteral("predicted")));
        const auto &labels = w.project()->labelings()[0]->labels;
        const auto entries = page->legend()->entries();
        for (const auto &e : entries)
            QCOMPARE(e.count, static_cast<qint64>(std::count(labels.begin(), labels.end(), e.name.toStdString())));
        const QString hide = entries[0].name;
        page->legend()->setEntryVisible(0, false);
        view->selectRect(QRectF(-1e9, -1e9, 2e9, 2e9), nym::CellSelection::Mode::Replace);
        QCOMPARE(view->selection().count(), targets - entries[0].count);
        page->legend()->setEntryVisible(0, true);
        view->clearSelection();
        // A click on a legend entry hides its cells, another shows them again.
        w.tabs()->setCurrentWidget(page);
        auto *list = page->legend()->findChild<QListWidget *>(QStringLiteral("legendList"));
        QVERIFY(list);
        QTRY_VERIFY(list->isVisible());
        const QRect row = list->visualItemRect(list->item(1));
        QTest::mouseClick(list->viewport(), Qt::LeftButton, Qt::NoModifier, row.center());
        QVERIFY(!page->legend()->entries()[1].visible);
        view->selectRect(QRectF(-1e9, -1e9, 2e9, 2e9), nym::CellSelection::Mode::Replace);
        QCOMPARE(view->selection().count(), targets - entries[1].count);
        QTest::mouseClick(list->viewport(), Qt::LeftButton, Qt::NoModifier, row.center());
        QVERIFY(page->legend()->entries()[1].visible);
        // Double-clicking an entry selects its cells.
        Q_EMIT page->legend()->entryActivated(1);
        QCOMPARE(view->selection().count(), entries[1].count);
        for (std::int64_t i : view->selection().indices())
            QCOMPARE(QString::fromStdString(labels[static_cast<std::size_t>(i)]), entries[1].name);
        // A gene, typed in any case, computed off the GUI thread.
        const std::string gene = w.project()->data().targets[0]->geneNames[3];
        QSignalSpy applied(page, &nym::ui::BrowserPage::coloringApplied);
        QVERIFY(page->setColorBy(QStringLiteral("gene:") + QString::fromStdString(gene).toLower()));
        QTRY_VERIFY_WITH_TIMEOUT(!applied.isEmpty() && applied.last().first().toString() == QStringLiteral("gene:") + QString::fromStdString(gene), 30000);
        QVERIFY(page->legend()->isContinuous());
        QVERIFY(page->legend()->title().contains(QString::fromStdString(gene)));
        // Figures: PNG at the chosen width, SVG well-formed with the legend in it, PDF.
        QVERIFY(page->setColorBy(QStringLiteral("predicted")));
        QTemporaryDir dir;
        QCOMPARE(page->exportFigure(dir.filePath(QStringLiteral("map.png")), 1800), QString());
        QCOMPARE(QImageReader(dir.filePath(QStringLiteral("map.png"))).size().width(), 1800);
        QCOMPARE(page->exportFigure(dir.filePath(QStringLiteral("map.svg"))), QString());
        QFile svg(dir.filePath(QStringLiteral("map.svg")));
        QVERIFY(svg.open(QIODevice::ReadOnly));
        const QByteArray content = svg.readAll();
        QXmlStreamReader xml(content);
        while (!xml.atEnd())
            xml.readNext();
        QVERIFY2(!xml.hasError(), qPrintable(xml.errorString()));
        QVERIFY(content.contains(entries[0].name.toUtf8()));   // legend text is vector text
        QVERIFY(content.contains("<image"));                  // points are one raster image
        QCOMPARE(page->exportFigure(dir.filePath(QStringLiteral("map.pdf"))), QString());
        QFile pdf(dir.filePath(QStringLiteral("map.pdf")));
        QVERIFY(pdf.open(QIODevice::ReadOnly) && pdf.read(5) == "%PDF-");
        QVERIFY(!page->exportFigure(dir.filePath(QStringLiteral("map.bmpx"))).isEmpty());
        // The exported table carries the map's coordinates.
        const QString table = dir.filePath(QStringLiteral("cells.csv"));
        QVERIFY(w.controller()->exportTable(table));
        QTRY_VERIFY_WITH_TIMEOUT(!w.controller()->isBusy(), 30000);
        QFile csv(table);
        QVERIFY(csv.open(QIODevice::ReadOnly));
        QVERIFY(csv.readLine().trimmed().endsWith(",umap_1,umap_2"));
        // Relabel a selection from the map: one step on the Edit menu's undo, coloured at once.
        view->selectCells({0, 1, 2, 3}, nym::CellSelection::Mode::Replace);
        QCOMPARE(page->relabelSelection(QStringLiteral("Doublet")), std::int64_t(4));
        QCOMPARE(w.project()->annotations()[0].finalLabel(2), std::string("Doublet"));
        QCOMPARE(w.project()->annotations()[0].source(2), nym::LabelSource::Lasso);
        QVERIFY(page->setColorBy(QStringLiteral("final")));
        bool shown = false;
        for (const auto &e : page->legend()->entries())
            shown = shown || (e.name == QStringLiteral("Doublet") && e.count == 4);
        QVERIFY(shown);
        QAction *undo = nullptr;
        for (QAction *a : w.findChildren<QAction *>())
            if (a->shortcut() == QKeySequence(QKeySequence::Undo))
                undo = a;
        QVERIFY(undo && undo->isEnabled());
        undo->trigger();
        QVERIFY(w.project()->annotations()[0].finalLabel(2) != "Doublet");
        QVERIFY(!undo->isEnabled());
        // Filters: only cells predicted as one class, only unreviewed ones; accept marks cells reviewed.
        view->selectRect(QRectF(-1e9, -1e9, 2e9, 2e9), nym::CellSelection::Mode::Replace);
        const QString firstClass = QString::fromStdString(w.project()->model()->classes().front());
        const std::int64_t predictedFirst = std::count(labels.begin(), labels.end(), firstClass.toStdString());
        QCOMPARE(page->relabelSelection(QStringLiteral("Checked"), firstClass), predictedFirst);
        view->selectCells({5, 6}, nym::CellSelection::Mode::Replace);
        QVERIFY(page->acceptSelection() >= 1);
        QVERIFY(w.project()->annotations()[0].reviewed(5));
        view->selectRect(QRectF(-1e9, -1e9, 2e9, 2e9), nym::CellSelection::Mode::Replace);
        const std::int64_t unreviewed = targets - 2;
        QCOMPARE(page->relabelSelection(QStringLiteral("Later"), QString(), true), unreviewed);
        QCOMPARE(w.project()->annotations()[0].finalLabel(5), w.project()->annotations()[0].predictedLabel(5));
        // What an export takes from the browser: the selection (for a table of the selected cells) and the colours the
        // final-label colouring shows, for every name in use.
        {
            view->selectCells({7, 9, 11}, nym::CellSelection::Mode::Replace);
            const nym::ui::ExportChoices choices = w.mainActions()->exportChoices(true);
            QCOMPARE(choices.selection, (std::vector<std::int64_t> {7, 9, 11}));
            QVERIFY(choices.colors.count("Later") && choices.colors.count(firstClass.toStdString()));
            QVERIFY(w.mainActions()->exportChoices(false).selection.empty());
            page->setColorBy(QStringLiteral("final"));
            for (const auto &e : page->legend()->entries())
                QCOMPARE(QString::fromStdString(choices.colors.at(e.name.toStdString())), e.color.name());
            // The review commands are on the menus, enabled now that there are predictions.
            QStringList enabled;
            for (QAction *a : w.findChildren<QAction *>())
                if (a->isEnabled())
                    enabled << a->text();
            for (const char *text : {"&Save Project", "Export Annotated &h5ad…", "Retrain with My &Corrections",
                     "&Add a Label Name…", "Open &Project…"})
                QVERIFY2(enabled.contains(QString::fromUtf8(text)), text);
            QCOMPARE(w.mainActions()->retrainAction()->shortcut(), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_R));
        }
        // The review queue, one hand on the keys: Enter accepts and moves on, 1 takes the top class, U Unassigned,
        // K goes back; the map selects the current cell; each key is one undo step.
        auto *review = page->reviewPanel();
        page->sideTabs()->setCurrentWidget(review);
        review->thresholdSlider()->setValue(95);
        QVERIFY(review->model()->rowCount() >= 5);
        auto *queueTable = review->table();
        queueTable->setFocus();
        QTRY_VERIFY(queueTable->hasFocus());
        const auto annotationOf = [&](std::int64_t cell) -> const nym::Annotations & { (void)cell; return w.project()->annotations()[0]; };
        const std::int64_t first = review->currentCell();
        QCOMPARE(first, review->model()->cellAt(0));
        QCOMPARE(view->selection().indices(), std::vector<std::int64_t> {first});
        const int stepsBefore = w.project()->undoStack()->index();
        QTest::keyClick(queueTable, Qt::Key_Return);
        QCOMPARE(annotationOf(first).source(first), nym::LabelSource::Accepted);
        const std::int64_t second = review->currentCell();
        QCOMPARE(second, review->model()->cellAt(1));
        QTest::keyClick(queueTable, Qt::Key_1);
        const float *probs = annotationOf(second).probabilities(second);
        const auto &cls = annotationOf(second).classes();
        const auto top = std::max_element(probs, probs + cls.size()) - probs;
        QCOMPARE(annotationOf(second).finalLabel(second), cls[static_cast<std::size_t>(top)]);
        const std::int64_t third = review->currentCell();
        QTest::keyClick(queueTable, Qt::Key_U);
        QCOMPARE(annotationOf(third).finalLabel(third), std::string(nym::kUnassigned));
        QTest::keyClick(queueTable, Qt::Key_K);
        QCOMPARE(review->currentCell(), third);
        QTest::keyClick(queueTable, Qt::Key_J);
        QCOMPARE(w.project()->undoStack()->index(), stepsBefore + 3);
        QVERIFY(review->countsText().contains(QStringLiteral("reviewed")));
        // A cell clicked on the map becomes current in the queue.
        const std::int64_t fifth = review->model()->cellAt(4);
        view->resetView();
        Q_EMIT view->pointClicked(fifth);
        QCOMPARE(review->currentCell(), fifth);
        // The inspector follows: the cell's id, its probabilities sorted with the predicted class first.
        auto *inspector = page->inspector();
        QCOMPARE(inspector->cell(), fifth);
        const auto &bars = inspector->bars();
        QCOMPARE(bars.size(), annotationOf(fifth).classes().size());
        QCOMPARE(bars.front().first.toStdString(), annotationOf(fifth).predictedLabel(fifth));
        QVERIFY(std::is_sorted(bars.begin(), bars.end(), [](const auto &x, const auto &y) { return x.second > y.second; }));
        double total = 0;
        for (const auto &b : bars)
            total += b.second;
        QVERIFY(std::abs(total - 1.0) < 1e-4);
        QVERIFY(inspector->summaryText().contains(QString::fromStdString(w.project()->data().targets[0]->cellIds[static_cast<std::size_t>(fifth)])));
        // The linear member's own call, as a second opinion.
        // Its label is set in bold when it differs from the prediction, with a note that the opinions disagree.
        QVERIFY(annotationOf(fifth).hasSecondOpinion());
        QString plainSummary = inspector->summaryText();
        plainSummary.remove(QRegularExpression(QStringLiteral("<[^>]*>")));
        QVERIFY2(plainSummary.contains(QStringLiteral("linear model says ")
                     + QString::fromStdString(annotationOf(fifth).classes()[static_cast<std::size_t>(annotationOf(fifth).secondLabel(fifth))])),
            qPrintable(plainSummary));
        QCOMPARE(plainSummary.contains(QStringLiteral("disagrees")),
            annotationOf(fifth).secondLabel(fifth) != annotationOf(fifth).predicted(fifth));
        // The genes behind the call, computed in the background once the inspector is in view: top 20, largest
        // attribution first.
        QCOMPARE(inspector->genesTable()->rowCount(), 0);   // hidden so far: nothing computed for it
        page->sideTabs()->setCurrentWidget(inspector);
        QTRY_VERIFY_WITH_TIMEOUT(inspector->genesTable()->rowCount() == 20, 120000);
        auto attribution = [&](int row) { return QLocale().toDouble(inspector->genesTable()->item(row, 1)->text()); };
        for (int r = 1; r < 20; ++r)
            QVERIFY(attribution(r - 1) >= attribution(r));
        const int computed = inspector->saliency()->computedCount();
        inspector->showCell(-1);
        inspector->showCell(fifth);   // cached: answered without computing again
        QTRY_VERIFY(inspector->genesTable()->rowCount() == 20);
        QCOMPARE(inspector->saliency()->computedCount(), computed);
        // "Why this class and not the predicted one?": any class but the predicted (that one is cached).
        inspector->setExplainedClass(annotationOf(fifth).predicted(fifth) == 1 ? 0 : 1);
        QTRY_VERIFY_WITH_TIMEOUT(inspector->genesTable()->rowCount() == 20, 60000);
        QCOMPARE(inspector->saliency()->computedCount(), computed + 1);
        inspector->setExplainedClass(-1);
        // Going through many cells quickly never queues them all: at most the running one and the last.
        const int beforeScroll = inspector->saliency()->computedCount();
        for (int r = 6; r < 14; ++r)
            inspector->showCell(review->model()->cellAt(r));
        QTRY_VERIFY_WITH_TIMEOUT(!inspector->saliency()->isRunning() && inspector->genesTable()->rowCount() == 20, 60000);
        QVERIFY2(inspector->saliency()->computedCount() - beforeScroll <= 2,
            qPrintable(QString::number(inspector->saliency()->computedCount() - beforeScroll)));
        // Clicking a gene colours the map by it.
        const QString topGene = inspector->genesTable()->item(0, 0)->text();
        QSignalSpy recoloured(page, &nym::ui::BrowserPage::coloringApplied);
        Q_EMIT inspector->geneClicked(topGene);
        QTRY_VERIFY_WITH_TIMEOUT(page->colorKey() == QStringLiteral("gene:") + topGene && !recoloured.isEmpty(), 30000);
        // A class's markers, from the legend: the mean attributions over its cells.
        const QString someClass = QString::fromStdString(w.project()->model()->classes().back());
        QVERIFY(page->explainClass(someClass));
        QCOMPARE(inspector->shownClass(), static_cast<int>(w.project()->model()->classes().size()) - 1);
        QTRY_VERIFY_WITH_TIMEOUT(inspector->genesTable()->rowCount() == 20, 60000);
        QVERIFY(inspector->summaryText().contains(someClass));
        // The list as a table: what it explains, then the genes in the order shown.
        {
            QTemporaryDir genesDir;
            const QString csv = genesDir.filePath(QStringLiteral("genes.csv"));
            QVERIFY(inspector->hasGenes());
            QCOMPARE(inspector->exportGenes(csv), QString());
            QFile f(csv);
            QVERIFY(f.open(QIODevice::ReadOnly));
            const QList<QByteArray> lines = f.readAll().trimmed().split('\n');
            QCOMPARE(lines.size(), 21);
            QCOMPARE(lines[0], QByteArray("cell,explained_class,method,gene,attribution,expression_mean,class_mean,others_mean"));
            QVERIFY(lines[1].startsWith(",\"" + someClass.toUtf8() + "\",") || lines[1].startsWith("," + someClass.toUtf8() + ","));
            QCOMPARE(lines[1].split(',').value(3), inspector->genesTable()->item(0, 0)->text().toUtf8());
        }
        QVERIFY(!page->explainClass(QStringLiteral("no-such-class")));
        inspector->showCell(fifth);
        w.project()->unassignCells({fifth});   // an edit of the shown cell shows at once
        QVERIFY(inspector->summaryText().contains(QStringLiteral("final label <b>Unassigned</b> (relabelled")));
        w.project()->undoStack()->undo();
        QVERIFY(!inspector->summaryText().contains(QStringLiteral("final label <b>Unassigned</b> (relabelled")));
        w.project()->undoStack()->undo();
        QVERIFY(annotationOf(third).source(third) != nym::LabelSource::Relabelled);
        // Cancelling a map leaves no map and no dialog; computing it again brings it back.
        w.controller()->computeMap();
        QVERIFY(w.controller()->isMapping());
        w.controller()->cancelMap();
        QTRY_VERIFY_WITH_TIMEOUT(!w.controller()->isBusy(), 30000);
        QVERIFY(closer.texts.isEmpty());
        QVERIFY(w.project()->cellMap());   // the earlier map stays until new predictions replace it
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
            r.averaged = e >= 1;
            if (e <= 1)
                QVERIFY(std::isnan(curves.averagedEpochsShown().first));   // nothing averaged yet
            curves.addEpoch(r);
        }
        QCOMPARE(curves.epochsShown(), 3);
        QCOMPARE(curves.averagedEpochsShown(), std::make_pair(1.0, 2.0));
        curves.reset(3);
        QVERIFY(std::isnan(curves.averagedEpochsShown().second));
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
