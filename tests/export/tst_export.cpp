// Tests of core/export: the per-cell table (one file and several) and the annotated-h5ad additions, built from
// hand-made predictions so every expected cell value is known. The app/CLI byte-identity test is in tst_document.
#include "common/fakelabeling.h"
#include "common/testsupport.h"

#include "core/common/error.h"
#include "core/data/simulator.h"
#include "core/data/trainingset.h"
#include "core/export/labelexport.h"
#include "core/export/reviewfile.h"
#include "core/io/h5adwriter.h"
#include "core/io/datasetreader.h"

#include <QFile>
#include <QTemporaryDir>

#include <cmath>
#include <fstream>
#include <map>
#include <sstream>

using namespace nym;
using nymtest::fakeLabeling;

namespace {

std::vector<DatasetPtr> simulatedFiles(int files, std::int64_t cells)
{
    SimulatorOptions o;
    o.cells = cells * files;
    o.genes = 120;
    o.types = 3;
    o.domains = files;
    o.seed = 5;
    std::vector<DatasetPtr> out;
    int n = 0;
    for (auto &d : simulate(o)) {
        d.data.source.path = "/data/batch" + std::to_string(++n) + ".h5ad";
        out.push_back(std::make_shared<const Dataset>(std::move(d.data)));
    }
    return out;
}

QList<QByteArray> readLines(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    QList<QByteArray> lines = f.readAll().split('\n');
    if (!lines.isEmpty() && lines.last().isEmpty())
        lines.removeLast();
    return lines;
}

const std::vector<std::string> kClasses {"B cell", "T cell", "NK"};

// The model an h5ad's provenance describes (the exports read no weights; a model needs one).
Model describedModel(const Dataset &d)
{
    Model::Contents c;
    c.genes = d.geneNames;
    c.classes = kClasses;
    c.createdBy = "Nym Studio test";
    c.weights.push_back({"w", {1}, {0.5f}});
    return Model(c);
}

}   // namespace

class TestExport : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void singleFileColumnsAndValues()
    {
        const auto files = simulatedFiles(1, 200);
        const Dataset &d = *files[0];
        const auto l = fakeLabeling(d, kClasses, 1, {3, 7});
        Annotations a = annotate(l, 0.6);
        a.setExpertLabel(10, "Plasma", 1);   // an edit shows in the final label column
        const auto cols = perCellTable({{.dataset = &d, .labeling = l.get(), .annotations = &a}});
        std::vector<std::string> names;
        for (const auto &c : cols)
            names.push_back(c.name);
        QCOMPARE(names, (std::vector<std::string> {"cell", "nym_label", "nym_final_label", "nym_confidence",
                            "p_B cell", "p_T cell", "p_NK", "nym_label_source", "nym_reviewed", "nym_last_edit"}));
        for (const auto &c : cols)
            QCOMPARE(c.size(), std::size_t(200));
        for (std::size_t i = 0; i < 200; ++i) {
            QCOMPARE(cols[0].text[i], d.cellIds[i]);
            QCOMPARE(cols[1].text[i], l->labels[i]);
            const float conf = l->predictions.confidence[i];
            // Oracle: the threshold rule by hand, the expert's label for cell 10.
            const std::string expected = i == 10 ? std::string("Plasma")
                : (l->noCounts[i] || conf < 0.6f) ? std::string(kUnassigned) : l->labels[i];
            QCOMPARE(cols[2].text[i], expected);
            QCOMPARE(cols[3].numbers[i], double(conf));
            double sum = 0;
            for (std::size_t k = 0; k < 3; ++k)
                sum += cols[4 + k].numbers[i];
            QVERIFY(std::abs(sum - 1) < 1e-5);
            if (!l->noCounts[i])   // the argmax column holds the confidence
                QCOMPARE(cols[4 + static_cast<std::size_t>(l->predictions.label[i])].numbers[i], double(conf));
        }
        QCOMPARE(cols[2].text[3], std::string(kUnassigned));   // no counts
        // The review columns: the edit's source and time, the rest from the model and never edited.
        QCOMPARE(cols[7].text[10], std::string("relabelled"));
        QCOMPARE(cols[7].text[11], std::string("model"));
        QCOMPARE(cols[8].numbers[10], 0.0);
        QCOMPARE(cols[9].text[10], std::string("1970-01-01T00:00:01Z"));
        QCOMPARE(cols[9].text[11], std::string());
        a.accept(12, 1764606857);
        const auto again = perCellTable({{.dataset = &d, .labeling = l.get(), .annotations = &a}});
        QCOMPARE(again[7].text[12], std::string("accepted"));
        QCOMPARE(again[8].numbers[12], 1.0);
        QCOMPARE(again[9].text[12], std::string("2025-12-01T16:34:17Z"));
    }

    void severalFilesTruthAndErrors()
    {
        const auto files = simulatedFiles(2, 150);
        const auto l0 = fakeLabeling(*files[0], kClasses, 2), l1 = fakeLabeling(*files[1], kClasses, 3);
        const Annotations a0 = annotate(l0, 0.5), a1 = annotate(l1, 0.5);
        std::vector<std::string> t0(150, "T cell"), t1(150, "NK");
        const auto cols = perCellTable({{.dataset = files[0].get(), .labeling = l0.get(), .annotations = &a0, .truth = t0}, {.dataset = files[1].get(), .labeling = l1.get(), .annotations = &a1, .truth = t1}});
        QCOMPARE(cols[0].name, std::string("file"));   // one order for the CLI and the app: file first
        QCOMPARE(cols[1].name, std::string("cell"));
        QCOMPARE(cols[5].name, std::string("true_label"));
        QCOMPARE(cols[0].size(), std::size_t(300));
        QCOMPARE(cols[0].text[0], datasetDisplayName(*files[0], 0));
        QCOMPARE(cols[0].text[299], datasetDisplayName(*files[1], 1));
        QVERIFY(cols[0].text[0] != cols[0].text[299]);
        QCOMPARE(cols[1].text[150], files[1]->cellIds[0]);
        QCOMPARE(cols[5].text[149], std::string("T cell"));
        QCOMPARE(cols[5].text[150], std::string("NK"));
        QCOMPARE(cols[4].numbers[150], double(l1->predictions.confidence[0]));

        // Written: header + one line per cell; the same input writes the same bytes.
        QTemporaryDir dir;
        const QString p1 = dir.filePath(QStringLiteral("a.csv")), p2 = dir.filePath(QStringLiteral("b.tsv"));
        writePerCellTable(p1.toStdString(), {{.dataset = files[0].get(), .labeling = l0.get(), .annotations = &a0}, {.dataset = files[1].get(), .labeling = l1.get(), .annotations = &a1}});
        const auto lines = readLines(p1);
        QCOMPARE(lines.size(), 301);
        QCOMPARE(lines[0], QByteArray("file,cell,nym_label,nym_final_label,nym_confidence,p_B cell,p_T cell,p_NK,"
                                      "nym_label_source,nym_reviewed,nym_last_edit"));
        writePerCellTable(p2.toStdString(), {{.dataset = files[0].get(), .labeling = l0.get(), .annotations = &a0}});
        QVERIFY(readLines(p2)[0].startsWith("cell\tnym_label\t"));
        // Existing files are not replaced unless asked.
        QVERIFY_THROWS_EXCEPTION(Error, writePerCellTable(p1.toStdString(), {{.dataset = files[0].get(), .labeling = l0.get(), .annotations = &a0}}));
        QCOMPARE(readLines(p1).size(), 301);

        // Errors name the problem.
        QVERIFY_THROWS_EXCEPTION(Error, perCellTable({}));
        QVERIFY_THROWS_EXCEPTION(Error, perCellTable({{.dataset = files[0].get(), .labeling = l0.get(), .annotations = &a0, .truth = t0}, {.dataset = files[1].get(), .labeling = l1.get(), .annotations = &a1}}));
        const auto other = fakeLabeling(*files[1], {"x", "y"}, 4);
        const Annotations ao = annotate(other, 0.5);
        try {
            perCellTable({{.dataset = files[0].get(), .labeling = l0.get(), .annotations = &a0}, {.dataset = files[1].get(), .labeling = other.get(), .annotations = &ao}});
            QFAIL("different classes were accepted");
        } catch (const Error &e) {
            QVERIFY2(std::string(e.what()).find("other classes") != std::string::npos, e.what());
        }
        // Predictions of another file (other cell count) are refused.
        QVERIFY_THROWS_EXCEPTION(Error, perCellTable({{.dataset = files[0].get(), .labeling = fakeLabeling(*simulatedFiles(1, 40)[0], kClasses, 5).get(), .annotations = &a0}}));
        QVERIFY_THROWS_EXCEPTION(Error, perCellTable({{.dataset = files[0].get(), .labeling = l0.get(), .annotations = &a0, .truth = std::vector<std::string>(3, "x")}}));
    }

    void h5adAdditionsCarryFinalLabels()
    {
        const auto files = simulatedFiles(1, 120);
        const auto l = fakeLabeling(*files[0], kClasses, 6, {0});
        Annotations a = annotate(l, 0.5);
        a.setExpertLabel(5, "Doublet", 1);
        const Model model = describedModel(*files[0]);
        const H5adAdditions add = h5adAdditions({.dataset = files[0].get(), .labeling = l.get(), .annotations = &a}, model);
        QCOMPARE(add.obs.size(), std::size_t(5));
        QCOMPARE(add.obs[3].name, std::string("nym_label_source"));
        QCOMPARE(add.obs[3].text(5), std::string("relabelled"));
        QCOMPARE(add.obs[4].name, std::string("nym_reviewed"));
        QCOMPARE(add.obs[0].name, std::string("nym_label"));
        QCOMPARE(add.obs[2].name, std::string("nym_final_label"));
        QCOMPARE(add.obs[2].text(5), std::string("Doublet"));
        QCOMPARE(add.obs[2].text(0), std::string(kUnassigned));
        QCOMPARE(add.obsm[0].name, std::string("X_nym"));
        QCOMPARE(add.obsm[1].cols, std::int64_t(3));
        bool sawInput = false;
        for (const auto &[k, v] : add.uns)
            sawInput |= k == "input_file" && v == "/data/batch1.h5ad";
        QVERIFY(sawInput);
        // Written and read back.
        QTemporaryDir dir;
        const std::string out = dir.filePath(QStringLiteral("o.h5ad")).toStdString();
        writeH5ad(*files[0], out, add);
        const Dataset back = readDataset(out);
        QCOMPARE(back.findObs("nym_final_label")->text(5), std::string("Doublet"));
        QCOMPARE(back.findObs("nym_label")->text(7), l->labels[7]);
        QCOMPARE(back.findObs("nym_label_source")->text(5), std::string("relabelled"));
        QCOMPARE(back.findObs("nym_label_source")->text(6), std::string("model"));
        QVERIFY(back.findObs("nym_reviewed") && back.findObs("nym_reviewed")->kind == ObsColumn::Kind::Boolean);
    }

    void h5adCategoriesColoursAndProvenance()
    {
        const auto files = simulatedFiles(1, 60);
        const auto l = fakeLabeling(*files[0], kClasses, 6, {0});
        Annotations a = annotate(l, 0.5);
        a.setExpertLabel(3, "Doublet", 1);
        const Model model = describedModel(*files[0]);
        LabelledFile f {.dataset = files[0].get(), .labeling = l.get(), .annotations = &a};
        f.colors = {{"T cell", "#123456"}};
        f.provenance = {{"threshold", "0.5"}, {"cells_edited", "1"}};
        std::vector<float> umap(120, 0.5f);
        f.umap = &umap;
        f.umapDescription = "UMAP of X_nym";
        const H5adAdditions add = h5adAdditions(f, model);
        // Stable category order: the model's classes, Unassigned, then names people added.
        QCOMPARE(add.obs[0].categories, kClasses);
        QCOMPARE(add.obs[2].categories, (std::vector<std::string> {"B cell", "T cell", "NK", kUnassigned, "Doublet"}));
        // One colour per category: scanpy's default_20 over the coloured names, Unassigned grey, the chosen colour kept.
        QCOMPARE(add.unsLists.size(), std::size_t(2));
        QCOMPARE(add.unsLists[0].first, std::string("nym_label_colors"));
        QCOMPARE(add.unsLists[0].second, (std::vector<std::string> {"#1f77b4", "#123456", "#279e68"}));
        QCOMPARE(add.unsLists[1].second, (std::vector<std::string> {"#1f77b4", "#123456", "#279e68", "#c8c8c8", "#d62728"}));
        std::map<std::string, std::string> uns(add.uns.begin(), add.uns.end());
        QCOMPARE(uns["umap"], std::string("UMAP of X_nym"));   // was overwritten by the model's provenance once
        QCOMPARE(uns["threshold"], std::string("0.5"));
        QCOMPARE(uns["cells_edited"], std::string("1"));
        // Written and read back: the colours travel with their categories (uns/<column>_colors).
        QTemporaryDir dir;
        const std::string out = dir.filePath(QStringLiteral("o.h5ad")).toStdString();
        writeH5ad(*files[0], out, add);
        const Dataset back = readDataset(out);
        const ObsColumn *final = back.findObs("nym_final_label");
        QVERIFY(final && final->kind == ObsColumn::Kind::Categorical);
        QCOMPARE(final->categories, add.obs[2].categories);
        QCOMPARE(final->colors, add.unsLists[1].second);
        QCOMPARE(final->text(3), std::string("Doublet"));
        QCOMPARE(back.findObs("nym_label")->colors, add.unsLists[0].second);
        QVERIFY(back.findObsm("X_umap"));
        // A copy of the written file takes new additions over the old ones.
        LabelledFile g {.dataset = files[0].get(), .labeling = l.get(), .annotations = &a};
        const std::string copy = dir.filePath(QStringLiteral("c.h5ad")).toStdString();
        writeAnnotatedCopy(out, copy, h5adAdditions(g, model));
        QCOMPARE(readDataset(copy).findObs("nym_label")->colors, (std::vector<std::string> {"#1f77b4", "#ff7f0e", "#279e68"}));
    }

    void tableOfASelectionWithDomains()
    {
        const auto files = simulatedFiles(2, 50);
        const auto l0 = fakeLabeling(*files[0], kClasses, 1);
        const auto l1 = fakeLabeling(*files[1], kClasses, 2);
        Annotations a0 = annotate(l0, 0.5), a1 = annotate(l1, 0.5);
        const std::vector<std::int64_t> rows0 {3, 7}, rows1 {};
        LabelledFile f0 {.dataset = files[0].get(), .labeling = l0.get(), .annotations = &a0};
        LabelledFile f1 {.dataset = files[1].get(), .labeling = l1.get(), .annotations = &a1};
        f0.rows = &rows0;
        f1.rows = &rows1;
        f0.domains.assign(50, "donor A");
        f1.domains.assign(50, "donor B");
        const auto cols = perCellTable({f0, f1});
        QCOMPARE(cols[0].name, std::string("file"));
        QCOMPARE(cols[1].name, std::string("domain"));
        QCOMPARE(cols[2].name, std::string("cell"));
        QCOMPARE(cols[2].text, (std::vector<std::string> {files[0]->cellIds[3], files[0]->cellIds[7]}));
        QCOMPARE(cols[1].text, (std::vector<std::string> {"donor A", "donor A"}));
        // Every file gives domains or none does; a selected cell must exist.
        f1.domains.clear();
        QVERIFY_THROWS_EXCEPTION(Error, perCellTable({f0, f1}));
        const std::vector<std::int64_t> outside {50};
        f0.domains.clear();
        f0.rows = &outside;
        QVERIFY_THROWS_EXCEPTION(Error, perCellTable({f0}));
    }

    void projectFileRoundTripAndDamage()
    {
        QTemporaryDir dir;
        const auto files = simulatedFiles(1, 40);
        const std::string data = dir.filePath(QStringLiteral("t.h5ad")).toStdString();
        writeH5ad(*files[0], data);
        const Dataset target = readDataset(data);
        const auto l = fakeLabeling(target, kClasses, 3);
        Annotations a = annotate(l, 0.5);
        a.setExpertLabel(2, "Doublet", 1700000000);
        a.accept(5, 1700000100);
        a.setExpertLabel(9, "NK", 1700000200, LabelSource::Lasso);
        const FileReview review = reviewOf(target, a);
        QCOMPARE(review.cells, (std::vector<std::int64_t> {2, 5, 9}));

        ProjectFile p;
        p.createdBy = "Nym Studio test";
        p.training = {fingerprint(data)};
        p.targets = {fingerprint(data)};
        p.labelColumn = "cell_type";
        p.threshold = 0.7;
        p.addedLabels = {"Doublet", "Platelet"};
        p.reviews = {review};
        p.view = {{"color_by", "final"}};
        p.model = std::string("\0\1\2binary\xff", 10);
        const std::string path = dir.filePath(QStringLiteral("r.nymproj")).toStdString();
        writeProjectFile(path, p);
        const ProjectFile back = readProjectFile(path);
        QCOMPARE(back.threshold, 0.7);
        QCOMPARE(back.model, p.model);
        QCOMPARE(back.addedLabels, p.addedLabels);
        QCOMPARE(back.view.at("color_by"), std::string("final"));
        QCOMPARE(back.reviews.size(), std::size_t(1));
        QCOMPARE(back.reviews[0].labels, review.labels);
        QCOMPARE(back.reviews[0].cellIds, review.cellIds);
        QVERIFY(back.reviews[0].states == review.states);
        QCOMPARE(fingerprintMismatch(back.targets[0], data), std::string());

        // Applied to fresh annotations of the same file: the same states, byte for byte.
        Annotations fresh = annotate(l, 0.5);
        QCOMPARE(applyReview(target, fresh, back.reviews[0]), std::int64_t(3));
        for (std::int64_t i = 0; i < a.cells(); ++i) {
            QVERIFY(fresh.state(i).source == a.state(i).source);
            QCOMPARE(fresh.finalLabel(i), a.finalLabel(i));
            QCOMPARE(fresh.editTime(i), a.editTime(i));
        }
        // Other cells (ids differ) are refused before anything changes.
        Dataset other = target;
        other.cellIds[5] = "someone-else";
        Annotations untouched = annotate(l, 0.5);
        QVERIFY_THROWS_EXCEPTION(Error, applyReview(other, untouched, back.reviews[0]));
        QVERIFY(untouched.state(2).source == LabelSource::Model);

        // A changed data file is told apart.
        {
            std::ofstream grow(data, std::ios::app | std::ios::binary);
            grow << "x";
        }
        QVERIFY(!fingerprintMismatch(back.targets[0], data).empty());

        // Damage: cut short, not JSON, another format, a newer version, a damaged model, a bad cell entry.
        const auto text = [&] {
            std::ifstream in(path, std::ios::binary);
            std::ostringstream ss;
            ss << in.rdbuf();
            return ss.str();
        }();
        const auto refused = [&](const std::string &content, const char *expect) {
            const std::string bad = dir.filePath(QStringLiteral("bad.nymproj")).toStdString();
            std::ofstream(bad, std::ios::binary | std::ios::trunc) << content;
            try {
                readProjectFile(bad);
            } catch (const Error &e) {
                return std::string(e.what()).find(expect) != std::string::npos;
            }
            return false;
        };
        QVERIFY(refused(text.substr(0, text.size() / 2), "not a Nym Studio project"));
        QVERIFY(refused("{\"format\": \"other\"}", "not a Nym Studio project"));
        QVERIFY(refused("{\"format\": \"nymproj\", \"version\": 99}", "newer Nym Studio"));
        std::string badModel = text;
        const auto at = badModel.find("\"base64\": \"") + 12;
        badModel[at] = badModel[at] == 'A' ? 'B' : 'A';
        QVERIFY(refused(badModel, "embedded model is damaged"));
        std::string badCell = text;
        badCell.replace(badCell.find("\"relabelled\""), 12, "\"sideways\"");
        QVERIFY(refused(badCell, "unknown label source"));
    }

    void base64RoundTrip()
    {
        std::string bytes;
        for (int n = 0; n < 300; ++n) {
            QCOMPARE(fromBase64(toBase64(bytes)), bytes);
            bytes += static_cast<char>((n * 37) & 255);
        }
        QCOMPARE(toBase64("foobar"), std::string("Zm9vYmFy"));
        QCOMPARE(toBase64("fo"), std::string("Zm8="));
        QVERIFY_THROWS_EXCEPTION(Error, fromBase64("Zm9"));
        QVERIFY_THROWS_EXCEPTION(Error, fromBase64("Zm$v"));
        QVERIFY_THROWS_EXCEPTION(Error, fromBase64("Zm=v"));
    }
};

QTEST_GUILESS_MAIN(TestExport)
#include "tst_export.moc"
