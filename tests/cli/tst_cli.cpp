// Tests of the nym command line: run the real binary, check exit codes, stdout JSON and one-line errors.
#include "common/testsupport.h"

#include "core/io/datasetreader.h"
#include "core/data/reviewedcells.h"
#include "core/io/h5adwriter.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <algorithm>
#include <cmath>

namespace {

struct Result
{
    int code = -1;
    QByteArray out, err;
};

Result nymRun(const QStringList &args)
{
    QProcess p;
    p.start(QStringLiteral(NYM_CLI_PATH), args);
    Result r;
    if (!p.waitForFinished(300000)) {
        p.kill();
        return r;
    }
    r.code = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -2;
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    return r;
}

}   // namespace

class TestCli : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void versionAndHelp()
    {
        const auto v = nymRun({QStringLiteral("--version")});
        QCOMPARE(v.code, 0);
        QVERIFY(v.out.startsWith("nym " NYM_VERSION));
        const auto h = nymRun({QStringLiteral("--help")});
        QCOMPARE(h.code, 0);
        for (const char *cmd : {"inspect", "simulate", "convert", "train", "predict", "explain", "umap"}) {
            QVERIFY(h.out.contains(cmd));
            const auto sub = nymRun({QString::fromLatin1(cmd), QStringLiteral("--help")});
            QCOMPARE(sub.code, 0);
            QVERIFY(sub.out.contains("Usage") || sub.out.contains("usage") || sub.out.contains("OPTIONS"));
        }
        const auto bad = nymRun({QStringLiteral("frobnicate")});
        QVERIFY(bad.code != 0);
        QCOMPARE(bad.err.count('\n'), 1);
    }

    void inspectJson()
    {
        NYM_REQUIRE_SHARED();
        const auto r = nymRun({QStringLiteral("inspect"),
            nymtest::dataFile(QStringLiteral("kang_pbmc_ifnb1k/ctrl.h5ad")), QStringLiteral("--json")});
        QCOMPARE(r.code, 0);
        const QJsonObject j = QJsonDocument::fromJson(r.out).object();
        QCOMPARE(j[QStringLiteral("n_cells")].toInt(), 391);
        QCOMPARE(j[QStringLiteral("n_genes")].toInt(), 14053);
        QCOMPARE(j[QStringLiteral("value_type")].toString(), QStringLiteral("raw counts"));
        QCOMPARE(j[QStringLiteral("label_column")].toString(), QStringLiteral("cell_type"));
        QCOMPARE(j[QStringLiteral("classes")].toArray().size(), 6);
        QCOMPARE(j[QStringLiteral("classes")].toArray()[0].toObject()[QStringLiteral("name")].toString(),
            QStringLiteral("CD14 Mono"));
        QCOMPARE(j[QStringLiteral("classes")].toArray()[0].toObject()[QStringLiteral("cells")].toInt(), 151);
        QVERIFY(j[QStringLiteral("warnings")].isArray());
        QVERIFY(j[QStringLiteral("errors")].toArray().isEmpty());
    }

    void inspectPairAndOverlap()
    {
        NYM_REQUIRE_SHARED();
        const auto ok = nymRun({QStringLiteral("inspect"),
            nymtest::dataFile(QStringLiteral("pbmc_10x_chemistry_symphony/10x_3p_v2.h5ad")), QStringLiteral("--target"),
            nymtest::dataFile(QStringLiteral("pbmc_10x_chemistry_symphony/10x_5p.h5ad")), QStringLiteral("--json")});
        QCOMPARE(ok.code, 0);
        const QJsonObject j = QJsonDocument::fromJson(ok.out).object();
        QCOMPARE(j[QStringLiteral("overlap")].toObject()[QStringLiteral("shared_genes")].toInt(), 1767);
        QCOMPARE(j[QStringLiteral("target")].toObject()[QStringLiteral("n_cells")].toInt(), 430);
        // Symbols vs Ensembl ids: no overlap is an error, exit code 2, and the JSON says why.
        const auto none = nymRun({QStringLiteral("inspect"),
            nymtest::dataFile(QStringLiteral("kang_pbmc_ifnb1k/ctrl.h5ad")), QStringLiteral("--target"),
            nymtest::dataFile(QStringLiteral("mesc_scmerge/batch2.h5ad")), QStringLiteral("--json")});
        QCOMPARE(none.code, 2);
        const QJsonObject n = QJsonDocument::fromJson(none.out).object();
        QCOMPARE(n[QStringLiteral("overlap")].toObject()[QStringLiteral("shared_genes")].toInt(), 0);
        QVERIFY(n[QStringLiteral("errors")].toArray().first().toString().contains(QStringLiteral("share no gene")));
    }

    void errorsAreOneLine()
    {
        QTemporaryDir dir;
        const auto missing = nymRun({QStringLiteral("inspect"), dir.filePath(QStringLiteral("nope.h5ad"))});
        QCOMPARE(missing.code, 1);
        QCOMPARE(missing.err.count('\n'), 1);
        QVERIFY(missing.err.contains("nope.h5ad") && missing.err.contains("no such file"));
        const auto folder = nymRun({QStringLiteral("inspect"), dir.path()});
        QCOMPARE(folder.code, 1);
        QVERIFY(folder.err.contains("folder"));
    }

    void trainSettingsOutOfRangeAreNamed()
    {
        // A training setting out of range is refused with the setting named, before any training (given values are
        // never dropped in favour of the preset's).
        QTemporaryDir dir;
        const QString out = dir.filePath(QStringLiteral("sim"));
        QCOMPARE(nymRun({QStringLiteral("simulate"), QStringLiteral("--cells"), QStringLiteral("300"),
                     QStringLiteral("--genes"), QStringLiteral("200"), QStringLiteral("--types"), QStringLiteral("3"),
                     QStringLiteral("--out"), out})
                     .code,
            0);
        const QStringList files {QStringLiteral("--train"), out + QStringLiteral("/batch1.h5ad"), QStringLiteral("--target"),
            out + QStringLiteral("/batch2.h5ad")};
        const std::vector<std::pair<QStringList, const char *>> cases {
            {{QStringLiteral("--epochs"), QStringLiteral("0")}, "epochs must be 1 to 100000"},
            {{QStringLiteral("--batch"), QStringLiteral("1")}, "batch size must be 2"},
            {{QStringLiteral("--min-steps"), QStringLiteral("-3")}, "minimum steps per epoch"},
            {{QStringLiteral("--min-batch"), QStringLiteral("0")}, "smallest batch must be 2"},
            {{QStringLiteral("--patience"), QStringLiteral("-1")}, "patience must be 0"},
            {{QStringLiteral("--learning-rate"), QStringLiteral("-1")}, "learning rate must be positive"},
            {{QStringLiteral("--learning-rate"), QStringLiteral("nan")}, "learning rate must be positive"},
            {{QStringLiteral("--linear-share"), QStringLiteral("2")}, "linear share"},
            {{QStringLiteral("--threshold"), QStringLiteral("-1")}, "confidence threshold must be a number from 0 to 1"},
        };
        for (const auto &[args, message] : cases) {
            const auto r = nymRun(QStringList {QStringLiteral("train")} + files + args);
            QCOMPARE(r.code, 1);
            QCOMPARE(r.err.count('\n'), 1);
            QVERIFY2(r.err.contains(message), r.err.constData());
            QVERIFY(!r.out.contains("trained") && !r.err.contains("trained"));   // refused before training
        }
    }

    void simulateThenInspect()
    {
        QTemporaryDir dir;
        const QString out = dir.filePath(QStringLiteral("sim"));
        const auto r = nymRun(
            {QStringLiteral("simulate"), QStringLiteral("--cells"), QStringLiteral("400"), QStringLiteral("--genes"),
                QStringLiteral("300"), QStringLiteral("--types"), QStringLiteral("4"), QStringLiteral("--domains"),
                QStringLiteral("2"), QStringLiteral("--seed"), QStringLiteral("3"), QStringLiteral("--out"), out});
        QCOMPARE(r.code, 0);
        QVERIFY(
            QFile::exists(out + QStringLiteral("/batch1.h5ad")) && QFile::exists(out + QStringLiteral("/batch2.h5ad")));
        const auto j = nymRun({QStringLiteral("inspect"), out + QStringLiteral("/batch1.h5ad"),
            QStringLiteral("--target"), out + QStringLiteral("/batch2.h5ad"), QStringLiteral("--json")});
        QCOMPARE(j.code, 0);
        const QJsonObject o = QJsonDocument::fromJson(j.out).object();
        QCOMPARE(o[QStringLiteral("n_cells")].toInt()
                + o[QStringLiteral("target")].toObject()[QStringLiteral("n_cells")].toInt(),
            400);
        QCOMPARE(o[QStringLiteral("classes")].toArray().size(), 4);
        QCOMPARE(o[QStringLiteral("overlap")].toObject()[QStringLiteral("shared_genes")].toInt(), 300);
        // Existing outputs are not replaced without --force; same seed gives the same bytes of data.
        const QByteArray first = [&] {
            const auto ds = nym::readDataset(nymtest::s(out + QStringLiteral("/batch1.h5ad")));
            return QByteArray(
                reinterpret_cast<const char *>(ds.matrix.values().data()), static_cast<int>(ds.matrix.nnz() * 4));
        }();
        const auto again = nymRun({QStringLiteral("simulate"), QStringLiteral("--cells"), QStringLiteral("400"),
            QStringLiteral("--genes"), QStringLiteral("300"), QStringLiteral("--types"), QStringLiteral("4"),
            QStringLiteral("--seed"), QStringLiteral("3"), QStringLiteral("--out"), out});
        QCOMPARE(again.code, 1);
        QVERIFY(again.err.contains("--force"));
        const auto forced = nymRun({QStringLiteral("simulate"), QStringLiteral("--cells"), QStringLiteral("400"),
            QStringLiteral("--genes"), QStringLiteral("300"), QStringLiteral("--types"), QStringLiteral("4"),
            QStringLiteral("--seed"), QStringLiteral("3"), QStringLiteral("--out"), out, QStringLiteral("--force")});
        QCOMPARE(forced.code, 0);
        const auto ds = nym::readDataset(nymtest::s(out + QStringLiteral("/batch1.h5ad")));
        QCOMPARE(QByteArray(
                     reinterpret_cast<const char *>(ds.matrix.values().data()), static_cast<int>(ds.matrix.nnz() * 4)),
            first);
    }

    void convertTenx()
    {
        NYM_REQUIRE_SHARED();
        QTemporaryDir dir;
        const QString in = nymtest::fixture(QStringLiteral("tenx_v3_filtered_feature_bc_matrix.h5"));
        const QString out = dir.filePath(QStringLiteral("pbmc.h5ad"));
        const auto r = nymRun({QStringLiteral("convert"), in, out});
        QCOMPARE(r.code, 0);
        const auto a = nym::readDataset(nymtest::s(in));
        const auto b = nym::readDataset(nymtest::s(out));
        QCOMPARE(b.cells(), a.cells());
        QCOMPARE(b.genes(), a.genes());
        QCOMPARE(b.geneNames, a.geneNames);
        QVERIFY(std::equal(
            a.matrix.values().begin(), a.matrix.values().end(), b.matrix.values().begin(), b.matrix.values().end()));
        // anndata reads it.
        QVERIFY(!nymtest::runPython(QStringLiteral("io/oracle.py"), {QStringLiteral("h5ad"), out}).isEmpty());
        // Does not replace an existing file; several genomes need a choice.
        QCOMPARE(nymRun({QStringLiteral("convert"), in, out}).code, 1);
        const auto multi = nymRun({QStringLiteral("convert"),
            nymtest::fixture(QStringLiteral("tenx_v2_multiple_genomes.h5")), dir.filePath(QStringLiteral("m.h5ad"))});
        QCOMPARE(multi.code, 1);
        QVERIFY(multi.err.contains("--genome"));
        QCOMPARE(nymRun({QStringLiteral("convert"), nymtest::fixture(QStringLiteral("tenx_v2_multiple_genomes.h5")),
                            dir.filePath(QStringLiteral("m.h5ad")), QStringLiteral("--genome"),
                            QStringLiteral("hg19_chr21")})
                     .code,
            0);
    }

    void umapCommand()
    {
        QTemporaryDir dir;
        const QString sim = dir.filePath(QStringLiteral("sim"));
        QCOMPARE(nymRun({QStringLiteral("simulate"), QStringLiteral("--cells"), QStringLiteral("500"), QStringLiteral("--genes"),
                     QStringLiteral("200"), QStringLiteral("--types"), QStringLiteral("3"), QStringLiteral("--seed"),
                     QStringLiteral("2"), QStringLiteral("--out"), sim}).code, 0);
        const QString train = sim + QStringLiteral("/batch1.h5ad"), target = sim + QStringLiteral("/batch2.h5ad");
        const QString model = dir.filePath(QStringLiteral("m.nym"));
        const auto t = nymRun({QStringLiteral("train"), QStringLiteral("--train"), train, QStringLiteral("--target"), target,
            QStringLiteral("--label"), QStringLiteral("cell_type"), QStringLiteral("--epochs"), QStringLiteral("2"),
            QStringLiteral("--threads"), QStringLiteral("1"), QStringLiteral("--model"), model});
        QVERIFY2(t.code == 0, t.err.constData());
        auto path = [&](const char *name) { return dir.filePath(QString::fromLatin1(name)); };
        // Training and target embedded by the model and laid out in one map: one output per input.
        const QStringList joint {QStringLiteral("umap"), QStringLiteral("--model"), model, QStringLiteral("--input"), train,
            QStringLiteral("--input"), target, QStringLiteral("--seed"), QStringLiteral("3"), QStringLiteral("--threads"),
            QStringLiteral("2"), QStringLiteral("--epochs"), QStringLiteral("50")};
        const auto u = nymRun(joint + QStringList {QStringLiteral("--output"), path("a.h5ad"), QStringLiteral("--output"), path("b.h5ad")});
        QVERIFY2(u.code == 0, u.err.constData());
        QVERIFY(u.out.contains("UMAP of"));
        const auto a = nym::readDataset(nymtest::s(path("a.h5ad"))), b = nym::readDataset(nymtest::s(path("b.h5ad")));
        for (const auto *d : {&a, &b}) {
            const nym::DenseArray *m = d->findObsm("X_umap");
            QVERIFY(m && m->cols == 2 && m->rows == d->cells());
            QVERIFY(std::all_of(m->values.begin(), m->values.end(), [](float v) { return std::isfinite(v); }));
            QVERIFY(d->findObsm("X_nym") && d->findObsm("X_nym")->cols == 256);
            QVERIFY(d->findObs("cell_type"));   // everything else carried through
        }
        // The same seed and threads give the same map.
        const auto again = nymRun(joint + QStringList {QStringLiteral("--output"), path("a2.h5ad"), QStringLiteral("--output"), path("b2.h5ad")});
        QVERIFY2(again.code == 0, again.err.constData());
        QCOMPARE(nym::readDataset(nymtest::s(path("b2.h5ad"))).findObsm("X_umap")->values, b.findObsm("X_umap")->values);
        // Any obsm matrix: lay out the written X_nym of one file.
        const auto o = nymRun({QStringLiteral("umap"), QStringLiteral("--input"), path("b.h5ad"), QStringLiteral("--obsm"),
            QStringLiteral("X_nym"), QStringLiteral("--output"), path("c.h5ad")});
        QVERIFY2(o.code == 0, o.err.constData());
        // Errors, one line each: no embedding, outputs that do not match the inputs, existing output, NaN.
        const auto none = nymRun({QStringLiteral("umap"), QStringLiteral("--input"), target, QStringLiteral("--output"), path("d.h5ad")});
        QCOMPARE(none.code, 1);
        QCOMPARE(none.err.count('\n'), 1);
        QVERIFY(none.err.contains("obsm/X_nym"));
        const auto count = nymRun({QStringLiteral("umap"), QStringLiteral("--input"), train, QStringLiteral("--input"), target,
            QStringLiteral("--model"), model, QStringLiteral("--output"), path("e.h5ad")});
        QCOMPARE(count.code, 1);
        QVERIFY(count.err.contains("one --output per --input"));
        const auto exists = nymRun({QStringLiteral("umap"), QStringLiteral("--input"), path("b.h5ad"), QStringLiteral("--output"), path("c.h5ad")});
        QCOMPARE(exists.code, 1);
        QVERIFY(!QFile::exists(path("d.h5ad")) && !QFile::exists(path("e.h5ad")));
        nym::Dataset bad = nym::readDataset(nymtest::s(target));
        nym::DenseArray emb {"X_bad", bad.cells(), 4, std::vector<float>(static_cast<std::size_t>(bad.cells() * 4), 1.0f)};
        emb.values[9] = NAN;
        bad.obsm.push_back(emb);
        nym::writeH5ad(bad, nymtest::s(path("bad.h5ad")));
        const auto nan = nymRun({QStringLiteral("umap"), QStringLiteral("--input"), path("bad.h5ad"), QStringLiteral("--obsm"),
            QStringLiteral("X_bad"), QStringLiteral("--output"), path("f.h5ad")});
        QCOMPARE(nan.code, 1);
        QVERIFY2(nan.err.contains("cell 3, dimension 2 is NaN"), nan.err.constData());
        // predict --umap: the map in the annotated copy and the table's last two columns.
        const auto p = nymRun({QStringLiteral("predict"), QStringLiteral("--model"), model, QStringLiteral("--input"), target,
            QStringLiteral("--umap"), QStringLiteral("--output"), path("p.h5ad"), QStringLiteral("--table"), path("p.csv")});
        QVERIFY2(p.code == 0, p.err.constData());
        QVERIFY(nym::readDataset(nymtest::s(path("p.h5ad"))).findObsm("X_umap"));
        QFile csv(path("p.csv"));
        QVERIFY(csv.open(QIODevice::ReadOnly));
        QVERIFY(csv.readLine().trimmed().endsWith(",umap_1,umap_2"));
    }

    void trainPredictExplain()
    {
        QTemporaryDir dir;
        const QString sim = dir.filePath(QStringLiteral("sim"));
        QCOMPARE(nymRun({QStringLiteral("simulate"), QStringLiteral("--cells"), QStringLiteral("600"),
                             QStringLiteral("--genes"), QStringLiteral("300"), QStringLiteral("--types"),
                             QStringLiteral("3"), QStringLiteral("--seed"), QStringLiteral("4"), QStringLiteral("--out"),
                             sim})
                     .code,
            0);
        const QString train = sim + QStringLiteral("/batch1.h5ad"), target = dir.filePath(QStringLiteral("shifted.h5ad"));
        {
            // The target: batch 2 with four in five cells of its first cell's type left out, so its class mix
            // differs from the training file's and the correction for it has something to find.
            const auto full = nym::readDataset(nymtest::s(sim + QStringLiteral("/batch2.h5ad")));
            const nym::ObsColumn *types = full.findObs("cell_type");
            QVERIFY(types);
            std::vector<std::int64_t> keep;
            for (std::int64_t i = 0; i < full.cells(); ++i)
                if (types->text(i) != types->text(0) || i % 5 == 0)
                    keep.push_back(i);
            QVERIFY(keep.size() < static_cast<std::size_t>(full.cells()) * 9 / 10);
            nym::writeH5ad(nym::subsetCells(full, keep), nymtest::s(target));
        }
        const QString model = dir.filePath(QStringLiteral("m.nym")), out = dir.filePath(QStringLiteral("out.h5ad"));
        const QString table = dir.filePath(QStringLiteral("cells.csv")), report = dir.filePath(QStringLiteral("r.json"));
        const QStringList trainArgs {QStringLiteral("train"), QStringLiteral("--train"), train, QStringLiteral("--target"),
            target, QStringLiteral("--label"), QStringLiteral("cell_type"), QStringLiteral("--truth"),
            QStringLiteral("cell_type"), QStringLiteral("--epochs"), QStringLiteral("4"), QStringLiteral("--batch"),
            QStringLiteral("64"), QStringLiteral("--threads"), QStringLiteral("1"), QStringLiteral("--model"), model,
            QStringLiteral("--prior-correction"), QStringLiteral("--output"), out, QStringLiteral("--table"), table, QStringLiteral("--report"), report};
        const auto t = nymRun(trainArgs);
        QVERIFY2(t.code == 0, t.err.constData());
        QFile rf(report);
        QVERIFY(rf.open(QIODevice::ReadOnly));
        const QJsonObject j = QJsonDocument::fromJson(rf.readAll()).object();
        for (const char *key : {"epochs", "steps", "batch_size", "train_seconds", "seconds_per_epoch", "seconds_per_step",
                 "heldout_accuracy", "n_train_cells", "n_target_cells", "n_genes", "target_accuracy",
                 "target_balanced_accuracy", "target_kappa", "target_macro_f1", "target_ece"})
            QVERIFY2(j.contains(QLatin1String(key)), key);
        QCOMPARE(j[QStringLiteral("epochs")].toInt(), 4);
        QCOMPARE(j[QStringLiteral("n_genes")].toInt(), 300);
        QCOMPARE(j[QStringLiteral("batch_size")].toInt(), 64);
        QVERIFY(j[QStringLiteral("target_accuracy")].toDouble() > 0.9);
        QCOMPARE(j[QStringLiteral("history")].toArray().size(), 4);

        // The annotated copy: our reader and anndata both see the added elements; X is carried through.
        const auto annotated = nym::readDataset(nymtest::s(out));
        QVERIFY(annotated.findObs("nym_label") && annotated.findObs("nym_confidence")
            && annotated.findObs("nym_final_label"));
        QVERIFY(annotated.findObsm("X_nym") && annotated.findObsm("X_nym")->cols == 256);
        const auto original = nym::readDataset(nymtest::s(target));
        QCOMPARE(annotated.matrix.nnz(), original.matrix.nnz());
        const QJsonObject a = QJsonDocument::fromJson(
            nymtest::runPython(QStringLiteral("cli/check_labelled.py"), {out})).object();
        QCOMPARE(a[QStringLiteral("n_obs")].toInt(), static_cast<int>(original.cells()));
        QCOMPARE(a[QStringLiteral("label_dtype")].toString(), QStringLiteral("category"));
        QVERIFY(a[QStringLiteral("confidence_max")].toDouble() <= 1.0);
        QCOMPARE(a[QStringLiteral("obsm")].toObject()[QStringLiteral("X_nym")].toArray()[1].toInt(), 256);
        QVERIFY(a[QStringLiteral("uns_nym")].toArray().contains(QStringLiteral("preset")));
        QFile tf(table);
        QVERIFY(tf.open(QIODevice::ReadOnly));
        const QList<QByteArray> lines = tf.readAll().split('\n');
        QVERIFY(lines[0].startsWith("cell,nym_label,nym_final_label,nym_confidence,true_label,p_"));
        QCOMPARE(lines.size() - 2, static_cast<int>(original.cells()));   // header + trailing newline

        // Existing outputs stop the run before training, with one line.
        const auto again = nymRun(trainArgs);
        QCOMPARE(again.code, 1);
        QCOMPARE(again.err.count('\n'), 1);

        // predict with the saved model reproduces the labels; explain ranks marker genes.
        const QString report2 = dir.filePath(QStringLiteral("p.json"));
        const auto p = nymRun({QStringLiteral("predict"), QStringLiteral("--model"), model, QStringLiteral("--input"),
            target, QStringLiteral("--truth"), QStringLiteral("cell_type"), QStringLiteral("--report"), report2});
        QVERIFY2(p.code == 0, p.err.constData());
        QFile pf(report2);
        QVERIFY(pf.open(QIODevice::ReadOnly));
        const QJsonObject pj = QJsonDocument::fromJson(pf.readAll()).object();
        QCOMPARE(pj[QStringLiteral("target_accuracy")].toDouble(), j[QStringLiteral("target_accuracy")].toDouble());
        // The target's class mix, estimated for the prior correction: one share per class, summing to 1, each
        // close to the true share.
        QVERIFY(j[QStringLiteral("prior_correction")].toBool());
        const QJsonObject mix = j[QStringLiteral("estimated_composition")].toObject().begin()->toObject();
        QCOMPARE(mix.size(), 3);
        double total = 0;
        const nym::ObsColumn *truthCol = original.findObs("cell_type");
        QVERIFY(truthCol);
        for (auto it = mix.begin(); it != mix.end(); ++it) {
            std::int64_t n = 0;
            for (std::int64_t i = 0; i < original.cells(); ++i)
                n += truthCol->text(i) == it.key().toStdString();
            const double share = static_cast<double>(n) / static_cast<double>(original.cells());
            QVERIFY2(std::abs(it.value().toDouble() - share) < 0.03,
                qPrintable(QStringLiteral("%1: %2 vs %3").arg(it.key()).arg(it.value().toDouble()).arg(share)));
            total += it.value().toDouble();
        }
        QVERIFY(std::abs(total - 1) < 1e-6);
        QCOMPARE(pj[QStringLiteral("estimated_composition")], j[QStringLiteral("estimated_composition")]);
        // --no-prior-correction: no estimate, and the raw probabilities (they differ from the corrected ones).
        const QString rawTable = dir.filePath(QStringLiteral("raw.csv")), report3 = dir.filePath(QStringLiteral("q.json"));
        const auto raw = nymRun({QStringLiteral("predict"), QStringLiteral("--model"), model, QStringLiteral("--input"),
            target, QStringLiteral("--no-prior-correction"), QStringLiteral("--report"), report3,
            QStringLiteral("--table"), rawTable});
        QVERIFY2(raw.code == 0, raw.err.constData());
        QFile qf(report3);
        QVERIFY(qf.open(QIODevice::ReadOnly));
        const QJsonObject qj = QJsonDocument::fromJson(qf.readAll()).object();
        QVERIFY(!qj[QStringLiteral("prior_correction")].toBool());
        QVERIFY(qj[QStringLiteral("estimated_composition")].toObject().isEmpty());
        const QString corrTable = dir.filePath(QStringLiteral("corrected.csv"));
        QCOMPARE(nymRun({QStringLiteral("predict"), QStringLiteral("--model"), model, QStringLiteral("--input"), target,
                             QStringLiteral("--table"), corrTable})
                     .code,
            0);
        QFile rtf(rawTable), ctf(corrTable);
        QVERIFY(rtf.open(QIODevice::ReadOnly) && ctf.open(QIODevice::ReadOnly));
        const QByteArray rawText = rtf.readAll(), corrText = ctf.readAll();
        QCOMPARE(rawText.split('\n').size(), corrText.split('\n').size());
        QVERIFY(rawText != corrText);
        const QString expl = dir.filePath(QStringLiteral("why.csv"));
        const auto e = nymRun({QStringLiteral("explain"), QStringLiteral("--model"), model, QStringLiteral("--input"),
            target, QStringLiteral("--class"), QStringLiteral("TypeA"), QStringLiteral("--top"), QStringLiteral("10"),
            QStringLiteral("--samples"), QStringLiteral("20"), QStringLiteral("--output"), expl});
        QVERIFY2(e.code == 0, e.err.constData());
        QFile ef(expl);
        QVERIFY(ef.open(QIODevice::ReadOnly));
        const QList<QByteArray> rows = ef.readAll().split('\n');
        QCOMPARE(rows.size() - 2, 10);
        // The simulator's markers of type A are named TypeA_m..: most of the top 10 must be among them.
        int markers = 0;
        for (int i = 1; i <= 10; ++i)
            markers += rows[i].contains(",TypeA_m");
        QVERIFY2(markers >= 7, qPrintable(QString::number(markers)));
        const auto noClass = nymRun({QStringLiteral("explain"), QStringLiteral("--model"), model,
            QStringLiteral("--input"), target, QStringLiteral("--class"), QStringLiteral("Neuron"),
            QStringLiteral("--output"), dir.filePath(QStringLiteral("x.csv"))});
        QCOMPARE(noClass.code, 1);
        QVERIFY(noClass.err.contains("TypeA"));
        // A file that is not a model.
        const auto notModel = nymRun({QStringLiteral("predict"), QStringLiteral("--model"), train,
            QStringLiteral("--input"), target});
        QCOMPARE(notModel.code, 1);
        QVERIFY(notModel.err.contains("not a Nym Studio model"));
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
