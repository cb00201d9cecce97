#include "ui/browser/browserpage.h"

#include "ui/browser/cellinspector.h"
#include "ui/browser/cellmapview.h"
#include "ui/browser/mapexport.h"
#include "ui/browser/maplegend.h"
#include "ui/browser/palettes.h"
#include "core/export/labelexport.h"
#include "ui/browser/reviewpanel.h"
#include "ui/document/project.h"
#include "ui/document/projectcontroller.h"

#include "core/data/trainingset.h"

#include <QActionGroup>
#include <QCheckBox>
#include <QColorDialog>
#include <QComboBox>
#include <QFormLayout>
#include <QDialogButtonBox>
#include <QDialog>
#include <QCompleter>
#include <QFileDialog>
#include <QFutureWatcher>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMessageBox>
#include <QSlider>
#include <QSplitter>
#include <QStringListModel>
#include <QTabWidget>
#include <QToolButton>
#include <QVBoxLayout>
#include <QtConcurrent>

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <set>
#include <unordered_map>

namespace nym::ui {

using BrowserPage_Coded = BrowserPage::Coded;

namespace {

constexpr QRgb kGrey = palettes::kNoValue;   // unassigned, missing, context
constexpr QRgb kTraining = 0xffdadada;    // training cells under the target

QString unassigned()
{
    return QString::fromUtf8(kUnassigned);
}

// log1p(CPM) of one gene in every cell of the datasets, as the model sees expression (NaN where a file lacks it).
std::vector<float> geneValues(const std::vector<DatasetPtr> &targets, const std::string &gene)
{
    std::vector<float> out;
    for (const auto &d : targets) {
        auto at = std::find(d->geneNames.begin(), d->geneNames.end(), gene);
        if (at == d->geneNames.end()) {
            out.insert(out.end(), static_cast<std::size_t>(d->cells()), NAN);
            continue;
        }
        const std::vector<float> column = d->matrix.column(at - d->geneNames.begin());
        const std::vector<double> sums = d->matrix.rowSums();
        for (std::size_t i = 0; i < column.size(); ++i)
            out.push_back(sums[i] > 0 ? static_cast<float>(std::log1p(column[i] / sums[i] * 1e6)) : 0.0f);
    }
    return out;
}

// Codes for text values: `preferred` names first (those that occur), then the others sorted.
BrowserPage_Coded encode(const std::vector<std::string> &values, const std::vector<std::string> &preferred = {})
{
    std::unordered_map<std::string, std::int32_t> seen;
    std::vector<std::int32_t> raw(values.size());
    std::vector<std::string> found;
    for (std::size_t i = 0; i < values.size(); ++i) {
        auto [it, added] = seen.emplace(values[i], static_cast<std::int32_t>(found.size()));
        if (added)
            found.push_back(values[i]);
        raw[i] = it->second;
    }
    std::vector<std::string> order;
    std::set<std::string> present(found.begin(), found.end());
    for (const auto &p : preferred)
        if (present.erase(p))
            order.push_back(p);
    order.insert(order.end(), present.begin(), present.end());
    std::unordered_map<std::string, std::int32_t> at;
    for (std::size_t k = 0; k < order.size(); ++k)
        at.emplace(order[k], static_cast<std::int32_t>(k));
    std::vector<std::int32_t> remap(found.size());
    for (std::size_t k = 0; k < found.size(); ++k)
        remap[k] = at[found[k]];
    BrowserPage_Coded out;
    for (const auto &n : order)
        out.names.push_back(QString::fromStdString(n));
    out.codes.resize(values.size());
    for (std::size_t i = 0; i < values.size(); ++i)
        out.codes[i] = remap[static_cast<std::size_t>(raw[i])];
    return out;
}

}   // namespace

BrowserPage::BrowserPage(Project *project, ProjectController *controller, QWidget *parent)
    : QWidget(parent)
    , m_project(project)
    , m_controller(controller)
{
    m_view = new CellMapView(this);
    m_view->setObjectName(QStringLiteral("cellMap"));
    m_legend = new MapLegend(this);
    m_source = new QComboBox(this);
    m_source->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_source->setToolTip(tr("Which map to show: the one computed here from the model's embedding, or the X_umap the "
                            "target files already carry"));
    m_colorBy = new QComboBox(this);
    m_colorBy->setObjectName(QStringLiteral("colorBy"));
    m_colorBy->setMinimumContentsLength(18);
    m_gene = new QLineEdit(this);
    m_gene->setPlaceholderText(tr("Gene…"));
    m_gene->setClearButtonEnabled(true);
    m_gene->setMinimumWidth(130);
    m_gene->setToolTip(tr("Colour by a gene's expression, log1p(CPM) as the model sees it; type to search"));
    m_training = new QCheckBox(tr("Training cells"), this);
    m_training->setToolTip(tr("Draw the training cells under the target cells, in grey (in their colours when "
                              "colouring by file or label)"));
    m_size = new QSlider(Qt::Horizontal, this);
    m_opacity = new QSlider(Qt::Horizontal, this);
    for (QSlider *s : {m_size, m_opacity}) {
        s->setRange(-20, 20);
        s->setValue(0);
        s->setFixedWidth(80);
    }
    m_size->setToolTip(tr("Point size (middle: automatic for the number of cells and the zoom)"));
    m_opacity->setToolTip(tr("Opacity (middle: automatic)"));
    m_info = new QLabel(this);
    m_info->setWordWrap(true);
    m_info->setObjectName(QStringLiteral("mapInfo"));
    m_selectionLabel = new QLabel(this);

    // Tools, with their keys.
    auto *tools = new QActionGroup(this);
    auto *bar = new QHBoxLayout;
    const std::pair<QString, CellMapView::Tool> toolList[] = {{tr("&Pan"), CellMapView::Tool::Pan},
        {tr("&Lasso"), CellMapView::Tool::Lasso}, {tr("&Rectangle"), CellMapView::Tool::Rectangle},
        {tr("&Zoom"), CellMapView::Tool::Zoom}};
    const QKeySequence keys[] = {QKeySequence(Qt::Key_P), QKeySequence(Qt::Key_L), QKeySequence(Qt::Key_R), QKeySequence(Qt::Key_Z)};
    int k = 0;
    for (const auto &[name, tool] : toolList) {
        auto *action = new QAction(name, tools);
        action->setCheckable(true);
        action->setShortcut(keys[k++]);
        action->setShortcutContext(Qt::WidgetWithChildrenShortcut);
        action->setToolTip(tr("%1 (%2). Shift adds to the selection, Alt removes, Esc clears.")
                               .arg(QString(name).remove(QLatin1Char('&')), action->shortcut().toString()));
        action->setChecked(tool == CellMapView::Tool::Pan);
        addAction(action);
        connect(action, &QAction::triggered, this, [this, tool = tool] { m_view->setTool(tool); });
        auto *button = new QToolButton(this);
        button->setDefaultAction(action);
        bar->addWidget(button);
    }
    auto *reset = new QAction(tr("Reset View"), this);
    reset->setShortcut(QKeySequence(Qt::Key_Home));
    reset->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    addAction(reset);
    connect(reset, &QAction::triggered, m_view, &CellMapView::resetView);
    auto *resetButton = new QToolButton(this);
    resetButton->setDefaultAction(reset);
    bar->addWidget(resetButton);
    bar->addSpacing(12);
    bar->addWidget(new QLabel(tr("Colour by"), this));
    bar->addWidget(m_colorBy);
    bar->addWidget(m_gene);
    bar->addStretch(1);
    auto *bar2 = new QHBoxLayout;
    bar2->addWidget(m_training);
    bar2->addWidget(new QLabel(tr("Size"), this));
    bar2->addWidget(m_size);
    bar2->addWidget(new QLabel(tr("Opacity"), this));
    bar2->addWidget(m_opacity);
    bar2->addSpacing(12);
    bar2->addWidget(new QLabel(tr("Map"), this));
    bar2->addWidget(m_source);
    bar2->addStretch(1);
    auto *relabel = new QAction(tr("Relabel Selection…"), this);
    relabel->setShortcut(QKeySequence(Qt::SHIFT | Qt::Key_L));
    relabel->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    relabel->setToolTip(tr("Give the selected cells a label (a class, Unassigned or a new name), with filters (Shift+L); "
                           "one step in Edit → Undo"));
    addAction(relabel);
    connect(relabel, &QAction::triggered, this, &BrowserPage::askRelabel);
    auto *accept = new QAction(tr("Accept Selection"), this);
    accept->setShortcut(QKeySequence(Qt::SHIFT | Qt::Key_A));
    accept->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    accept->setToolTip(tr("Accept the model's label for the selected cells and mark them reviewed (Shift+A)"));
    addAction(accept);
    connect(accept, &QAction::triggered, this, [this] { acceptSelection(); });
    for (QAction *a : {relabel, accept}) {
        auto *button = new QToolButton(this);
        button->setDefaultAction(a);
        bar2->addWidget(button);
    }
    auto *exportButton = new QToolButton(this);
    exportButton->setText(tr("Export Figure…"));
    exportButton->setToolTip(tr("Save this view with its legend as PNG, SVG or PDF"));
    bar2->addWidget(exportButton);

    auto *legendPane = new QWidget(this);
    auto *sideLayout = new QVBoxLayout(legendPane);
    sideLayout->setContentsMargins(0, 0, 0, 0);
    sideLayout->addWidget(m_legend, 1);
    sideLayout->addWidget(m_selectionLabel);
    m_review = new ReviewPanel(m_project, m_view, this);
    m_sideTabs = new QTabWidget(this);
    m_sideTabs->addTab(legendPane, tr("Legend"));
    m_sideTabs->addTab(m_review, tr("Review Queue"));
    m_inspector = new CellInspector(m_project, this);
    m_sideTabs->addTab(m_inspector, tr("Cell"));
    // The inspector follows the review queue's current cell and the cell clicked on the map.
    connect(m_review, &ReviewPanel::currentCellChanged, m_inspector, &CellInspector::showCell);
    connect(m_view, &CellMapView::pointClicked, m_inspector, &CellInspector::showCell);
    connect(m_legend, &MapLegend::explainRequested, this, [this](int entry) { explainClass(m_legend->entries()[entry].name); });
    connect(m_inspector, &CellInspector::geneClicked, this, [this](const QString &gene) { setColorBy(QStringLiteral("gene:") + gene); });
    QWidget *side = m_sideTabs;
    auto *split = new QSplitter(this);
    split->addWidget(m_view);
    split->addWidget(side);
    split->setStretchFactor(0, 1);
    split->setSizes({860, 340});

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(bar);
    layout->addLayout(bar2);
    layout->addWidget(m_info);
    layout->addWidget(split, 1);

    m_view->tooltipText = [this](std::int64_t point) { return tooltipFor(point); };
    connect(m_view, &CellMapView::selectionChanged, this, [this](std::int64_t count) {
        m_selectionLabel->setText(count == 0 ? tr("No cells selected (click, lasso L, rectangle R)")
                                             : tr("%n cell(s) selected", nullptr, static_cast<int>(count)));
    });
    connect(m_colorBy, &QComboBox::activated, this, [this] { setColorBy(m_colorBy->currentData().toString()); });
    connect(m_source, &QComboBox::activated, this, &BrowserPage::showMap);
    connect(m_training, &QCheckBox::toggled, m_view, &CellMapView::setShowTraining);
    connect(m_size, &QSlider::valueChanged, this, [this](int v) { m_view->setPointScale(std::pow(2.0, v / 10.0)); });
    connect(m_opacity, &QSlider::valueChanged, this, [this](int v) { m_view->setOpacityScale(std::pow(2.0, v / 10.0)); });
    connect(m_gene, &QLineEdit::returnPressed, this, [this] { chooseGene(m_gene->text().trimmed()); });
    connect(exportButton, &QToolButton::clicked, this, &BrowserPage::askExport);
    connect(m_legend, &MapLegend::visibilityChanged, this, [this] { applyVisibility(); });
    connect(m_legend, &MapLegend::entryActivated, this, [this](int entry) {
        std::vector<std::int64_t> cells;
        for (std::size_t i = 0; i < m_category.size(); ++i)
            if (m_category[i] == entry)
                cells.push_back(static_cast<std::int64_t>(i));
        const auto modifiers = QGuiApplication::keyboardModifiers();
        m_view->selectCells(cells, modifiers & Qt::AltModifier ? CellSelection::Mode::Subtract
                : modifiers & Qt::ShiftModifier               ? CellSelection::Mode::Add
                                                               : CellSelection::Mode::Replace);
    });
    connect(m_legend, &MapLegend::colorChangeRequested, this, [this](int entry) {
        const auto &e = m_legend->entries()[entry];
        const QColor chosen = QColorDialog::getColor(e.color, this, tr("Colour of %1").arg(e.name));
        if (!chosen.isValid())
            return;
        m_customColors[m_key + QLatin1Char('|') + e.name] = chosen;
        recolor();
    });
    connect(m_legend, &MapLegend::renameRequested, this, [this](int entry) {
        const QString from = m_legend->entries()[entry].name;
        bool ok = false;
        const QString to = QInputDialog::getItem(this, tr("Rename or Merge a Label"),
            tr("New name for “%1” (an existing label merges the two):").arg(from), m_project->labelNames(),
            static_cast<int>(m_project->labelNames().indexOf(from)), true, &ok);
        if (ok && !to.trimmed().isEmpty())
            m_project->renameLabel(from.toStdString(), to.trimmed().toStdString());
    });
    connect(m_project, &Project::cellMapChanged, this, &BrowserPage::rebuildSources);
    connect(m_project, &Project::dataChanged, this, &BrowserPage::rebuildSources);
    connect(m_project, &Project::labelingsChanged, this, &BrowserPage::rebuildSources);
    connect(m_project, &Project::annotationsChanged, this, [this] {
        if (m_key == QLatin1String("final"))
            recolor();
    });
    connect(m_project, &Project::thresholdChanged, this, [this] {
        if (m_key == QLatin1String("confidence") || m_key == QLatin1String("final"))
            recolor();
    });
    connect(m_controller, &ProjectController::statusChanged, this, [this](const QString &text) {
        if (m_controller->isMapping())
            m_info->setText(text);
    });
    m_key = QStringLiteral("predicted");
    rebuildSources();
}

BrowserPage::~BrowserPage() = default;

bool BrowserPage::isColoring() const
{
    return m_geneWatcher && m_geneWatcher->isRunning();
}

void BrowserPage::rebuildSources()
{
    const QString previous = m_source->currentData().toString();
    m_source->clear();
    if (m_project->cellMap())
        m_source->addItem(tr("UMAP of the model's embedding"), QStringLiteral("computed"));
    const auto &targets = m_project->data().targets;
    const bool inFiles = !targets.empty() && std::all_of(targets.begin(), targets.end(), [](const DatasetPtr &d) {
        const DenseArray *a = d->findObsm("X_umap");
        return a && a->cols >= 2;
    });
    if (inFiles)
        m_source->addItem(tr("X_umap from the file"), QStringLiteral("file"));
    const int keep = m_source->findData(previous);
    if (keep >= 0)
        m_source->setCurrentIndex(keep);
    m_source->setEnabled(m_source->count() > 1);
    fillColorBy();
    showMap();
}

void BrowserPage::showMap()
{
    const QString source = m_source->currentData().toString();
    std::vector<float> xy;
    std::int64_t targetCells = 0;
    m_haveTrainingOnMap = false;
    if (source == QLatin1String("computed")) {
        const auto map = m_project->cellMap();
        xy = map->target;
        targetCells = static_cast<std::int64_t>(xy.size() / 2);
        xy.insert(xy.end(), map->training.begin(), map->training.end());
        m_haveTrainingOnMap = !map->training.empty();
        m_info->setText(map->description);
    } else if (source == QLatin1String("file")) {
        for (const auto &d : m_project->data().targets) {
            const DenseArray *a = d->findObsm("X_umap");
            for (std::int64_t i = 0; i < a->rows; ++i) {
                xy.push_back(a->values[static_cast<std::size_t>(i * a->cols)]);
                xy.push_back(a->values[static_cast<std::size_t>(i * a->cols + 1)]);
            }
            targetCells += a->rows;
        }
        m_info->setText(tr("The X_umap stored in the target files (training cells are not on this map)."));
    } else {
        m_info->setText(m_project->labelings().empty()
                ? tr("The map appears here once the target cells are labelled (train a model or apply one).")
                : tr("The map is being computed; it appears here when ready (the status bar shows progress)."));
    }
    m_training->setEnabled(m_haveTrainingOnMap);
    m_view->setPoints(std::move(xy), targetCells);
    m_view->setShowTraining(m_haveTrainingOnMap && m_training->isChecked());
    recolor();
}

void BrowserPage::fillColorBy()
{
    m_colorBy->clear();
    const bool labelled = !m_project->labelings().empty();
    if (labelled) {
        m_colorBy->addItem(tr("Predicted label"), QStringLiteral("predicted"));
        m_colorBy->addItem(tr("Final label (threshold)"), QStringLiteral("final"));
        m_colorBy->addItem(tr("Confidence"), QStringLiteral("confidence"));
    }
    m_colorBy->addItem(tr("File"), QStringLiteral("file"));
    if (labelled && !m_project->targetTruth().empty()) {
        m_colorBy->addItem(tr("True label (%1)").arg(m_project->data().labelColumn), QStringLiteral("truth"));
        m_colorBy->addItem(tr("Agrees with the prediction"), QStringLiteral("agreement"));
    }
    // obs columns present in every target file.
    const auto &targets = m_project->data().targets;
    if (!targets.empty())
        for (const ObsColumn &c : targets.front()->obs) {
            if (std::all_of(targets.begin(), targets.end(), [&](const DatasetPtr &d) { return d->findObs(c.name) != nullptr; }))
                m_colorBy->addItem(tr("obs: %1").arg(QString::fromStdString(c.name)), QStringLiteral("obs:") + QString::fromStdString(c.name));
        }
    // Gene names for the type-ahead search.
    std::set<std::string> genes;
    for (const auto &d : targets)
        genes.insert(d->geneNames.begin(), d->geneNames.end());
    QStringList names;
    names.reserve(static_cast<qsizetype>(genes.size()));
    for (const auto &g : genes)
        names << QString::fromStdString(g);
    auto *completer = new QCompleter(names, m_gene);
    completer->setCaseSensitivity(Qt::CaseInsensitive);
    completer->setFilterMode(Qt::MatchStartsWith);
    completer->setMaxVisibleItems(12);
    delete m_gene->completer();
    m_gene->setCompleter(completer);
    connect(completer, qOverload<const QString &>(&QCompleter::activated), this, &BrowserPage::chooseGene);
    if (m_key.startsWith(QLatin1String("gene:")))
        m_colorBy->addItem(tr("Gene: %1").arg(m_key.mid(5)), m_key);
    if (m_colorBy->findData(m_key) < 0)
        m_key = m_colorBy->count() > 0 ? m_colorBy->itemData(0).toString() : QString();
    m_colorBy->setCurrentIndex(std::max(0, m_colorBy->findData(m_key)));
}

bool BrowserPage::setColorBy(const QString &key)
{
    if (key.startsWith(QLatin1String("gene:"))) {
        chooseGene(key.mid(5));
        return true;
    }
    if (m_colorBy->findData(key) < 0)
        return false;
    if (m_key.startsWith(QLatin1String("gene:"))) {
        m_gene->clear();
        if (m_project->cellMap() && m_source->currentData().toString() == QLatin1String("computed"))
            m_info->setText(m_project->cellMap()->description);
    }
    m_key = key;
    m_colorBy->setCurrentIndex(m_colorBy->findData(key));
    recolor();
    return true;
}

void BrowserPage::recolor()
{
    const std::int64_t targetCells = m_view->targetCells();
    if (m_view->pointCount() == 0) {
        m_legend->setCategories(QString(), {});
        return;
    }
    const auto &labelings = m_project->labelings();
    const auto &targets = m_project->data().targets;
    const auto &training = m_project->data().training;
    // Training cells' own labels (for label colourings) and file names (for the file colouring).
    Coded trainingLabels, trainingFiles;
    if (m_haveTrainingOnMap) {
        const std::string column = m_project->data().labelColumn.toStdString();
        std::vector<std::string> labels;
        for (std::size_t f = 0; f < training.size(); ++f) {
            const ObsColumn *c = training[f]->findObs(column);
            for (std::int64_t i = 0; i < training[f]->cells(); ++i)
                labels.push_back(c ? c->text(i) : std::string());
            trainingFiles.names.push_back(QString::fromStdString(datasetDisplayName(*training[f], targets.size() + f)));
            trainingFiles.codes.insert(trainingFiles.codes.end(), static_cast<std::size_t>(training[f]->cells()), static_cast<std::int32_t>(f));
        }
        trainingLabels = encode(labels);
    }
    std::vector<std::string> classes;
    if (!labelings.empty())
        classes = labelings.front()->predictions.classes;
    std::int64_t labelled = 0;
    for (const auto &l : labelings)
        labelled += l->predictions.cells;
    const QString key = m_key;
    if ((key == QLatin1String("predicted") || key == QLatin1String("final") || key == QLatin1String("confidence") ||
            key == QLatin1String("agreement") || key == QLatin1String("truth")) && labelled != targetCells) {
        m_key = QStringLiteral("file");
        recolor();
        return;
    }
    m_legend->setRenamable(false);
    m_legend->setExplainable(key == QLatin1String("predicted") || key == QLatin1String("final"));
    if (key == QLatin1String("predicted")) {
        Coded c;
        for (const auto &name : classes)
            c.names.push_back(QString::fromStdString(name));
        for (const auto &l : labelings)
            c.codes.insert(c.codes.end(), l->predictions.label.begin(), l->predictions.label.end());
        applyCategories(tr("Predicted label"), c, {}, trainingLabels);
    } else if (key == QLatin1String("final")) {
        // Names are per file (experts may add names): codes go through one shared list.
        Coded c;
        std::unordered_map<std::string, std::int32_t> at;
        auto code = [&](const std::string &name) {
            auto [it, added] = at.emplace(name, static_cast<std::int32_t>(c.names.size()));
            if (added)
                c.names.push_back(QString::fromStdString(name));
            return it->second;
        };
        for (const auto &name : classes)
            code(name);
        code(kUnassigned);
        for (const auto &a : m_project->annotations()) {
            std::vector<std::int32_t> map;
            for (const auto &name : a.labelNames())
                map.push_back(code(name));
            for (std::int64_t i = 0; i < a.cells(); ++i)
                c.codes.push_back(map[static_cast<std::size_t>(a.finalCode(i))]);
        }
        applyCategories(tr("Final label (confidence ≥ %1)").arg(m_project->threshold()), c, {}, trainingLabels);
        m_legend->setRenamable(true);
    } else if (key == QLatin1String("confidence")) {
        std::vector<float> conf;
        for (const auto &l : labelings)
            conf.insert(conf.end(), l->predictions.confidence.begin(), l->predictions.confidence.end());
        applyContinuous(tr("Confidence"), conf, m_project->threshold(), tr("threshold %1").arg(m_project->threshold()));
    } else if (key == QLatin1String("file")) {
        Coded c;
        for (std::size_t f = 0; f < targets.size(); ++f) {
            c.names.push_back(QString::fromStdString(datasetDisplayName(*targets[f], f)));
            c.codes.insert(c.codes.end(), static_cast<std::size_t>(targets[f]->cells()), static_cast<std::int32_t>(f));
        }
        applyCategories(tr("File"), c, {}, trainingFiles);
    } else if (key == QLatin1String("truth") || key == QLatin1String("agreement")) {
        const auto truth = m_project->targetTruth();
        if (static_cast<std::int64_t>(truth.size()) != targetCells)
            return;
        if (key == QLatin1String("truth")) {
            applyCategories(tr("True label (%1)").arg(m_project->data().labelColumn), encode(truth, classes), {}, trainingLabels);
        } else {
            Coded c;
            c.names = {tr("agrees"), tr("disagrees"), tr("no true label")};
            std::size_t i = 0;
            for (const auto &l : labelings)
                for (const auto &p : l->labels) {
                    c.codes.push_back(truth[i].empty() ? 2 : truth[i] == p ? 0 : 1);
                    ++i;
                }
            // Blue and orange: apart for every common colour-vision deficiency.
            m_customColors.insert(QStringLiteral("agreement|") + c.names[0], QColor(0x1f77b4));
            m_customColors.insert(QStringLiteral("agreement|") + c.names[1], QColor(0xff7f0e));
            applyCategories(tr("Agrees with the prediction"), c, {}, {});
        }
    } else if (key.startsWith(QLatin1String("obs:"))) {
        const std::string name = key.mid(4).toStdString();
        bool numeric = true;
        for (const auto &d : targets) {
            const ObsColumn *c = d->findObs(name);
            numeric = numeric && c && c->kind == ObsColumn::Kind::Numeric && c->distinctCount() > 12;
        }
        if (numeric) {
            std::vector<float> v;
            for (const auto &d : targets)
                for (double x : d->findObs(name)->numbers)
                    v.push_back(static_cast<float>(x));
            applyContinuous(QString::fromStdString(name), v, std::nullopt, QString());
        } else {
            std::vector<std::string> order, values;
            std::vector<QString> colors;
            const ObsColumn *first = targets.front()->findObs(name);
            if (first->kind == ObsColumn::Kind::Categorical)
                order = first->categories;
            for (const auto &d : targets) {
                const ObsColumn *c = d->findObs(name);
                for (std::int64_t i = 0; i < d->cells(); ++i)
                    values.push_back(c->text(i));
            }
            Coded coded = encode(values, order);
            // The file's palette (uns/<column>_colors) follows its categories.
            if (first->kind == ObsColumn::Kind::Categorical && first->colors.size() == first->categories.size())
                for (const QString &n : coded.names) {
                    const auto at = std::find(first->categories.begin(), first->categories.end(), n.toStdString());
                    colors.push_back(at == first->categories.end() ? QString()
                                                                    : QString::fromStdString(first->colors[static_cast<std::size_t>(at - first->categories.begin())]));
                }
            applyCategories(QString::fromStdString(name), coded, colors, {});
        }
    } else if (key.startsWith(QLatin1String("gene:"))) {
        chooseGene(key.mid(5));
        return;
    }
    Q_EMIT coloringApplied(m_key);
}

void BrowserPage::applyCategories(const QString &title, const Coded &target, const std::vector<QString> &fileColors,
    const Coded &training)
{
    // Legend entries: the target's categories; training categories that are not among them get colours after them.
    std::vector<QString> names = target.names;
    std::vector<std::int32_t> trainingToEntry(training.names.size(), -1);
    for (std::size_t k = 0; k < training.names.size(); ++k) {
        const auto at = std::find(names.begin(), names.end(), training.names[k]);
        trainingToEntry[k] = static_cast<std::int32_t>(at - names.begin());
        if (at == names.end())
            names.push_back(training.names[k]);
    }
    const std::size_t categories = target.names.size();
    std::vector<qint64> counts(names.size(), 0);
    for (std::int32_t c : target.codes)
        if (c >= 0)
            ++counts[static_cast<std::size_t>(c)];
    m_category = target.codes;
    // Colours: the file's own (uns/<column>_colors), the user's, else scanpy's palette; grey for no value.
    int coloured = 0;
    for (const QString &n : names)
        coloured += !(n.isEmpty() || n == unassigned());
    const std::vector<QRgb> palette = palettes::categorical(std::max(coloured, 1));
    QSet<QString> hiddenBefore;
    if (m_legend->title() == title)
        for (const auto &e : m_legend->entries())
            if (!e.visible)
                hiddenBefore.insert(e.name);
    QVector<MapLegend::Entry> entries;
    int next = 0;
    for (std::size_t c = 0; c < names.size(); ++c) {
        QColor color = names[c].isEmpty() || names[c] == unassigned() ? QColor::fromRgb(kGrey)
                                                                     : QColor::fromRgb(palette[static_cast<std::size_t>(next++)]);
        if (c < fileColors.size() && QColor::isValidColorName(fileColors[c]))
            color = QColor::fromString(fileColors[c]);
        const auto custom = m_customColors.constFind(m_key + QLatin1Char('|') + names[c]);
        if (custom != m_customColors.constEnd())
            color = *custom;
        entries.push_back({names[c], color, counts[c], c >= categories || !hiddenBefore.contains(names[c])});
    }
    // Large categories first, rare ones last (on top), so a rare type is never buried: a counting sort by rank.
    std::vector<std::int32_t> byCount(categories);
    std::iota(byCount.begin(), byCount.end(), 0);
    std::stable_sort(byCount.begin(), byCount.end(), [&](std::int32_t a, std::int32_t b) {
        return counts[static_cast<std::size_t>(a)] > counts[static_cast<std::size_t>(b)];
    });
    std::vector<std::int64_t> start(categories + 2, 0);   // slot 0: cells without a category, drawn first
    std::vector<std::int32_t> rank(categories);
    for (std::size_t r = 0; r < categories; ++r)
        rank[static_cast<std::size_t>(byCount[r])] = static_cast<std::int32_t>(r + 1);
    for (std::int32_t c : target.codes)
        ++start[static_cast<std::size_t>(c >= 0 ? rank[static_cast<std::size_t>(c)] : 0) + 1];
    for (std::size_t r = 1; r < start.size(); ++r)
        start[r] += start[r - 1];
    std::vector<std::int32_t> drawOrder(target.codes.size());
    for (std::size_t i = 0; i < target.codes.size(); ++i) {
        const std::int32_t c = target.codes[i];
        drawOrder[static_cast<std::size_t>(start[static_cast<std::size_t>(c >= 0 ? rank[static_cast<std::size_t>(c)] : 0)]++)] = static_cast<std::int32_t>(i);
    }
    std::vector<QRgb> entryColors;
    for (const auto &e : entries)
        entryColors.push_back(e.color.rgb());
    std::vector<QRgb> colors(static_cast<std::size_t>(m_view->pointCount()), kTraining);
    for (std::size_t i = 0; i < target.codes.size(); ++i)
        colors[i] = target.codes[i] >= 0 ? entryColors[static_cast<std::size_t>(target.codes[i])] : kGrey;
    for (std::size_t i = 0; i < training.codes.size() && target.codes.size() + i < colors.size(); ++i)
        if (training.codes[i] >= 0)
            colors[target.codes.size() + i] = entryColors[static_cast<std::size_t>(trainingToEntry[static_cast<std::size_t>(training.codes[i])])];
    entries.resize(static_cast<qsizetype>(categories));   // the legend lists the target's categories
    m_legend->setCategories(title, entries);
    m_view->setColoring(std::move(colors), std::move(drawOrder), {});
    applyVisibility();
}

void BrowserPage::applyContinuous(const QString &title, const std::vector<float> &values, std::optional<double> marker,
    const QString &markerLabel)
{
    float lo = INFINITY, hi = -INFINITY;
    for (float v : values)
        if (std::isfinite(v)) {
            lo = std::min(lo, v);
            hi = std::max(hi, v);
        }
    if (!(hi >= lo)) {
        lo = 0;
        hi = 1;
    }
    if (title == tr("Confidence")) {
        lo = 0;
        hi = 1;
    }
    const double range = hi > lo ? hi - lo : 1;
    std::vector<QRgb> colors(static_cast<std::size_t>(m_view->pointCount()), kTraining);
    for (std::size_t i = 0; i < values.size(); ++i)
        colors[i] = std::isfinite(values[i]) ? palettes::viridis((values[i] - lo) / range) : kGrey;
    // Missing first, then low to high: high values on top (scanpy's sort_order). A counting sort over the 256 colour
    // steps orders what the eye can tell apart in O(cells).
    std::vector<std::int64_t> start(258, 0);
    auto bucket = [&](float v) { return std::isfinite(v) ? 1 + std::clamp(static_cast<int>((v - lo) / range * 255.0), 0, 255) : 0; };
    for (float v : values)
        ++start[static_cast<std::size_t>(bucket(v)) + 1];
    for (std::size_t b = 1; b < start.size(); ++b)
        start[b] += start[b - 1];
    std::vector<std::int32_t> order(values.size());
    for (std::size_t i = 0; i < values.size(); ++i)
        order[static_cast<std::size_t>(start[static_cast<std::size_t>(bucket(values[i]))]++)] = static_cast<std::int32_t>(i);
    m_category.assign(values.size(), -1);
    MapLegend::Scale scale;
    scale.title = title;
    scale.min = lo;
    scale.max = hi;
    scale.marker = marker;
    scale.markerLabel = markerLabel;
    m_legend->setScale(scale);
    m_view->setColoring(std::move(colors), std::move(order), {});
}

void BrowserPage::applyVisibility()
{
    const auto &entries = m_legend->entries();
    if (m_legend->isContinuous() || std::all_of(entries.begin(), entries.end(), [](const auto &e) { return e.visible; })) {
        m_view->setHidden({});
        return;
    }
    std::vector<std::uint8_t> hidden(static_cast<std::size_t>(m_view->pointCount()), 0);
    for (std::size_t i = 0; i < m_category.size(); ++i)
        hidden[i] = m_category[i] >= 0 && m_category[i] < entries.size() && !entries[m_category[i]].visible;
    m_view->setHidden(std::move(hidden));
}

void BrowserPage::chooseGene(const QString &gene)
{
    if (gene.isEmpty() || m_view->targetCells() == 0)
        return;
    const auto &targets = m_project->data().targets;
    // Exact name, else a case-insensitive match (users type "lyz" for LYZ).
    std::string name = gene.toStdString();
    bool found = false;
    for (const auto &d : targets) {
        for (const auto &g : d->geneNames) {
            if (g == name) {
                found = true;
                break;
            }
        }
        if (found)
            break;
    }
    if (!found)
        for (const auto &d : targets)
            for (const auto &g : d->geneNames)
                if (!found && QString::fromStdString(g).compare(gene, Qt::CaseInsensitive) == 0) {
                    name = g;
                    found = true;
                }
    if (!found) {
        m_info->setText(tr("No gene named “%1” in the target files.").arg(gene));
        return;
    }
    m_key = QStringLiteral("gene:") + QString::fromStdString(name);
    m_gene->setText(QString::fromStdString(name));
    // The list shows the gene as the current colouring (one gene entry, replaced by the next).
    for (int i = m_colorBy->count() - 1; i >= 0; --i)
        if (m_colorBy->itemData(i).toString().startsWith(QLatin1String("gene:")))
            m_colorBy->removeItem(i);
    m_colorBy->addItem(tr("Gene: %1").arg(QString::fromStdString(name)), m_key);
    m_colorBy->setCurrentIndex(m_colorBy->count() - 1);
    m_info->setText(tr("Computing %1 in every cell…").arg(QString::fromStdString(name)));
    // Off the GUI thread: a column of a million-cell matrix and its row sums take a second.
    auto watcher = std::make_shared<QFutureWatcher<std::vector<float>>>();
    m_geneWatcher = watcher;
    connect(watcher.get(), &QFutureWatcher<std::vector<float>>::finished, this, [this, watcher, name] {
        if (m_geneWatcher != watcher || m_key != QStringLiteral("gene:") + QString::fromStdString(name))
            return;   // another colouring was chosen meanwhile
        const auto values = watcher->result();
        if (static_cast<std::int64_t>(values.size()) != m_view->targetCells())
            return;
        applyContinuous(tr("%1, log1p(CPM)").arg(QString::fromStdString(name)), values, std::nullopt, QString());
        m_info->setText(tr("Expression of %1 as the model sees it: log1p of counts per million.").arg(QString::fromStdString(name)));
        Q_EMIT coloringApplied(m_key);
    });
    watcher->setFuture(QtConcurrent::run([targets, name] { return geneValues(targets, name); }));
}

QString BrowserPage::tooltipFor(std::int64_t point) const
{
    const auto &targets = m_project->data().targets;
    if (point < m_view->targetCells()) {
        std::int64_t at = point;
        for (std::size_t f = 0; f < targets.size(); ++f) {
            if (at < targets[f]->cells()) {
                QString text = tr("<b>%1</b><br>%2").arg(QString::fromStdString(targets[f]->cellIds[static_cast<std::size_t>(at)]).toHtmlEscaped(),
                    QString::fromStdString(datasetDisplayName(*targets[f], f)).toHtmlEscaped());
                const auto &labelings = m_project->labelings();
                if (f < labelings.size() && labelings[f]->predictions.cells == targets[f]->cells()) {
                    const auto &p = labelings[f]->predictions;
                    text += tr("<br>predicted %1 (confidence %2)").arg(QString::fromStdString(labelings[f]->labels[static_cast<std::size_t>(at)]).toHtmlEscaped())
                                .arg(p.confidence[static_cast<std::size_t>(at)], 0, 'f', 2);
                    text += tr("<br>final label %1").arg(QString::fromStdString(m_project->annotations()[f].finalLabel(at)).toHtmlEscaped());
                }
                return text;
            }
            at -= targets[f]->cells();
        }
        return {};
    }
    std::int64_t at = point - m_view->targetCells();
    const auto &training = m_project->data().training;
    const std::string column = m_project->data().labelColumn.toStdString();
    for (std::size_t f = 0; f < training.size(); ++f) {
        if (at < training[f]->cells()) {
            const ObsColumn *c = training[f]->findObs(column);
            return tr("<b>%1</b><br>training: %2<br>label %3")
                .arg(QString::fromStdString(training[f]->cellIds[static_cast<std::size_t>(at)]).toHtmlEscaped(),
                    QString::fromStdString(datasetDisplayName(*training[f], targets.size() + f)).toHtmlEscaped(),
                    c ? QString::fromStdString(c->text(at)).toHtmlEscaped() : QString());
        }
        at -= training[f]->cells();
    }
    return {};
}

std::int64_t BrowserPage::relabelSelection(const QString &label, const QString &onlyPredicted, bool onlyUnreviewed)
{
    const auto &selected = m_view->selection();
    if (selected.empty() || label.trimmed().isEmpty() || m_project->targetCells() != m_view->targetCells())
        return 0;
    std::vector<std::int64_t> cells;
    const std::string predicted = onlyPredicted.toStdString();
    for (std::int64_t c : selected.indices()) {
        if (!predicted.empty() || onlyUnreviewed) {
            const auto [f, at] = m_project->locateCell(c);
            const Annotations &file = m_project->annotations()[f];
            if ((!predicted.empty() && file.predictedLabel(at) != predicted) || (onlyUnreviewed && file.reviewed(at)))
                continue;
        }
        cells.push_back(c);
    }
    const auto changed = m_project->relabelCells(cells, label.trimmed().toStdString(),
        cells.size() == 1 ? LabelSource::Relabelled : LabelSource::Lasso);
    m_info->setText(tr("Relabelled %n cell(s) as %1 (Edit → Undo reverts it).", nullptr, static_cast<int>(changed)).arg(label.trimmed()));
    return changed;
}

bool BrowserPage::explainClass(const QString &name)
{
    if (m_project->labelings().empty())
        return false;
    const auto &classes = m_project->labelings().front()->predictions.classes;
    const auto at = std::find(classes.begin(), classes.end(), name.toStdString());
    if (at == classes.end())
        return false;
    m_sideTabs->setCurrentWidget(m_inspector);
    m_inspector->showClass(static_cast<int>(at - classes.begin()));
    return true;
}

std::int64_t BrowserPage::acceptSelection()
{
    if (m_view->selection().empty() || m_project->targetCells() != m_view->targetCells())
        return 0;
    const auto changed = m_project->acceptCells(m_view->selection().indices());
    m_info->setText(tr("Accepted the model's label for %n cell(s).", nullptr, static_cast<int>(changed)));
    return changed;
}

void BrowserPage::askRelabel()
{
    if (m_view->selection().empty()) {
        m_info->setText(tr("Select cells first: click, lasso (L) or rectangle (R)."));
        return;
    }
    QDialog dialog(this);
    dialog.setWindowTitle(tr("Relabel %n Selected Cell(s)", nullptr, static_cast<int>(m_view->selection().count())));
    auto *label = new QComboBox(&dialog);
    label->setEditable(true);
    label->addItems(m_project->labelNames());
    label->setCurrentText(QString());
    label->lineEdit()->setPlaceholderText(tr("a class, Unassigned, or a new name"));
    label->completer()->setCaseSensitivity(Qt::CaseInsensitive);
    auto *predicted = new QComboBox(&dialog);
    predicted->addItem(tr("any predicted label"), QString());
    if (!m_project->labelings().empty())
        for (const auto &c : m_project->labelings().front()->predictions.classes)
            predicted->addItem(tr("only cells predicted %1").arg(QString::fromStdString(c)), QString::fromStdString(c));
    auto *unreviewed = new QCheckBox(tr("Only cells not yet reviewed"), &dialog);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, &dialog);
    connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    auto *form = new QFormLayout(&dialog);
    form->addRow(tr("New label:"), label);
    form->addRow(tr("Cells:"), predicted);
    form->addRow(QString(), unreviewed);
    form->addRow(buttons);
    if (dialog.exec() != QDialog::Accepted || label->currentText().trimmed().isEmpty())
        return;
    relabelSelection(label->currentText(), predicted->currentData().toString(), unreviewed->isChecked());
}

QString BrowserPage::exportFigure(const QString &path, int pngWidth) const
{
    if (m_view->pointCount() == 0)
        return tr("There is no map to export yet.");
    const QString caption = m_legend->title() + QStringLiteral(" — ") +
        tr("%1 cells").arg(QLocale().toString(static_cast<qlonglong>(m_view->targetCells())));
    return exportMapFigure(path, *m_view, *m_legend, caption, pngWidth);
}

void BrowserPage::askExport()
{
    if (m_view->pointCount() == 0)
        return;
    QString filter;
    const QString path = QFileDialog::getSaveFileName(this, tr("Export Figure"), QStringLiteral("cell-map.png"),
        tr("PNG image (*.png);;SVG drawing (*.svg);;PDF document (*.pdf)"), &filter);
    if (path.isEmpty())
        return;
    int width = 2400;
    if (path.endsWith(QLatin1String(".png"), Qt::CaseInsensitive)) {
        bool ok = false;
        width = QInputDialog::getInt(this, tr("Export Figure"), tr("Width in pixels:"), 2400, 400, 12000, 100, &ok);
        if (!ok)
            return;
    }
    const QString error = exportFigure(path, width);
    if (!error.isEmpty())
        QMessageBox::warning(this, tr("Export Figure"), error);
    else
        m_info->setText(tr("Wrote %1.").arg(path));
}

std::map<std::string, std::string> BrowserPage::labelColors() const
{
    // The names in the order the final-label colouring lists them: classes, Unassigned, names people added, then
    // training labels the targets do not carry.
    std::vector<std::string> names;
    const auto add = [&](const std::string &n) {
        if (std::find(names.begin(), names.end(), n) == names.end())
            names.push_back(n);
    };
    if (!m_project->labelings().empty())
        for (const auto &c : m_project->labelings().front()->predictions.classes)
            add(c);
    add(kUnassigned);
    for (const auto &a : m_project->annotations())
        for (const auto &n : a.labelNames())
            add(n);
    if (m_haveTrainingOnMap) {
        std::set<std::string> training;
        const std::string column = m_project->data().labelColumn.toStdString();
        for (const auto &d : m_project->data().training)
            if (const ObsColumn *c = d->findObs(column))
                for (std::int64_t i = 0; i < d->cells(); ++i)
                    training.insert(c->text(i));
        for (const auto &n : training)
            add(n);
    }
    std::map<std::string, std::string> chosen;
    for (const auto &n : names) {
        const auto custom = m_customColors.constFind(QStringLiteral("final|") + QString::fromStdString(n));
        if (custom != m_customColors.constEnd())
            chosen[n] = custom->name().toStdString();
    }
    const auto colors = nym::labelColors(names, chosen);
    std::map<std::string, std::string> out;
    for (std::size_t k = 0; k < names.size(); ++k)
        out[names[k]] = colors[k];
    return out;
}

void BrowserPage::selectCells(const std::vector<std::int64_t> &cells)
{
    m_view->selectCells(cells, CellSelection::Mode::Replace);
}

std::vector<std::int64_t> BrowserPage::selectedCells() const
{
    if (m_project->targetCells() != m_view->targetCells())
        return {};
    return m_view->selection().indices();
}

std::map<std::string, std::string> BrowserPage::viewSettings() const
{
    return {{"color_by", m_key.toStdString()}, {"point_size", std::to_string(m_size->value())},
        {"opacity", std::to_string(m_opacity->value())}};
}

void BrowserPage::applyViewSettings(const std::map<std::string, std::string> &view)
{
    const auto get = [&](const char *key) {
        const auto it = view.find(key);
        return it == view.end() ? QString() : QString::fromStdString(it->second);
    };
    bool ok = false;
    if (const int v = get("point_size").toInt(&ok); ok)
        m_size->setValue(v);
    if (const int v = get("opacity").toInt(&ok); ok)
        m_opacity->setValue(v);
    if (const QString key = get("color_by"); !key.isEmpty())
        setColorBy(key);
}

}   // namespace nym::ui
