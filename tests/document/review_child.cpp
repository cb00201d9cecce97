// A review in a child process for tst_document's crash test: the same hand-made predictions as the test, a
// ReviewJournal in the folder given, ten relabels and two accepts 100 ms apart, then "done" and an idle event loop
// until the test kills it (SIGKILL). usage: review_child JOURNAL_DIR
#include "common/fakelabeling.h"

#include "ui/document/project.h"
#include "ui/document/reviewjournal.h"

#include <QCoreApplication>
#include <QTimer>

#include <cstdio>

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    if (argc < 2)
        return 2;
    nym::ui::Project project;
    project.setLabelings(nymtest::twoFakeTargets());   // the same predictions as the test's
    nym::ui::ReviewJournal journal(&project, QString::fromLocal8Bit(argv[1]));
    int step = 0;
    QTimer timer;
    QObject::connect(&timer, &QTimer::timeout, [&] {
        if (step < 10)
            project.relabelCells({step * 7}, "X" + std::to_string(step));
        else if (step == 10)
            project.acceptCells({100, 101});
        std::printf(step < 10 ? "edit %d\n" : "done %d\n", step);
        std::fflush(stdout);
        if (++step > 10)
            timer.stop();
    });
    timer.start(100);
    return app.exec();
}
