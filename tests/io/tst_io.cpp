// Tests of core/io: the h5ad and 10x readers against Debian's anndata/h5py as the oracle on every shared file
// and fixture, every on-disk layout of the same data, damaged files, and the h5ad writer read back by anndata.
#include "common/testsupport.h"

#include "core/common/error.h"
#include "core/data/preflight.h"
#include "core/data/simulator.h"
#include "core/io/datasetreader.h"
#include "core/io/h5adwriter.h"
#include "core/io/isolation_p.h"

#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <cmath>

using namespace nym;
using nymtest::s;

namespace {

QByteArray fileHash(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QCryptographicHash::hash(f.readAll(), QCryptographicHash::Sha256);
}

double sumOf(const CellMatrix &m)
{
    double t = 0;
    for (float v : m.values())
        t += v;
    return t;
}

std::int64_t nonzeros(const CellMatrix &m)
{
    return std::count_if(m.values().begin(), m.values().end(), [](float v) { return v != 0.0f; });
}

// Compares a Dataset with the oracle's JSON summary of the same file.
void compareWithOracle(const Dataset &ds, const QJsonObject &o, const std::vector<std::string> &genes)
{
    QCOMPARE(ds.cells(), static_cast<std::int64_t>(o[QStringLiteral("n_cells")].toInteger()));
    QCOMPARE(ds.genes(), static_cast<std::int64_t>(o[QStringLiteral("n_genes")].toInteger()));
    QCOMPARE(nonzeros(ds.matrix), static_cast<std::int64_t>(o[QStringLiteral("nonzero")].toInteger()));
    const double want = o[QStringLiteral("sum")].toDouble();
    QVERIFY2(std::fabs(sumOf(ds.matrix) - want) <= 1e-5 * std::max(1.0, std::fabs(want)),
        qPrintable(QStringLiteral("sum %1 vs %2").arg(sumOf(ds.matrix)).arg(want)));
    const auto sums = ds.matrix.rowSums();
    const auto rows = o[QStringLiteral("row_sums")].toArray();
    for (int i = 0; i < rows.size(); ++i)
        QVERIFY(std::fabs(sums[i] - rows[i].toDouble()) <= 1e-4 * std::max(1.0, rows[i].toDouble()));
    if (ds.cells() > 0) {
        QCOMPARE(QString::fromStdString(ds.cellIds.front()), o[QStringLiteral("first_cell")].toString());
        QCOMPARE(QString::fromStdString(ds.cellIds.back()), o[QStringLiteral("last_cell")].toString());
    }
    if (!genes.empty()) {
        QCOMPARE(QString::fromStdString(genes.front()), o[QStringLiteral("first_gene")].toString());
        QCOMPARE(QString::fromStdString(genes.back()), o[QStringLiteral("last_gene")].toString());
    }
}

QJsonObject oracle(const QString &kind, const QString &file, const QString &arg = {})
{
    QStringList args {kind, file};
    if (!arg.isEmpty())
        args << arg;
    const QByteArray out = nymtest::runPython(QStringLiteral("io/oracle.py"), args);
    return QJsonDocument::fromJson(out).object();
}

}   // namespace

// A small simulated .h5ad (one domain, two types) named good.h5ad in `dir`.
QString writeSmallH5ad(const QTemporaryDir &dir, int cells, int genes)
{
    SimulatorOptions so;
    so.cells = cells;
    so.genes = genes;
    so.types = 2;
    so.domains = 1;
    const QString path = dir.filePath(QStringLiteral("good.h5ad"));
    writeH5ad(simulate(so)[0].data, s(path));
    return path;
}

// Sets an environment variable for a scope (empty value: unset) and restores it.
class EnvGuard
{
public:
    EnvGuard(const char *name, const QByteArray &value) : m_name(name), m_had(qEnvironmentVariableIsSet(name)),
        m_old(qgetenv(name))
    {
        if (value.isEmpty())
            qunsetenv(name);
        else
            qputenv(name, value);
    }
    ~EnvGuard()
    {
        if (m_had)
            qputenv(m_name, m_old);
        else
            qunsetenv(m_name);
    }
    EnvGuard(const EnvGuard &) = delete;
    EnvGuard &operator=(const EnvGuard &) = delete;

private:
    const char *m_name;
    bool m_had;
    QByteArray m_old;
};

class TestIo : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void h5adMatchesAnndata_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("matrix");
        if (!nymtest::haveShared())
            return;
        for (const QString &d :
            QDir(nymtest::sharedDir() + QStringLiteral("/data")).entryList(QDir::Dirs | QDir::NoDotAndDotDot))
            for (const QString &f : QDir(nymtest::dataFile(d)).entryList({QStringLiteral("*.h5ad")}))
                QTest::newRow(qPrintable(d + QLatin1Char('/') + f))
                    << nymtest::dataFile(d + QLatin1Char('/') + f) << QStringLiteral("X");
        for (const char *f :
            {"anndata_v0.5.0.h5ad", "anndata_v0.7.0.h5ad", "anndata_v0.7.8.h5ad", "anndata_v0.11.4.h5ad"})
            QTest::newRow(f) << nymtest::fixture(QString::fromLatin1(f)) << QStringLiteral("X");
        QTest::newRow("v0.5.0 raw") << nymtest::fixture(QStringLiteral("anndata_v0.5.0.h5ad"))
                                    << QStringLiteral("raw/X");
        QTest::newRow("v0.7.8 raw") << nymtest::fixture(QStringLiteral("anndata_v0.7.8.h5ad"))
                                    << QStringLiteral("raw/X");
        QTest::newRow("v0.7.8 dense layer")
            << nymtest::fixture(QStringLiteral("anndata_v0.7.8.h5ad")) << QStringLiteral("layers/array");
        QTest::newRow("v0.7.8 sparse layer")
            << nymtest::fixture(QStringLiteral("anndata_v0.7.8.h5ad")) << QStringLiteral("layers/sparse");
    }
    void h5adMatchesAnndata()
    {
        NYM_REQUIRE_SHARED();
        QFETCH(QString, file);
        QFETCH(QString, matrix);
        H5adReadOptions opt;
        opt.matrix = s(matrix);
        const Dataset ds = readH5ad(s(file), opt);
        const QJsonObject o = oracle(QStringLiteral("h5ad"), file, matrix);
        QVERIFY(!o.isEmpty());
        compareWithOracle(ds, o, ds.geneIds);
        // Every obs column anndata sees is there, categoricals with the same labels.
        const QJsonObject obs = o[QStringLiteral("obs")].toObject();
        for (auto it = obs.begin(); it != obs.end(); ++it) {
            const ObsColumn *col = ds.findObs(s(it.key()));
            QVERIFY2(col, qPrintable(it.key()));
            const auto first = it.value().toObject()[QStringLiteral("first")].toArray();
            if (it.value().toObject()[QStringLiteral("categorical")].toBool()) {
                QCOMPARE(col->kind, ObsColumn::Kind::Categorical);
                for (int i = 0; i < first.size(); ++i)
                    QCOMPARE(QString::fromStdString(col->text(i)), first[i].toString());
            }
        }
        const QJsonObject obsm = o[QStringLiteral("obsm")].toObject();
        for (auto it = obsm.begin(); it != obsm.end(); ++it) {
            const DenseArray *a = ds.findObsm(s(it.key()));
            QVERIFY2(a, qPrintable(it.key()));
            QCOMPARE(a->cols, static_cast<std::int64_t>(it.value().toArray()[1].toInteger()));
        }
    }

    void layoutsReadTheSame()
    {
        NYM_REQUIRE_SHARED();
        QTemporaryDir dir;
        const QByteArray out = nymtest::runPython(QStringLiteral("io/make_variants.py"),
            {nymtest::dataFile(QStringLiteral("kang_pbmc_ifnb1k/ctrl.h5ad")), dir.path()});
        const QJsonObject files = QJsonDocument::fromJson(out).object();
        QVERIFY(files.size() >= 9);
        const Dataset ref = readH5ad(s(files[QStringLiteral("csr.h5ad")].toString()));
        QCOMPARE(ref.cells(), 120);
        // uns/<column>_colors is kept for its categorical column when the counts match, ignored when stale.
        const ObsColumn *types = ref.findObs("seurat_annotations");
        QVERIFY(types && types->kind == ObsColumn::Kind::Categorical);
        QCOMPARE(types->colors.size(), types->categories.size());
        QCOMPARE(types->colors[1], std::string("#010101"));
        QVERIFY(ref.findObs("stale") && ref.findObs("stale")->colors.empty());
        for (auto it = files.begin(); it != files.end(); ++it) {
            H5adReadOptions opt;
            if (it.key() == QStringLiteral("cellxgene.h5ad"))
                opt.matrix = "layers/counts";
            const Dataset ds = readH5ad(s(it.value().toString()), opt);
            QVERIFY2(std::equal(ds.matrix.indptr().begin(), ds.matrix.indptr().end(), ref.matrix.indptr().begin(),
                         ref.matrix.indptr().end()),
                qPrintable(it.key()));
            QVERIFY2(std::equal(ds.matrix.indices().begin(), ds.matrix.indices().end(), ref.matrix.indices().begin(),
                         ref.matrix.indices().end()),
                qPrintable(it.key()));
            QVERIFY2(std::equal(ds.matrix.values().begin(), ds.matrix.values().end(), ref.matrix.values().begin(),
                         ref.matrix.values().end()),
                qPrintable(it.key()));
            // CELLxGENE: Ensembl index, symbols in feature_name, used automatically for gene names.
            QCOMPARE(ds.geneNames, ref.geneNames);
            if (it.key() == QStringLiteral("cellxgene.h5ad")) {
                QCOMPARE(ds.geneNameSource, std::string("var/feature_name"));
                QVERIFY(ds.geneIds.front().rfind("ENSG", 0) == 0);
            }
        }
    }

    void tenxMatchesH5py_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("genome");
        QTest::addColumn<int>("cells");
        QTest::newRow("v3") << QStringLiteral("tenx_v3_filtered_feature_bc_matrix.h5") << QString() << 1107;
        QTest::newRow("v2") << QStringLiteral("tenx_v2_filtered_gene_bc_matrices_h5.h5") << QStringLiteral("hg19_chr21")
                            << 12;
        QTest::newRow("v2 genome choice")
            << QStringLiteral("tenx_v2_multiple_genomes.h5") << QStringLiteral("another_genome") << 12;
        QTest::newRow("probe") << QStringLiteral("tenx_probe_raw_probe_bc_matrix.h5") << QString() << 4987;
    }
    void tenxMatchesH5py()
    {
        NYM_REQUIRE_SHARED();
        QFETCH(QString, file);
        QFETCH(QString, genome);
        QFETCH(int, cells);
        TenxReadOptions opt;
        if (!genome.isEmpty())
            opt.genome = s(genome);
        const Dataset ds = readTenx(s(nymtest::fixture(file)), opt);
        QCOMPARE(ds.cells(), cells);
        QCOMPARE(detectFileFormat(s(nymtest::fixture(file))), FileFormat::Tenx);
        const QJsonObject o =
            oracle(QStringLiteral("10x"), nymtest::fixture(file), genome.isEmpty() ? QStringLiteral("-") : genome);
        QVERIFY(!o.isEmpty());
        compareWithOracle(ds, o, ds.geneNames);
        QCOMPARE(toString(detectValueType(ds.matrix).type), toString(ValueType::RawCounts));
    }

    void tenxGenomeChoice()
    {
        NYM_REQUIRE_SHARED();
        const auto path = s(nymtest::fixture(QStringLiteral("tenx_v2_multiple_genomes.h5")));
        QCOMPARE(tenxGenomes(path), (std::vector<std::string> {"another_genome", "hg19_chr21"}));
        try {
            readTenx(path);
            QFAIL("several genomes were accepted without a choice");
        } catch (const Error &e) {
            const std::string m = e.what();
            QVERIFY(m.find("another_genome") != std::string::npos && m.find("hg19_chr21") != std::string::npos);
        }
        TenxReadOptions bad;
        bad.genome = "mm10";
        QVERIFY_THROWS_EXCEPTION(Error, readTenx(path, bad));
        // Probe matrix: per-probe columns on request; per-gene sums by default.
        TenxReadOptions perProbe;
        perProbe.aggregateProbes = false;
        const auto probe = s(nymtest::fixture(QStringLiteral("tenx_probe_raw_probe_bc_matrix.h5")));
        const Dataset a = readTenx(probe, perProbe), b = readTenx(probe);
        QVERIFY(a.genes() > b.genes());
        QVERIFY(b.findObs("filtered_barcodes"));
    }

    void damagedFilesGiveClearErrors()
    {
        QTemporaryDir dir;
        const QByteArray out = nymtest::runPython(QStringLiteral("io/make_bad_files.py"), {dir.path()});
        const QJsonArray cases = QJsonDocument::fromJson(out).array();
        QVERIFY(cases.size() >= 25);
        for (const auto &c : cases) {
            const QJsonObject o = c.toObject();
            const QString file = o[QStringLiteral("file")].toString();
            const bool atRead = o[QStringLiteral("stage")].toString() == QStringLiteral("read");
            std::string message;
            try {
                const Dataset ds = readDataset(s(file));
                const auto r = preflight(ds);
                QVERIFY2(!atRead, qPrintable(QStringLiteral("%1 was read without complaint").arg(file)));
                QVERIFY2(r.hasErrors(), qPrintable(QStringLiteral("%1: preflight found no error").arg(file)));
                for (const auto &e : r.errors())
                    message += e + "\n";
            } catch (const Error &e) {
                QVERIFY2(atRead,
                    qPrintable(QStringLiteral("%1: unexpected read error %2").arg(file, QString::fromUtf8(e.what()))));
                message = e.what();
            }
            for (const auto &want : o[QStringLiteral("expect")].toArray())
                QVERIFY2(message.find(s(want.toString())) != std::string::npos,
                    qPrintable(QStringLiteral("%1: message '%2' lacks '%3'")
                                   .arg(file, QString::fromStdString(message), want.toString())));
        }
    }

    void libraryCrashIsContained_data()
    {
        QTest::addColumn<QByteArray>("helper");
        // The helper program in a fresh process (the default), and the forked child used where it is missing.
        QTest::newRow("helper") << QByteArray();
        QTest::newRow("fork fallback") << QByteArrayLiteral("fork");
    }

    void libraryCrashIsContained()
    {
        // A global heap that declares an object far larger than itself crashes libhdf5 1.10 (SIGSEGV; found by
        // fuzzing). The structure check runs in another process, so the user gets a message, not a crash.
        QFETCH(QByteArray, helper);
        const EnvGuard env("NYM_ISOLATE_HELPER", helper);
        if (helper.isEmpty()) {
            // The build's helper is found and is the program that runs the check.
            QVERIFY2(io::isolationHelper().ends_with("/nym-isolate"), io::isolationHelper().c_str());
        } else {
            QVERIFY(io::isolationHelper().empty());
        }
        QTemporaryDir dir;
        const QString bad = dir.filePath(QStringLiteral("heap.h5ad"));
        nymtest::runPython(QStringLiteral("io/make_heap_crasher.py"), {bad});
        QVERIFY(QFile::exists(bad));
        try {
            readDataset(s(bad));
            QFAIL("a file that crashes libhdf5 was read");
        } catch (const Error &e) {
            const std::string m = e.what();
            QVERIFY2(m.find("heap.h5ad") != std::string::npos && m.find("damaged") != std::string::npos, e.what());
        }
        // Writing an annotated copy of it is refused the same way, and leaves no output behind.
        const QString out = dir.filePath(QStringLiteral("copy.h5ad"));
        QVERIFY_THROWS_EXCEPTION(Error, writeAnnotatedCopy(s(bad), s(out), H5adAdditions {}));
        QVERIFY(!QFile::exists(out));
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden), QStringList {QStringLiteral("heap.h5ad")});
        // The process is still healthy: a good file reads afterwards, its errors come back word for word, and an
        // annotated copy made the same way carries the additions.
        const QString good = writeSmallH5ad(dir, 50, 40);
        QCOMPARE(readDataset(s(good)).cells(), 50);
        DatasetReadOptions wrongLayer;
        wrongLayer.h5ad.matrix = "layers/absent";
        try {
            readDataset(s(good), wrongLayer);
            QFAIL("a missing layer was read");
        } catch (const Error &e) {
            QVERIFY2(std::string(e.what()).find("layers/absent") != std::string::npos, e.what());
        }
        H5adAdditions add;
        const ObsColumn col = ObsColumn::categorical("nym_label", {"a", "b"}, std::vector<std::int32_t>(50, 1));
        add.obs.push_back(col);
        writeAnnotatedCopy(s(good), s(out), add);
        const Dataset copy = readDataset(s(out));
        const ObsColumn *written = copy.findObs("nym_label");
        QVERIFY(written);
        QCOMPARE(written->categories, col.categories);
        QCOMPARE(written->codes, col.codes);
        QCOMPARE(copy.cells(), 50);
    }

    void isolationHelperProblemsAreNamed()
    {
        QTemporaryDir dir;
        const QString good = writeSmallH5ad(dir, 20, 10);
        {
            // A helper that cannot be started: the message names it and the reason.
            const EnvGuard env("NYM_ISOLATE_HELPER", dir.filePath(QStringLiteral("missing-helper")).toUtf8());
            try {
                readDataset(s(good));
                QFAIL("read without its check");
            } catch (const Error &e) {
                const std::string m = e.what();
                QVERIFY2(m.find("missing-helper") != std::string::npos && m.find("No such file") != std::string::npos,
                    e.what());
            }
        }
        {
            // A helper of another version that does not know the request (exit status 2).
            const QString script = dir.filePath(QStringLiteral("old-helper"));
            QFile f(script);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("#!/bin/sh\necho \"unknown job '$1'\" >&3\nexit 2\n");
            f.close();
            QVERIFY(f.setPermissions(f.permissions() | QFileDevice::ExeOwner));
            const EnvGuard env("NYM_ISOLATE_HELPER", script.toUtf8());
            try {
                readDataset(s(good));
                QFAIL("read without its check");
            } catch (const Error &e) {
                const std::string m = e.what();
                QVERIFY2(m.find("does not understand") != std::string::npos
                        && m.find("unknown job 'structure'") != std::string::npos
                        && m.find("another version") != std::string::npos,
                    e.what());
            }
        }
        QCOMPARE(readDataset(s(good)).cells(), 20);
    }

    void writtenCopyReadsInAnndata_data()
    {
        QTest::addColumn<QString>("file");
        if (!nymtest::haveShared())
            return;
        QTest::newRow("kang ctrl") << nymtest::dataFile(QStringLiteral("kang_pbmc_ifnb1k/ctrl.h5ad"));
        QTest::newRow("mesc batch2") << nymtest::dataFile(QStringLiteral("mesc_scmerge/batch2.h5ad"));
        QTest::newRow("pbmc 5p") << nymtest::dataFile(QStringLiteral("pbmc_10x_chemistry_symphony/10x_5p.h5ad"));
        QTest::newRow("cellbench celseq2")
            << nymtest::dataFile(QStringLiteral("cellbench_3cl_10x_celseq2_dropseq/celseq2.h5ad"));
        for (const char *f :
            {"anndata_v0.7.0.h5ad", "anndata_v0.7.8.h5ad", "anndata_v0.11.4.h5ad", "anndata_v0.5.0.h5ad"})
            QTest::newRow(f) << nymtest::fixture(QString::fromLatin1(f));
    }
    void writtenCopyReadsInAnndata()
    {
        NYM_REQUIRE_SHARED();
        QFETCH(QString, file);
        const QByteArray before = fileHash(file);
        H5adReadOptions peek;
        peek.loadMatrix = false;
        const Dataset in = readH5ad(s(file), peek);
        const auto n = in.cellIds.size();
        // Labels with a comma, a quote and UTF-8; confidences with a NaN; a 3-d embedding; provenance.
        std::vector<std::string> labels;
        std::vector<double> conf;
        DenseArray emb {"X_nym", static_cast<std::int64_t>(n), 3, {}};
        for (std::size_t i = 0; i < n; ++i) {
            labels.push_back(i % 3 == 0 ? "T cell, naïve" : (i % 3 == 1 ? "B \"memory\"" : "Mono"));
            conf.push_back(i == 1 ? std::nan("") : 0.5 + 0.001 * static_cast<double>(i % 400));
            for (int k = 0; k < 3; ++k)
                emb.values.push_back(static_cast<float>(i) * 0.25f + static_cast<float>(k));
        }
        H5adAdditions add;
        add.obs.push_back(ObsColumn::fromLabels("nym_label", labels));
        add.obs.push_back(ObsColumn::numeric("nym_confidence", conf));
        if (!in.obs.empty())   // replacing an existing column
            add.obs.push_back(ObsColumn::fromLabels(in.obs.front().name, labels));
        add.obsm.push_back(emb);
        add.uns = {{"tool", "Nym Studio"}, {"model", "test"}};
        QTemporaryDir dir;
        const QString outPath = dir.filePath(QStringLiteral("annotated.h5ad"));
        writeAnnotatedCopy(s(file), s(outPath), add);
        QCOMPARE(fileHash(file), before);   // the input is untouched

        QJsonObject expect;
        QJsonObject cats, floats, obsm, uns;
        QJsonArray l, c, rows;
        for (std::size_t i = 0; i < n; ++i) {
            l.append(QString::fromStdString(labels[i]));
            c.append(std::isnan(conf[i]) ? QJsonValue(QJsonValue::Null) : QJsonValue(conf[i]));
            rows.append(QJsonArray {emb.values[i * 3], emb.values[i * 3 + 1], emb.values[i * 3 + 2]});
        }
        cats[QStringLiteral("nym_label")] = l;
        if (!in.obs.empty())
            cats[QString::fromStdString(in.obs.front().name)] = l;
        floats[QStringLiteral("nym_confidence")] = c;
        obsm[QStringLiteral("X_nym")] = rows;
        uns[QStringLiteral("tool")] = QStringLiteral("Nym Studio");
        uns[QStringLiteral("model")] = QStringLiteral("test");
        expect[QStringLiteral("categorical")] = cats;
        expect[QStringLiteral("float")] = floats;
        expect[QStringLiteral("obsm")] = obsm;
        expect[QStringLiteral("uns")] = uns;
        const QString expectPath = dir.filePath(QStringLiteral("expect.json"));
        QFile ef(expectPath);
        QVERIFY(ef.open(QIODevice::WriteOnly));
        ef.write(QJsonDocument(expect).toJson());
        ef.close();
        // Legacy (< 0.7) inputs are converted, so only the added elements are compared for them.
        const bool legacy = in.source.generation == "anndata < 0.7";
        const QByteArray res = nymtest::runPython(
            QStringLiteral("io/check_written.py"), {outPath, legacy ? QStringLiteral("-") : file, expectPath});
        QCOMPARE(res.trimmed(), QByteArray("ok"));
        // And we read our own output back.
        const Dataset back = readH5ad(s(outPath));
        QCOMPARE(back.findObs("nym_label")->text(0), labels[0]);
        QCOMPARE(back.findObsm("X_nym")->values[4], emb.values[4]);
    }

    void writerProtectsFiles()
    {
        NYM_REQUIRE_SHARED();
        QTemporaryDir dir;
        const QString src = nymtest::dataFile(QStringLiteral("mesc_scmerge/batch2.h5ad"));
        const QString copy = dir.filePath(QStringLiteral("input.h5ad"));
        QVERIFY(QFile::copy(src, copy));
        const QByteArray before = fileHash(copy);
        H5adAdditions add;
        add.obs.push_back(ObsColumn::numeric("x", std::vector<double>(100, 1.0)));
        // Never over the input unless asked; never over an existing file unless asked.
        QVERIFY_THROWS_EXCEPTION(Error, writeAnnotatedCopy(s(copy), s(copy), add));
        QVERIFY_THROWS_EXCEPTION(Error, writeAnnotatedCopy(s(copy), s(src), add));
        QCOMPARE(fileHash(copy), before);
        // Wrong lengths fail before anything is written, and leave no temporary file.
        H5adAdditions wrong;
        wrong.obs.push_back(ObsColumn::numeric("x", std::vector<double>(99, 1.0)));
        const QString out = dir.filePath(QStringLiteral("out.h5ad"));
        QVERIFY_THROWS_EXCEPTION(Error, writeAnnotatedCopy(s(copy), s(out), wrong));
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden).size(), 1);
        // An explicit choice allows replacing the input, atomically.
        H5adWriteOptions o;
        o.allowInputOverwrite = true;
        writeAnnotatedCopy(s(copy), s(copy), add, o);
        QVERIFY(readH5ad(s(copy)).findObs("x"));
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden).size(), 1);
    }

    void simulatedRoundTrip()
    {
        SimulatorOptions so;
        so.cells = 300;
        so.genes = 200;
        so.types = 3;
        so.domains = 1;
        const auto sim = simulate(so);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("sim.h5ad"));
        H5adAdditions uns;
        uns.unsGroup.clear();
        uns.uns = {{"x_is_raw_counts", "True"}, {"domain", "batch1"}};
        writeH5ad(sim[0].data, s(path), uns);
        const Dataset back = readH5ad(s(path));
        QCOMPARE(back.cellIds, sim[0].data.cellIds);
        QCOMPARE(back.geneNames, sim[0].data.geneNames);
        QVERIFY(std::equal(back.matrix.values().begin(), back.matrix.values().end(),
            sim[0].data.matrix.values().begin(), sim[0].data.matrix.values().end()));
        QCOMPARE(back.findObs("cell_type")->codes, sim[0].data.findObs("cell_type")->codes);
        // anndata reads it, with the categorical labels and the uns scalars.
        QJsonObject expect;
        QJsonArray labels;
        const auto *ct = sim[0].data.findObs("cell_type");
        for (std::int64_t i = 0; i < ct->size(); ++i)
            labels.append(QString::fromStdString(ct->text(i)));
        expect[QStringLiteral("categorical")] = QJsonObject {{QStringLiteral("cell_type"), labels}};
        expect[QStringLiteral("uns_group")] = QString();
        expect[QStringLiteral("uns")] = QJsonObject {{QStringLiteral("x_is_raw_counts"), QStringLiteral("True")}};
        QFile ef(dir.filePath(QStringLiteral("e.json")));
        QVERIFY(ef.open(QIODevice::WriteOnly));
        ef.write(QJsonDocument(expect).toJson());
        ef.close();
        QCOMPARE(nymtest::runPython(QStringLiteral("io/check_written.py"), {path, QStringLiteral("-"), ef.fileName()})
                     .trimmed(),
            QByteArray("ok"));
    }
};

QTEST_GUILESS_MAIN(TestIo)
#include "tst_io.moc"
