// Tests of the document library (ui/document, ui/models, ui/workers) without any widget: Project as the single
// gate for edits with its signals, the settings it keeps, the per-class summary model, and the controller's jobs,
// including that the app and `nym predict` write byte-identical tables for the same predictions.
#include "common/fakelabeling.h"
#include "common/testsupport.h"

#include "core/common/error.h"
#include "core/data/simulator.h"
#include "core/io/h5adwriter.h"
#include "ui/document/editcommands.h"
#include "ui/document/project.h"
#include "ui/document/projectcontroller.h"
#include "ui/document/projectsettings.h"
#include "ui/document/recentfiles.h"
#include "ui/document/reviewjournal.h"
#include "ui/models/classsummarymodel.h"
#include "ui/models/reviewqueuemodel.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QUndoStack>

#include <map>
#include <numeric>
#include <tuple>


using namespace nym;
using nym::ui::Project;
using nymtest::fakeLabeling;

namespace {

Project::Data simulatedData(std::int64_t cells, unsigned seed)
{
    SimulatorOptions o;
    o.cells = cells;
    o.genes = 150;
    o.types = 3;
    o.seed = seed;
    auto sim = simulate(o);
    return Project::check({std::make_shared<const Dataset>(std::move(sim[0].data))},
        {std::make_shared<const Dataset>(std::move(sim[1].data))});
}

std::int64_t countBelow(const Project &p, double threshold)
{
    std::int64_t n = 0;
    for (const auto &l : p.labelings())
        for (std::size_t i = 0; i < l->labels.size(); ++i)
            n += l->noCounts[i] || l->predictions.confidence[i] < threshold;   // the rule, restated as an oracle
    return n;
}

// Runs the `nym` command line; true when it succeeded. Its stderr goes to `err` when given, else into a warning
// when it failed.
bool runNym(const QStringList &args, QByteArray *err = nullptr)
{
    QProcess p;
    p.start(QStringLiteral(NYM_CLI_PATH), args);
    const bool ok = p.waitForFinished(300000) && p.exitCode() == 0;
    const QByteArray stderrText = p.readAllStandardError();
    if (err)
        *err = stderrText;
    else if (!ok)
        qWarning("nym %s: %s", qPrintable(args.join(QLatin1Char(' '))), stderrText.constData());
    return ok;
}

QByteArray readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

}   // namespace

class TestDocument : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(nymtest::isolateSettings(m_settings, QStringLiteral("tst_document")));
    }

    void projectIsTheGateAndSaysWhatChanged()
    {
        Project p;
        QSignalSpy data(&p, &Project::dataChanged), mode(&p, &Project::domainModeChanged),
            options(&p, &Project::trainOptionsChanged), model(&p, &Project::modelChanged),
            labelings(&p, &Project::labelingsChanged), threshold(&p, &Project::thresholdChanged),
            annotations(&p, &Project::annotationsChanged), modified(&p, &Project::modifiedChanged);
        QVERIFY(p.undoStack() && p.undoStack()->count() == 0);
        QVERIFY(!p.isModified());
        QVERIFY(!p.blockingReason().isEmpty());

        p.setData(simulatedData(600, 1));
        QCOMPARE(data.size(), 1);
        QCOMPARE(p.data().labelColumn, QStringLiteral("cell_type"));
        QVERIFY(p.blockingReason().isEmpty());
        QCOMPARE(p.trainingSetOptions().domains, DomainSource::TrainingVsTarget);
        p.setDomainMode(Project::DomainMode::PerFile);
        QCOMPARE(mode.size(), 1);
        QCOMPARE(p.trainingSetOptions().domains, DomainSource::PerFile);
        QCOMPARE(*p.trainingSetOptions().labelColumn, std::string("cell_type"));
        p.setDomainMode(Project::DomainMode::PerFile);   // no change, no signal
        QCOMPARE(mode.size(), 1);
        // A domain column arrives with re-checked data and sets the mode.
        Project::Data withColumn = p.data();
        withColumn.domainColumn = QStringLiteral("domain");
        p.setData(withColumn);
        QCOMPARE(p.domainMode(), Project::DomainMode::Column);
        QCOMPARE(p.trainingSetOptions().domainColumn, std::string("domain"));
        QCOMPARE(mode.size(), 2);

        // Options: the project decides when the preset is "custom"; seed and threads are not the method.
        TrainOptions o = p.trainOptions();
        QCOMPARE(o.preset, std::string("scnym-default"));
        o.seed = 11;
        p.setTrainOptions(o);
        QCOMPARE(p.trainOptions().preset, std::string("scnym-default"));
        QCOMPARE(options.size(), 1);
        o.mixupAlpha = 0.9;
        p.setTrainOptions(o);
        QCOMPARE(p.trainOptions().preset, std::string("custom"));
        o.mixupAlpha = TrainOptions::fromPreset("scnym-default").mixupAlpha;
        p.setTrainOptions(o);
        QCOMPARE(p.trainOptions().preset, std::string("scnym-default"));
        p.applyPreset("supervised");
        QCOMPARE(p.basePreset(), std::string("supervised"));
        QVERIFY(!p.trainOptions().mixMatch);
        QCOMPARE(p.trainOptions().seed, std::uint64_t(11));
        QVERIFY_THROWS_EXCEPTION(Error, p.applyPreset("no-such-preset"));
        QCOMPARE(p.basePreset(), std::string("supervised"));

        // Predictions: annotations at the project's threshold, one per target file.
        const auto &target = *p.data().targets[0];
        const std::vector<std::string> classes {"TypeA", "TypeB", "TypeC"};
        p.setLabelings({fakeLabeling(target, classes, 3)});
        QCOMPARE(labelings.size(), 1);
        QCOMPARE(annotations.size(), 1);
        QVERIFY(p.isModified());
        QCOMPARE(modified.size(), 1);
        QCOMPARE(p.annotations().size(), std::size_t(1));
        QCOMPARE(p.annotations()[0].unassignedCount(), countBelow(p, 0.5));
        p.setThreshold(0.8);
        QCOMPARE(threshold.size(), 1);
        QCOMPARE(annotations.size(), 2);
        QCOMPARE(p.annotations()[0].threshold(), 0.8);
        QCOMPARE(p.annotations()[0].unassignedCount(), countBelow(p, 0.8));
        QVERIFY(countBelow(p, 0.8) > countBelow(p, 0.5));
        // A bad threshold is refused and changes nothing.
        QVERIFY_THROWS_EXCEPTION(Error, p.setThreshold(1.5));
        QVERIFY_THROWS_EXCEPTION(Error, p.setThreshold(std::nan("")));
        QCOMPARE(p.threshold(), 0.8);
        QCOMPARE(threshold.size(), 1);
        p.markExported();
        QVERIFY(!p.isModified());
        QCOMPARE(modified.size(), 2);

        // The same target files keep their predictions when the data is re-checked; other targets drop them.
        p.setData(p.data());
        QCOMPARE(p.labelings().size(), std::size_t(1));
        Project::Data other = simulatedData(600, 2);
        p.setData(other);
        QVERIFY(p.labelings().empty() && p.annotations().empty());
        QCOMPARE(labelings.size(), 2);
        QCOMPARE(p.domainMode(), Project::DomainMode::TrainingVsTarget);   // the column went with the data
        // A new model drops the predictions of the old one.
        p.setLabelings({fakeLabeling(*p.data().targets[0], classes, 4)});
        p.setModel(nullptr, std::nullopt, QStringLiteral("x.nym"));
        QCOMPARE(model.size(), 1);
        QVERIFY(p.labelings().empty());
        QCOMPARE(p.modelSource(), QStringLiteral("x.nym"));
    }

    void settingsKeepOptionsAndThreshold()
    {
        QSettings().clear();
        {
            Project p;
            ui::ProjectSettings::attach(&p);
            QCOMPARE(p.trainOptions().preset, std::string("scnym-default"));
            QCOMPARE(p.threshold(), 0.5);
            p.applyPreset("new-identity-discovery");
            TrainOptions o = p.trainOptions();
            o.epochs = 37;
            p.setTrainOptions(o);
            p.setThreshold(0.65);
        }
        Project again;
        ui::ProjectSettings::attach(&again);
        QCOMPARE(again.trainOptions().preset, std::string("custom"));
        QCOMPARE(again.basePreset(), std::string("new-identity-discovery"));
        QCOMPARE(again.trainOptions().epochs, 37);
        QCOMPARE(again.threshold(), 0.65);
        // Damaged settings fall back to the defaults.
        QSettings().setValue(QStringLiteral("training/options"), QStringLiteral("{not json"));
        QSettings().setValue(QStringLiteral("results/threshold"), 7.0);
        Project clean;
        ui::ProjectSettings::attach(&clean);
        QCOMPARE(clean.trainOptions().epochs, 100);
        QCOMPARE(clean.threshold(), 0.5);
        QSettings().clear();
    }

    void recentFilesNewestFirstAndBounded()
    {
        ui::RecentFiles::clear();
        for (int i = 0; i < 12; ++i)
            ui::RecentFiles::add(QStringLiteral("/d/f%1.h5ad").arg(i), QStringLiteral("target"));
        ui::RecentFiles::add(QStringLiteral("/d/f5.h5ad"), QStringLiteral("target"));
        const QStringList e = ui::RecentFiles::entries();
        QCOMPARE(e.size(), ui::RecentFiles::kMax);
        QCOMPARE(e.first(), QStringLiteral("target|/d/f5.h5ad"));
        QCOMPARE(e.count(QStringLiteral("target|/d/f5.h5ad")), 1);
        QCOMPARE(ui::RecentFiles::kind(e[1]), QStringLiteral("target"));
        QCOMPARE(ui::RecentFiles::path(e[1]), QStringLiteral("/d/f11.h5ad"));
        ui::RecentFiles::clear();
        QVERIFY(ui::RecentFiles::entries().isEmpty());
    }

    void classSummaryFollowsTheProject()
    {
        Project p;
        ui::ClassSummaryModel m(&p);
        QCOMPARE(m.rowCount(), 0);
        p.setData(simulatedData(900, 5));
        const std::vector<std::string> classes {"TypeA", "TypeB", "TypeC"};
        p.setLabelings({fakeLabeling(*p.data().targets[0], classes, 6)});
        QCOMPARE(m.rowCount(), 3);
        QCOMPARE(m.columnCount(), int(ui::ClassSummaryModel::ColumnCount));
        std::int64_t cells = 0, below = 0;
        double share = 0;
        for (int r = 0; r < m.rowCount(); ++r) {
            cells += m.index(r, ui::ClassSummaryModel::Cells).data(Qt::UserRole).toLongLong();
            below += m.index(r, ui::ClassSummaryModel::BelowThreshold).data(Qt::UserRole).toLongLong();
            share += m.index(r, ui::ClassSummaryModel::Share).data(Qt::UserRole).toDouble();
            // Oracle: the class's cells counted directly.
            const std::string name = m.index(r, 0).data().toString().toStdString();
            const auto &labels = p.labelings()[0]->labels;
            QCOMPARE(m.index(r, ui::ClassSummaryModel::Cells).data(Qt::UserRole).toLongLong(),
                qlonglong(std::count(labels.begin(), labels.end(), name)));
        }
        QCOMPARE(cells, p.data().targets[0]->cells());
        QCOMPARE(m.totals().cells, cells);
        QCOMPARE(below, countBelow(p, 0.5));
        QVERIFY(std::abs(share - 1) < 1e-9);
        // The target carries cell_type, so the agreement is known (random predictions: about a third).
        QVERIFY(!m.agreement());   // no model, nothing to score against
        QSignalSpy reset(&m, &QAbstractItemModel::modelReset);
        p.setThreshold(0.9);
        QCOMPARE(reset.size(), 1);
        QCOMPARE(m.totals().below, countBelow(p, 0.9));
    }

    void editsAreUndoableCommands()
    {
        // Two target files of 300 and 200 cells with hand-made predictions.
        Project p;
        p.setLabelings(nymtest::twoFakeTargets());
        QCOMPARE(p.targetCells(), std::int64_t(500));
        auto snapshot = [&] {
            std::vector<nym::Annotations::CellState> out;
            for (std::int64_t c = 0; c < p.targetCells(); ++c)
                out.push_back(p.cellState(c));
            return out;
        };
        const auto before = snapshot();
        QSignalSpy changed(&p, &Project::labelsChanged);
        // A lasso relabel across both files, with a new label name: one undo step; cells already so are left out.
        const std::vector<std::int64_t> lasso {3, 10, 299, 300, 450};
        QCOMPARE(p.relabelCells(lasso, "Plasma", nym::LabelSource::Lasso), std::int64_t(5));
        QCOMPARE(p.undoStack()->count(), 1);
        QCOMPARE(changed.size(), 1);
        QCOMPARE(changed.last().first().value<std::vector<std::int64_t>>(), lasso);
        QCOMPARE(p.annotations()[1].finalLabel(0), std::string("Plasma"));
        QCOMPARE(p.annotations()[0].source(299), nym::LabelSource::Lasso);
        QVERIFY(p.labelNames().contains(QStringLiteral("Plasma")));
        QCOMPARE(p.relabelCells(lasso, "Plasma", nym::LabelSource::Lasso), std::int64_t(0));   // nothing changes
        QCOMPARE(p.undoStack()->count(), 1);
        QVERIFY(p.undoStack()->text(0).contains(QStringLiteral("Plasma")));
        // Accept and Unassigned on other cells; each undoes to exactly the state before it.
        const auto afterLasso = snapshot();
        QCOMPARE(p.acceptCells({0, 1, 2}), std::int64_t(3));
        for (std::int64_t c : {0, 1, 2}) {
            QCOMPARE(p.annotations()[0].source(c), nym::LabelSource::Accepted);
            QVERIFY(p.annotations()[0].reviewed(c));
            QCOMPARE(p.annotations()[0].finalLabel(c), p.annotations()[0].predictedLabel(c));
        }
        const auto afterAccept = snapshot();
        QCOMPARE(p.unassignCells({400, 401}), std::int64_t(2));
        QCOMPARE(p.annotations()[1].finalLabel(100), std::string(nym::kUnassigned));
        p.undoStack()->undo();
        QVERIFY(snapshot() == afterAccept);
        p.undoStack()->undo();
        QVERIFY(snapshot() == afterLasso);
        p.undoStack()->undo();
        QVERIFY(snapshot() == before);
        p.undoStack()->redo();
        QVERIFY(snapshot() == afterLasso);
        p.undoStack()->redo();
        p.undoStack()->redo();
        QCOMPARE(p.annotations()[1].finalLabel(101), std::string(nym::kUnassigned));
        // Second thoughts on one cell within two seconds merge into one step.
        const int steps = p.undoStack()->count();
        p.relabelCells({7}, "T");
        p.relabelCells({7}, "Mono");
        QCOMPARE(p.undoStack()->count(), steps + 1);
        QCOMPARE(p.annotations()[0].finalLabel(7), std::string("Mono"));
        p.undoStack()->undo();
        QVERIFY(p.cellState(7) == afterAccept[7]);
        p.undoStack()->redo();
        // A threshold change re-applies the rule to model calls only: the accepted and relabelled cells stay. The
        // user's changes are undo steps; consecutive ones merge, and coming back to the start leaves no step.
        const int beforeThreshold = p.undoStack()->count();
        p.changeThreshold(0.7);
        p.changeThreshold(0.5);
        QCOMPARE(p.undoStack()->count(), beforeThreshold);
        p.changeThreshold(0.8);
        p.changeThreshold(0.99);
        QCOMPARE(p.undoStack()->count(), beforeThreshold + 1);
        QCOMPARE(p.threshold(), 0.99);
        p.undoStack()->undo();
        QCOMPARE(p.threshold(), 0.5);
        p.undoStack()->redo();
        QCOMPARE(p.annotations()[0].finalLabel(7), std::string("Mono"));
        QCOMPARE(p.annotations()[0].finalLabel(0), p.annotations()[0].predictedLabel(0));
        QVERIFY_THROWS_EXCEPTION(Error, p.relabelCells({500}, "B"));
        QVERIFY_THROWS_EXCEPTION(Error, p.relabelCells({1}, ""));
        // Rename a label (source, reviewed flag and time kept), then merge it into a class; each one undo step.
        const auto plasma = p.cellState(3);
        QCOMPARE(p.renameLabel("Plasma", "Plasma cell"), std::int64_t(5));
        QCOMPARE(p.annotations()[0].finalLabel(3), std::string("Plasma cell"));
        QCOMPARE(p.cellState(3).source, plasma.source);
        QCOMPARE(p.cellState(3).editTime, plasma.editTime);
        auto countB = [&] {
            const auto labels = p.annotations()[0].finalLabels();
            return static_cast<std::int64_t>(std::count(labels.begin(), labels.end(), "B"));
        };
        const std::int64_t bCells = countB();
        QCOMPARE(p.renameLabel("Plasma cell", "B"), std::int64_t(5));
        QVERIFY(p.undoStack()->text(p.undoStack()->index() - 1).startsWith(QStringLiteral("Merge")));
        QCOMPARE(countB(), bCells + 3);   // three of the five Plasma cells (3, 10, 299) are in the first file
        p.undoStack()->undo();
        p.undoStack()->undo();
        QCOMPARE(p.annotations()[0].finalLabel(3), std::string("Plasma"));
        QCOMPARE(p.renameLabel("nothing-has-this", "B"), std::int64_t(0));
        // New predictions clear the history: edits of earlier predictions cannot be undone onto new ones.
        p.setLabelings({nymtest::twoFakeTargets(3, 2).front()});
        QCOMPARE(p.undoStack()->count(), 0);
    }

    void lassoCommandMemoryFollowsTheChangedCells()
    {
        // A million cells: a command holds the changed cells and their old states (24 bytes each), nothing more.
        nym::Dataset big;
        big.matrix = nym::CellMatrix(1000000, 1);
        Project p;
        p.setLabelings({fakeLabeling(big, {"x", "y"}, 5)});
        std::vector<std::int64_t> some(1000), all(1000000);
        std::iota(some.begin(), some.end(), 5000);
        std::iota(all.begin(), all.end(), 0);
        QCOMPARE(p.relabelCells(some, "z", nym::LabelSource::Lasso), std::int64_t(1000));
        const auto *small = static_cast<const ui::SetCellLabels *>(p.undoStack()->command(0));
        QVERIFY2(small->memoryBytes() <= 1000 * 24 + 64, qPrintable(QString::number(small->memoryBytes())));
        QCOMPARE(p.relabelCells(all, "w", nym::LabelSource::Lasso), std::int64_t(1000000));
        const auto *large = static_cast<const ui::SetCellLabels *>(p.undoStack()->command(1));
        QVERIFY2(large->memoryBytes() <= 1000000 * 24 + 64, qPrintable(QString::number(large->memoryBytes())));
        p.undoStack()->undo();
        QVERIFY(p.annotations()[0].finalLabel(4999) != "w");   // back to the model's call
        QCOMPARE(p.annotations()[0].finalLabel(5000), std::string("z"));
    }

    void reviewQueueAgainstBruteForce()
    {
        nym::Dataset a, b;
        a.matrix = nym::CellMatrix(400, 1);
        b.matrix = nym::CellMatrix(250, 1);
        const std::vector<std::string> classes {"B", "T", "Mono", "NK"};
        Project p;
        p.setLabelings({fakeLabeling(a, classes, 7, {5, 9}), fakeLabeling(b, classes, 8)});
        ui::ReviewQueueModel q(&p);
        auto brute = [&](double t, const std::string &only, bool unreviewed, const nym::CellSelection *inside) {
            std::vector<std::pair<float, std::int64_t>> rows;
            std::int64_t start = 0;
            for (const auto &ann : p.annotations()) {
                for (std::int64_t i = 0; i < ann.cells(); ++i)
                    if ((ann.confidence(i) < t || ann.noCounts(i)) && (only.empty() || ann.predictedLabel(i) == only)
                        && (!unreviewed || !ann.reviewed(i)) && (!inside || inside->contains(start + i)))
                        rows.emplace_back(ann.confidence(i), start + i);
                start += ann.cells();
            }
            std::sort(rows.begin(), rows.end());
            std::vector<std::int64_t> cells;
            for (const auto &r : rows)
                cells.push_back(r.second);
            return cells;
        };
        auto rows = [&] {
            std::vector<std::int64_t> cells;
            for (int r = 0; r < q.rowCount(); ++r)
                cells.push_back(q.cellAt(r));
            return cells;
        };
        for (double t : {0.3, 0.5, 0.8}) {
            q.setThreshold(t);
            QCOMPARE(rows(), brute(t, "", false, nullptr));
            std::int64_t unassigned = 0;
            for (const auto &ann : p.annotations())
                for (std::int64_t i = 0; i < ann.cells(); ++i)
                    unassigned += nym::Annotations::isBelowThreshold(ann.confidence(i), ann.noCounts(i), t);
            QCOMPARE(q.wouldBeUnassigned(), unassigned);
        }
        // Lowest confidence first; the cells without counts (confidence 0) lead.
        QCOMPARE(q.cellAt(0), std::int64_t(5));
        q.setClassFilter(QStringLiteral("T"));
        QCOMPARE(rows(), brute(0.8, "T", false, nullptr));
        q.setClassFilter({});
        // Reviewed cells count as reviewed and drop out under "not yet reviewed" once the queue is rebuilt.
        const auto queue = rows();
        p.acceptCells({queue[0], queue[1], queue[2]});
        QCOMPARE(q.reviewedInQueue(), std::int64_t(3));
        QCOMPARE(q.rowCount(), static_cast<int>(queue.size()));   // nothing moves under the reviewer
        q.setUnreviewedOnly(true);
        QCOMPARE(rows(), brute(0.8, "", true, nullptr));
        nym::CellSelection inside(p.targetCells());
        for (std::int64_t c = 300; c < 500; ++c)
            inside.insert(c);
        q.setSelectionFilter(inside);
        QCOMPARE(rows(), brute(0.8, "", true, &inside));
        QCOMPARE(q.data(q.index(0, ui::ReviewQueueModel::Predicted)).toString().toStdString(),
            p.annotations()[q.cellAt(0) < 400 ? 0 : 1].predictedLabel(q.cellAt(0) < 400 ? q.cellAt(0) : q.cellAt(0) - 400));
    }

    void reviewSurvivesSigkill()
    {
        QTemporaryDir dir;
        QProcess child;
        child.start(QStringLiteral(NYM_REVIEW_CHILD), {dir.path()});
        QVERIFY(child.waitForStarted(10000));
        QByteArray out;
        QElapsedTimer clock;
        clock.start();
        while (!out.contains("done") && clock.elapsed() < 30000) {
            child.waitForReadyRead(1000);
            out += child.readAllStandardOutput();
        }
        QVERIFY2(out.contains("done 10"), out.constData());
        QTest::qWait(2500);   // the journal promises disk within a couple of seconds
        child.kill();         // SIGKILL: no destructor, no flush on exit
        QVERIFY(child.waitForFinished(10000));
        QCOMPARE(child.exitStatus(), QProcess::CrashExit);

        // The same targets and predictions in a new process (here): the journal is found and restored.
        Project p;
        p.setLabelings(nymtest::twoFakeTargets());
        const auto before = p.cellState(5);
        ui::ReviewJournal journal(&p, dir.path());
        const auto saved = journal.read();
        QCOMPARE(saved.error, QString());
        QCOMPARE(saved.cells.size(), std::size_t(12));
        QVERIFY(journal.restore());
        for (int k = 0; k < 10; ++k) {
            QCOMPARE(p.annotations()[0].finalLabel(k * 7), "X" + std::to_string(k));
            QCOMPARE(p.annotations()[0].source(k * 7), nym::LabelSource::Relabelled);
        }
        QCOMPARE(p.annotations()[0].source(100), nym::LabelSource::Accepted);
        QVERIFY(p.annotations()[0].reviewed(101));
        QVERIFY(p.cellState(5) == before);
        QCOMPARE(p.undoStack()->count(), 1);   // one step: Undo takes the restore back
        p.undoStack()->undo();
        QVERIFY(p.annotations()[0].finalLabel(7) != "X1");

        // A line cut short at the end (a crash mid-write) is ignored; damage elsewhere refuses the whole journal.
        QFile f(journal.path());
        QVERIFY(f.open(QIODevice::ReadWrite | QIODevice::Append));
        f.write("63 2 0 17000000");
        f.close();
        QCOMPARE(journal.read().cells.size(), std::size_t(12));
        QVERIFY(f.open(QIODevice::ReadOnly));
        QList<QByteArray> lines = f.readAll().split('\n');
        f.close();
        lines[3].replace("X2", "X9");   // same length, wrong CRC
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        f.write(lines.join('\n'));
        f.close();
        QString error;
        QVERIFY(!journal.restore(&error));
        QVERIFY2(error.contains(QStringLiteral("damaged at line 4")), qPrintable(error));
        // Other predictions never see this journal.
        Project other;
        other.setLabelings(nymtest::twoFakeTargets(3, 2));
        ui::ReviewJournal otherJournal(&other, dir.path());
        QVERIFY(otherJournal.path() != journal.path());
        QVERIFY(otherJournal.read().cells.empty());
    }

    void newPredictionsKeepTheReviewAsOneUndoStep()
    {
        Project p;
        p.setData(simulatedData(400, 21));
        const auto &target = *p.data().targets[0];
        const std::vector<std::string> classes {"TypeA", "TypeB", "TypeC"};
        p.setLabelings({fakeLabeling(target, classes, 3)});
        QCOMPARE(p.relabelCells({1, 2}, "Doublet", nym::LabelSource::Lasso), std::int64_t(2));
        QCOMPARE(p.acceptCells({5}), std::int64_t(1));
        QVERIFY(p.addLabelName(QStringLiteral("Platelet")));
        QVERIFY(!p.addLabelName(QStringLiteral("Platelet")));   // exists
        QVERIFY(!p.addLabelName(QStringLiteral("  ")));
        QVERIFY(p.labelNames().contains(QStringLiteral("Platelet")));
        const auto snapshot = [&] {
            std::vector<std::tuple<std::string, nym::LabelSource, bool, std::int64_t>> out;
            for (std::int64_t c = 0; c < p.targetCells(); ++c) {
                const auto s = p.cellState(c);
                out.emplace_back(p.annotations()[0].finalLabel(c), s.source, s.reviewed, s.editTime);
            }
            return out;
        };
        const auto before = snapshot();
        const auto oldModelLabelings = p.labelings();
        const int steps = p.undoStack()->count();

        // A new model's predictions (another seed): the review carries over, the rest follows the new model.
        Model::Contents c;
        c.genes = target.geneNames;
        c.classes = classes;
        c.weights.push_back({"w", {1}, {0.5f}});
        auto model = std::make_shared<const Model>(c);
        const auto next = fakeLabeling(target, classes, 9);
        QSignalSpy modelChanged(&p, &Project::modelChanged);
        QCOMPARE(p.applyModel(model, std::nullopt, QStringLiteral("new.nym"), {next}), std::int64_t(3));
        QCOMPARE(modelChanged.size(), 1);
        QCOMPARE(p.undoStack()->count(), steps + 1);
        QVERIFY(p.undoStack()->text(steps).contains(QStringLiteral("new.nym")));
        QCOMPARE(p.model(), model);
        QCOMPARE(p.labelings().front(), next);
        QCOMPARE(p.annotations()[0].finalLabel(1), std::string("Doublet"));
        QVERIFY(p.annotations()[0].source(1) == nym::LabelSource::Lasso);
        QVERIFY(p.annotations()[0].reviewed(5));
        const auto after = snapshot();
        QVERIFY(after != before);   // the model's calls changed with the new predictions
        // Undo: the old model, predictions and annotations exactly; redo: the new ones exactly.
        p.undoStack()->undo();
        QVERIFY(p.model() == nullptr);
        QCOMPARE(p.labelings(), oldModelLabelings);
        QVERIFY(snapshot() == before);
        p.undoStack()->redo();
        QCOMPARE(p.labelings().front(), next);
        QVERIFY(snapshot() == after);
        // Undo everything: every edit back to the model's first calls; the added name goes too.
        while (p.undoStack()->canUndo())
            p.undoStack()->undo();
        QVERIFY(!p.labelNames().contains(QStringLiteral("Platelet")));
        QCOMPARE(p.editedCells(), std::int64_t(0));

        // Other targets: no carrying over, the stack starts again.
        Project q;
        q.setData(simulatedData(200, 22));
        q.setLabelings({fakeLabeling(*q.data().targets[0], classes, 1)});
        q.relabelCells({0}, "TypeB");
        QCOMPARE(q.applyModel(model, std::nullopt, QStringLiteral("m"), {fakeLabeling(target, classes, 2)}), std::int64_t(0));
        QCOMPARE(q.undoStack()->count(), 0);
    }

    void projectSavedOpenedExportedAndAppliedHeadless()
    {
        // Real files, a real model (nym train), the app's controller: save a review as a project, open it in a
        // fresh window's document, export the annotated h5ad, read it with anndata, and apply the same project
        // headless with `nym review-apply`: the same labels.
        QTemporaryDir dir;
        SimulatorOptions o;
        o.cells = 900;
        o.genes = 200;
        o.types = 3;
        o.domains = 2;
        o.seed = 12;
        auto sim = simulate(o);
        const QString training = dir.filePath(QStringLiteral("train.h5ad")), target = dir.filePath(QStringLiteral("target.h5ad"));
        writeH5ad(sim[0].data, training.toStdString());
        writeH5ad(sim[1].data, target.toStdString());
        const QString model = dir.filePath(QStringLiteral("m.nym"));
        QVERIFY(runNym({QStringLiteral("train"), QStringLiteral("--train"), training, QStringLiteral("--target"), target,
            QStringLiteral("--label"), QStringLiteral("cell_type"), QStringLiteral("--epochs"), QStringLiteral("2"),
            QStringLiteral("--threads"), QStringLiteral("1"), QStringLiteral("--model"), model}));

        const QString projectPath = dir.filePath(QStringLiteral("review.nymproj"));
        std::vector<std::tuple<std::string, nym::LabelSource, bool, std::int64_t>> reviewed;
        {
            Project p;
            ui::ProjectController c(&p);
            c.setAutoMap(false);
            QSignalSpy labelled(&c, &ui::ProjectController::labelled), written(&c, &ui::ProjectController::written),
                failed(&c, &ui::ProjectController::error);
            c.openFiles(training, target);
            c.openModel(model);
            QVERIFY(labelled.wait(120000));
            p.changeThreshold(0.8);
            p.relabelCells({0, 1, 2}, "Doublet", nym::LabelSource::Lasso);
            p.acceptCells({10});
            p.relabelCells({11}, nym::kUnassigned);
            p.addLabelName(QStringLiteral("Platelet"));
            QVERIFY(c.saveProject(projectPath, {{"color_by", "final"}}));
            QVERIFY(written.wait(60000));
            QCOMPARE(failed.size(), 0);
            for (std::int64_t i = 0; i < p.targetCells(); ++i) {
                const auto s = p.cellState(i);
                reviewed.emplace_back(p.annotations()[0].finalLabel(i), s.source, s.reviewed, s.editTime);
            }
            // Never over an input file.
            QVERIFY(!c.saveProject(target));
        }

        Project p;
        ui::ProjectController c(&p);
        c.setAutoMap(false);
        QSignalSpy opened(&c, &ui::ProjectController::projectOpened), written(&c, &ui::ProjectController::written),
            failed(&c, &ui::ProjectController::error);
        c.openProject(projectPath);
        QVERIFY(opened.wait(120000));
        QCOMPARE(failed.size(), 0);
        using View = std::map<std::string, std::string>;
        QCOMPARE(opened.front().front().value<View>().at("color_by"), std::string("final"));
        QCOMPARE(p.threshold(), 0.8);
        QVERIFY(p.labelNames().contains(QStringLiteral("Platelet")));
        QCOMPARE(p.data().labelColumn, QStringLiteral("cell_type"));
        QVERIFY(p.undoStack()->isClean());
        for (std::int64_t i = 0; i < p.targetCells(); ++i) {
            const auto s = p.cellState(i);
            QVERIFY(reviewed[static_cast<std::size_t>(i)] == std::make_tuple(p.annotations()[0].finalLabel(i), s.source, s.reviewed, s.editTime));
        }

        // The annotated h5ad, read back with anndata.
        const QString out = dir.filePath(QStringLiteral("labelled.h5ad"));
        ui::ExportChoices choices;
        choices.colors = {{"Doublet", "#000000"}};
        QVERIFY(!c.exportH5ad(target, choices));   // never over the input
        QVERIFY(c.exportH5ad(out, choices));
        QVERIFY(written.wait(60000));
        const QJsonObject a = QJsonDocument::fromJson(nymtest::runPython(QStringLiteral("document/check_review.py"), {out})).object();
        QCOMPARE(a[QStringLiteral("n_obs")].toInt(), 450);
        QCOMPARE(a[QStringLiteral("final_dtype")].toString(), QStringLiteral("category"));
        QCOMPARE(a[QStringLiteral("reviewed_dtype")].toString(), QStringLiteral("bool"));
        const QJsonArray final = a[QStringLiteral("final")].toArray();
        for (int i = 0; i < 450; ++i)
            QCOMPARE(final[i].toString().toStdString(), p.annotations()[0].finalLabel(i));
        QCOMPARE(a[QStringLiteral("source")].toArray()[0].toString(), QStringLiteral("lasso"));
        QCOMPARE(a[QStringLiteral("source")].toArray()[10].toString(), QStringLiteral("accepted"));
        QVERIFY(a[QStringLiteral("reviewed")].toArray()[10].toBool());
        const QJsonArray cats = a[QStringLiteral("final_categories")].toArray();
        const QJsonArray colors = a[QStringLiteral("final_colors")].toArray();
        QCOMPARE(colors.size(), cats.size());
        QCOMPARE(colors[cats.toVariantList().indexOf(QStringLiteral("Doublet"))].toString(), QStringLiteral("#000000"));
        QCOMPARE(a[QStringLiteral("label_colors")].toArray().size(), a[QStringLiteral("label_categories")].toArray().size());
        const QJsonObject uns = a[QStringLiteral("uns_nym")].toObject();
        QCOMPARE(uns[QStringLiteral("threshold")].toString(), QStringLiteral("0.8"));
        QCOMPARE(uns[QStringLiteral("cells_edited")].toString(), QStringLiteral("5"));
        QVERIFY(uns[QStringLiteral("exported_by")].toString().startsWith(QStringLiteral("Nym Studio")));
        QCOMPARE(uns[QStringLiteral("model_checksum")].toString().size(), 8);
        QVERIFY(a[QStringLiteral("obsm")].toObject().contains(QStringLiteral("X_nym")));
        QVERIFY(a[QStringLiteral("x_nnz")].toInt() > 0);

        // The same project applied headless: the same final labels, sources and flags in the table.
        const QString appTable = dir.filePath(QStringLiteral("app.csv")), cliTable = dir.filePath(QStringLiteral("cli.csv"));
        QVERIFY(c.exportTable(appTable));
        QVERIFY(written.wait(60000));
        QByteArray err;
        QVERIFY2(runNym({QStringLiteral("review-apply"), QStringLiteral("--session"), projectPath, QStringLiteral("--input"), target,
                     QStringLiteral("--output"), dir.filePath(QStringLiteral("cli.h5ad")), QStringLiteral("--table"), cliTable}, &err),
            err.constData());
        QCOMPARE(readAll(cliTable), readAll(appTable));
        const QJsonObject b = QJsonDocument::fromJson(
            nymtest::runPython(QStringLiteral("document/check_review.py"), {dir.filePath(QStringLiteral("cli.h5ad"))})).object();
        QCOMPARE(b[QStringLiteral("final")].toArray(), final);
        QCOMPARE(b[QStringLiteral("reviewed")].toArray(), a[QStringLiteral("reviewed")].toArray());
        // Not a target of the project, or a target that changed: refused with a sentence.
        QVERIFY(!runNym({QStringLiteral("review-apply"), QStringLiteral("--session"), projectPath, QStringLiteral("--input"), training,
            QStringLiteral("--table"), dir.filePath(QStringLiteral("x.csv"))}, &err));
        QVERIFY2(err.contains("is not a target of"), err.constData());
        QFile::copy(target, dir.filePath(QStringLiteral("orig.h5ad")));
        {
            QFile f(target);
            QVERIFY(f.open(QIODevice::Append));
            f.write("changed");
        }
        QVERIFY(!runNym({QStringLiteral("review-apply"), QStringLiteral("--session"), projectPath, QStringLiteral("--input"), target,
            QStringLiteral("--table"), dir.filePath(QStringLiteral("y.csv"))}, &err));
        QVERIFY2(err.contains("has changed"), err.constData());
        QVERIFY(!QFile::exists(dir.filePath(QStringLiteral("y.csv"))));
        // Nor does the app open the project on the changed file.
        Project r;
        ui::ProjectController rc(&r);
        QSignalSpy rfailed(&rc, &ui::ProjectController::error);
        rc.openProject(projectPath);
        QVERIFY(rfailed.wait(60000));
        QVERIFY(rfailed.front().at(1).toString().contains(QStringLiteral("has changed")));
        QVERIFY(r.labelings().empty());
    }

    void retrainWithCorrectionsKeepsTheReviewAndNamesChangedCells()
    {
        Project p;
        p.setData(simulatedData(600, 31));
        TrainOptions o = TrainOptions::fromPreset("scnym-default");
        o.epochs = 2;
        o.threads = 1;
        p.setTrainOptions(o);
        ui::ProjectController c(&p);
        c.setAutoMap(false);
        QSignalSpy labelled(&c, &ui::ProjectController::labelled), changed(&c, &ui::ProjectController::retrainedChanged);
        QVERIFY(!c.train(true));   // no predictions, nothing reviewed yet
        QVERIFY(c.train());
        QVERIFY(labelled.wait(120000));
        QCOMPARE(changed.size(), 0);
        QVERIFY(!c.train(true));   // still nothing reviewed
        // A person relabels 20 cells as a new type and accepts 10.
        std::vector<std::int64_t> novel(20), accepted(10);
        std::iota(novel.begin(), novel.end(), 0);
        std::iota(accepted.begin(), accepted.end(), 100);
        p.relabelCells(novel, "Novel", nym::LabelSource::Lasso);
        p.acceptCells(accepted);
        const auto corrections = p.correctionsAsTraining();
        QCOMPARE(corrections.size(), std::size_t(1));
        QCOMPARE(corrections.front()->cells(), std::int64_t(30));
        std::vector<std::string> before;
        for (std::int64_t i = 0; i < p.targetCells(); ++i)
            before.push_back(p.annotations()[0].finalLabel(i));
        const auto firstModel = p.model();
        QVERIFY(c.train(true));
        QVERIFY(labelled.wait(120000));
        QCOMPARE(changed.size(), 1);
        QVERIFY(p.model() != firstModel);
        // The new model knows the new type; the review stands; the changed cells are exactly the unreviewed ones
        // whose label moved.
        const auto &classes = p.model()->classes();
        QVERIFY(std::find(classes.begin(), classes.end(), "Novel") != classes.end());
        for (std::int64_t cell : novel)
            QCOMPARE(p.annotations()[0].finalLabel(cell), std::string("Novel"));
        const auto cells = changed.front().front().value<std::vector<std::int64_t>>();
        std::vector<std::int64_t> expect;
        for (std::int64_t i = 0; i < p.targetCells(); ++i)
            if (p.annotations()[0].source(i) == nym::LabelSource::Model && !p.annotations()[0].reviewed(i)
                && p.annotations()[0].finalLabel(i) != before[static_cast<std::size_t>(i)])
                expect.push_back(i);
        QCOMPARE(cells, expect);
        QVERIFY(c.statusText().contains(QStringLiteral("changed label")));
        // One undo step back to the first model with the review as it was.
        p.undoStack()->undo();
        QCOMPARE(p.model(), firstModel);
        QCOMPARE(p.annotations()[0].finalLabel(0), std::string("Novel"));
    }

    void appAndCliWriteTheSameTable()
    {
        // Files on disk, a model trained by `nym train`, then the same targets labelled and exported by `nym predict`
        // and by the app's controller: the tables must be byte-identical (one export path in core).
        QTemporaryDir dir;
        SimulatorOptions o;
        o.cells = 1500;
        o.genes = 300;
        o.types = 3;
        o.domains = 3;
        o.seed = 8;
        auto sim = simulate(o);
        QStringList files;
        for (std::size_t i = 0; i < sim.size(); ++i) {
            files << dir.filePath(QStringLiteral("batch%1.h5ad").arg(i + 1));
            writeH5ad(sim[i].data, files.back().toStdString());
        }
        const QString model = dir.filePath(QStringLiteral("m.nym"));
        const auto nym = [](const QStringList &args) { return runNym(args); };
        QVERIFY(nym({QStringLiteral("train"), QStringLiteral("--train"), files[0], QStringLiteral("--target"), files[1],
            QStringLiteral("--label"), QStringLiteral("cell_type"), QStringLiteral("--epochs"), QStringLiteral("3"),
            QStringLiteral("--threads"), QStringLiteral("1"), QStringLiteral("--model"), model}));
        for (const QStringList &targets : {QStringList {files[1]}, QStringList {files[1], files[2]}}) {
            const QString cli = dir.filePath(QStringLiteral("cli%1.csv").arg(targets.size()));
            const QString app = dir.filePath(QStringLiteral("app%1.csv").arg(targets.size()));
            QVERIFY(nym(QStringList {QStringLiteral("predict"), QStringLiteral("--model"), model, QStringLiteral("--input")}
                + targets + QStringList {QStringLiteral("--table"), cli, QStringLiteral("--umap")}));

            Project project;
            ui::ProjectController c(&project);
            QSignalSpy labelled(&c, &ui::ProjectController::labelled), written(&c, &ui::ProjectController::written),
                failed(&c, &ui::ProjectController::error);
            c.addFiles(targets, ui::ProjectController::Role::Target, true);
            c.openModel(model);   // queued behind the targets; labels them once read
            QVERIFY(c.isBusy());
            QVERIFY(labelled.wait(120000));
            QCOMPARE(failed.size(), 0);
            QCOMPARE(project.labelings().size(), std::size_t(targets.size()));
            QVERIFY(project.isModified());
            // The app maps the labelled cells by itself; the table waits for the map and gains its coordinates,
            // the same as `nym predict --umap` (same embedding, seed and threads: the same layout).
            QVERIFY(c.exportTable(app));
            QVERIFY(written.wait(120000));
            QVERIFY(project.cellMap() != nullptr);
            QVERIFY(!project.isModified());   // written out
            const QByteArray a = readAll(app), b = readAll(cli);
            QVERIFY(a.size() > 1000);
            QVERIFY2(a == b, qPrintable(QStringLiteral("tables differ: %1 vs %2 bytes; app starts %3, nym starts %4")
                                            .arg(a.size()).arg(b.size())
                                            .arg(QString::fromUtf8(a.left(120)), QString::fromUtf8(b.left(120)))));
            QCOMPARE(a.startsWith("file,cell,"), targets.size() > 1);
            QVERIFY(a.left(a.indexOf('\n')).endsWith(",umap_1,umap_2"));
            // Never over an input file.
            QVERIFY(!c.exportTable(targets[0]));
            QCOMPARE(failed.size(), 1);
        }
    }

private:
    QTemporaryDir m_settings;
};

QTEST_GUILESS_MAIN(TestDocument)
#include "tst_document.moc"
