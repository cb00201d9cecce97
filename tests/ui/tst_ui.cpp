// Tests of the desktop window: the demo loads off the GUI thread and shows its preflight report; a damaged file
// gives a failure signal with the reason instead of a crash.
#include "common/testsupport.h"

#include "ui/widgets/mainwindow.h"

#include <QApplication>
#include <QMessageBox>
#include <QSignalSpy>
#include <QTemporaryDir>
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
};

QTEST_MAIN(TestUi)
#include "tst_ui.moc"
