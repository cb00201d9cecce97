#include "ui/browser/cellinspector.h"

#include "ui/document/project.h"
#include "ui/workers/saliencyservice.h"

#include "core/data/trainingset.h"
#include "core/io/tablewriter.h"

#include <QComboBox>
#include <QDateTime>
#include <QHBoxLayout>
#include <QEvent>
#include <QFileDialog>
#include <QMessageBox>
#include <QToolButton>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QPainter>
#include <QTableWidget>
#include <QVBoxLayout>

#include <algorithm>

namespace nym::ui {

CellInspector::CellInspector(Project *project, QWidget *parent)
    : QWidget(parent)
    , m_project(project)
{
    m_summary = new QLabel(this);
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_chart = new QWidget(this);
    m_chart->setMinimumHeight(60);
    m_chart->installEventFilter(this);
    m_obs = new QTableWidget(0, 2, this);
    m_obs->setHorizontalHeaderLabels({tr("obs column"), tr("value")});
    m_obs->verticalHeader()->hide();
    m_obs->horizontalHeader()->setStretchLastSection(true);
    m_obs->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_obs->setMaximumHeight(120);
    m_service = new SaliencyService(this);
    m_class = new QComboBox(this);
    m_method = new QComboBox(this);
    m_method->addItems({tr("expected gradients"), tr("integrated gradients"), tr("vanilla gradients")});
    m_method->setToolTip(tr("Expected gradients is the reference scNym's default"));
    m_saliencyStatus = new QLabel(this);
    m_saliencyStatus->setWordWrap(true);
    m_genes = new QTableWidget(0, 5, this);
    m_genes->setObjectName(QStringLiteral("saliencyGenes"));
    m_genes->setHorizontalHeaderLabels({tr("gene"), tr("attribution"), tr("this cell"), tr("class mean"), tr("others")});
    m_genes->verticalHeader()->hide();
    m_genes->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_genes->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_genes->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_genes->setToolTip(tr("Click a gene to colour the map by it"));
    m_export = new QToolButton(this);
    m_export->setText(tr("CSV…"));
    m_export->setToolTip(tr("Save this gene list as a table (CSV or TSV)"));
    m_export->setEnabled(false);
    connect(m_export, &QToolButton::clicked, this, [this] {
        const QString path = QFileDialog::getSaveFileName(this, tr("Save Gene List"), QStringLiteral("genes.csv"),
            tr("Comma-separated (*.csv);;Tab-separated (*.tsv)"));
        if (path.isEmpty())
            return;
        if (const QString error = exportGenes(path); !error.isEmpty())
            QMessageBox::warning(this, tr("Save Gene List"), error);
    });
    auto *explain = new QHBoxLayout;
    explain->addWidget(new QLabel(tr("Why"), this));
    explain->addWidget(m_class, 1);
    explain->addWidget(m_method, 1);
    auto *status = new QHBoxLayout;
    status->addWidget(m_saliencyStatus, 1);
    status->addWidget(m_export);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_summary);
    layout->addWidget(new QLabel(tr("<b>Class probabilities</b>"), this));
    layout->addWidget(m_chart);
    layout->addWidget(m_obs);
    layout->addWidget(new QLabel(tr("<b>Genes behind the call</b>"), this));
    layout->addLayout(explain);
    layout->addLayout(status);
    layout->addWidget(m_genes, 1);
    connect(m_service, &SaliencyService::ready, this, &CellInspector::showSaliency);
    connect(m_class, &QComboBox::activated, this, [this] { requestSaliency(); });
    connect(m_method, &QComboBox::activated, this, [this] { requestSaliency(); });
    connect(m_genes, &QTableWidget::cellClicked, this, [this](int row, int) {
        if (auto *item = m_genes->item(row, 0))
            Q_EMIT geneClicked(item->text());
    });
    connect(project, &Project::labelsChanged, this, [this](const std::vector<std::int64_t> &cells) {
        if (std::find(cells.begin(), cells.end(), m_cell) != cells.end())
            refresh();
    });
    connect(project, &Project::labelingsChanged, this, [this] {
        m_class->clear();
        m_class->addItem(tr("its predicted class"));
        if (!m_project->labelings().empty())
            for (const auto &c : m_project->labelings().front()->predictions.classes)
                m_class->addItem(QString::fromStdString(c));
        showCell(-1);
    });
    connect(project, &Project::thresholdChanged, this, &CellInspector::refresh);
    refresh();
}

void CellInspector::showClass(int cls)
{
    if (m_project->labelings().empty() || !m_project->model() || m_project->data().targets.empty())
        return;
    const auto &classes = m_project->labelings().front()->predictions.classes;
    if (cls < 0 || cls >= static_cast<int>(classes.size()))
        return;
    m_cell = -1;
    m_class_summary = cls;
    m_bars.clear();
    m_obs->setRowCount(0);
    m_chart->update();
    m_summary->setText(tr("<b>%1</b>: the genes the model relies on for this class (mean attribution over up to 100 of "
                          "its predicted cells in %2)")
                           .arg(QString::fromStdString(classes[static_cast<std::size_t>(cls)]).toHtmlEscaped(),
                               QString::fromStdString(datasetDisplayName(*m_project->data().targets.front(), 0)).toHtmlEscaped()));
    m_genes->setRowCount(0);
    m_shown.clear();
    m_export->setEnabled(false);
    SaliencyRequest r;
    r.model = m_project->model();
    r.dataset = m_project->data().targets.front();
    r.labeling = m_project->labelings().front();
    r.cls = cls;
    r.classSummary = true;
    r.method = static_cast<SaliencyMethod>(m_method->currentIndex());
    m_saliencyStatus->setText(tr("Computing…"));
    m_service->request(r);
}

void CellInspector::showCell(std::int64_t cell)
{
    m_class_summary = -1;
    const bool other = cell != m_cell;
    m_cell = cell >= 0 && cell < m_project->targetCells() ? cell : -1;
    refresh();
    if (other)
        requestSaliency();
}

void CellInspector::setExplainedClass(int cls)
{
    m_class->setCurrentIndex(std::clamp(cls + 1, 0, std::max(0, m_class->count() - 1)));
    requestSaliency();
}

void CellInspector::setMethod(int method)
{
    m_method->setCurrentIndex(std::clamp(method, 0, 2));
    requestSaliency();
}

void CellInspector::requestSaliency()
{
    m_genes->setRowCount(0);
    m_shown.clear();
    m_export->setEnabled(false);
    // Only for a cell someone looks at: the queue moves the current cell while the inspector is hidden.
    m_saliencyWanted = !isVisible();
    if (m_saliencyWanted)
        return;
    if (m_cell < 0 || !m_project->model()) {
        m_saliencyStatus->setText(QString());
        return;
    }
    const auto [file, local] = m_project->locateCell(m_cell);
    const auto &labelings = m_project->labelings();
    if (file >= labelings.size() || file >= m_project->data().targets.size())
        return;
    SaliencyRequest r;
    r.model = m_project->model();
    r.dataset = m_project->data().targets[file];
    r.labeling = labelings[file];
    r.cell = local;
    r.cls = m_class->currentIndex() - 1;
    r.method = static_cast<SaliencyMethod>(m_method->currentIndex());
    m_saliencyStatus->setText(tr("Computing…"));
    m_service->request(r);
}

void CellInspector::showSaliency(const SaliencyResult &result)
{
    if (result.request.classSummary) {
        if (result.request.cls != m_class_summary || static_cast<int>(result.request.method) != m_method->currentIndex())
            return;
        m_saliencyStatus->setText(result.error.isEmpty() ? tr("Top %1 genes, %2").arg(result.genes.size()).arg(m_method->currentText())
                                                         : tr("Could not explain this class: %1").arg(result.error));
        m_shownCell.clear();
        m_shownClass = m_project->labelings().front()->predictions.classes[static_cast<std::size_t>(m_class_summary)];
        fillGenes(result.genes);
        return;
    }
    // Only the answer for what is shown now (an earlier cell's result is cached, not shown).
    if (m_cell < 0)
        return;
    const auto [file, local] = m_project->locateCell(m_cell);
    const auto &labelings = m_project->labelings();
    if (file >= labelings.size() || result.request.labeling != labelings[file] || result.request.cell != local
        || result.request.cls != m_class->currentIndex() - 1 || static_cast<int>(result.request.method) != m_method->currentIndex())
        return;
    if (!result.error.isEmpty()) {
        m_saliencyStatus->setText(tr("Could not explain this cell: %1").arg(result.error));
        return;
    }
    const auto &classes = labelings[file]->predictions.classes;
    const std::int32_t cls = result.request.cls >= 0 ? result.request.cls : labelings[file]->predictions.label[static_cast<std::size_t>(local)];
    m_saliencyStatus->setText(tr("Top %1 genes for %2 (%3)").arg(result.genes.size())
                                  .arg(QString::fromStdString(classes[static_cast<std::size_t>(cls)]), m_method->currentText()));
    m_shownCell = m_project->data().targets[file]->cellIds[static_cast<std::size_t>(local)];
    m_shownClass = classes[static_cast<std::size_t>(cls)];
    fillGenes(result.genes);
}

QString CellInspector::exportGenes(const QString &path) const
{
    if (m_shown.empty())
        return tr("There is no gene list to save yet.");
    const std::size_t n = m_shown.size();
    std::vector<std::string> gene;
    std::vector<double> attribution, expression, classMean, otherMean;
    for (const auto &a : m_shown) {
        gene.push_back(a.gene);
        attribution.push_back(a.attribution);
        expression.push_back(a.expression);
        classMean.push_back(a.classMean);
        otherMean.push_back(a.otherMean);
    }
    std::vector<TableColumn> cols;
    cols.push_back(TableColumn::ofText("cell", std::vector<std::string>(n, m_shownCell)));
    cols.push_back(TableColumn::ofText("explained_class", std::vector<std::string>(n, m_shownClass)));
    cols.push_back(TableColumn::ofText("method", std::vector<std::string>(n, m_method->currentText().toStdString())));
    cols.push_back(TableColumn::ofText("gene", std::move(gene)));
    cols.push_back(TableColumn::ofNumbers("attribution", std::move(attribution)));
    // A class summary has no single cell: its "this cell" column is the class mean over the cells explained.
    cols.push_back(TableColumn::ofNumbers(m_shownCell.empty() ? "expression_mean" : "expression_this_cell", std::move(expression)));
    cols.push_back(TableColumn::ofNumbers("class_mean", std::move(classMean)));
    cols.push_back(TableColumn::ofNumbers("others_mean", std::move(otherMean)));
    try {
        TableWriteOptions o;
        o.overwrite = true;   // the save dialog asked
        writeTable(path.toStdString(), cols, o);
    } catch (const std::exception &e) {
        return QString::fromUtf8(e.what());
    }
    return {};
}

void CellInspector::fillGenes(const std::vector<GeneAttribution> &genes)
{
    m_shown.clear();
    for (const auto &a : genes)
        m_shown.push_back({a.gene, a.attribution, a.expression, a.classMean, a.otherMean});
    m_export->setEnabled(!m_shown.empty());
    m_genes->setRowCount(static_cast<int>(genes.size()));
    for (std::size_t g = 0; g < genes.size(); ++g) {
        const auto &a = genes[g];
        const int row = static_cast<int>(g);
        m_genes->setItem(row, 0, new QTableWidgetItem(QString::fromStdString(a.gene)));
        m_genes->setItem(row, 1, new QTableWidgetItem(QLocale().toString(a.attribution, 'g', 3)));
        m_genes->setItem(row, 2, new QTableWidgetItem(QLocale().toString(a.expression, 'f', 2)));
        m_genes->setItem(row, 3, new QTableWidgetItem(QLocale().toString(a.classMean, 'f', 2)));
        m_genes->setItem(row, 4, new QTableWidgetItem(QLocale().toString(a.otherMean, 'f', 2)));
    }
    Q_EMIT genesShown(m_cell);
}

QString CellInspector::summaryText() const
{
    return m_summary->text();
}

void CellInspector::refresh()
{
    m_bars.clear();
    m_obs->setRowCount(0);
    if (m_cell < 0) {
        m_summary->setText(tr("Click a cell on the map, or go through the review queue, to see it here."));
        m_chart->setMinimumHeight(20);
        m_chart->update();
        return;
    }
    const auto [file, local] = m_project->locateCell(m_cell);
    const Annotations &a = m_project->annotations()[file];
    const auto &targets = m_project->data().targets;
    const Dataset *d = file < targets.size() ? targets[file].get() : nullptr;
    const auto state = a.state(local);
    QString text = tr("<b>%1</b> · %2<br>predicted <b>%3</b>, confidence %4<br>final label <b>%5</b> (%6%7)")
                       .arg(d ? QString::fromStdString(d->cellIds[static_cast<std::size_t>(local)]).toHtmlEscaped() : QString::number(m_cell),
                           d ? QString::fromStdString(datasetDisplayName(*d, file)).toHtmlEscaped() : QString(),
                           QString::fromStdString(a.predictedLabel(local)).toHtmlEscaped(),
                           QLocale().toString(a.confidence(local), 'f', 3),
                           QString::fromStdString(a.finalLabel(local)).toHtmlEscaped(),
                           QString::fromLatin1(labelSourceName(state.source)),
                           state.reviewed ? tr(", reviewed") : QString());
    if (a.hasSecondOpinion()) {
        const auto second = static_cast<std::size_t>(a.secondLabel(local));
        const bool differs = a.secondLabel(local) != a.predicted(local);
        text += tr("<br>linear model says %1%2%3, %4%5")
                    .arg(differs ? QStringLiteral("<b>") : QString(),
                        QString::fromStdString(a.classes()[second]).toHtmlEscaped(),
                        differs ? QStringLiteral("</b>") : QString(),
                        QLocale().toString(a.secondConfidence(local), 'f', 3),
                        differs ? tr(" — <i>a second opinion that disagrees</i>") : QString());
    }
    if (state.editTime > 0)
        text += tr("<br>last edit %1").arg(QLocale().toString(QDateTime::fromSecsSinceEpoch(state.editTime), QLocale::ShortFormat));
    if (a.noCounts(local))
        text += tr("<br><i>no counts in the model's genes</i>");
    m_summary->setText(text);
    if (const float *p = a.probabilities(local)) {
        for (std::size_t k = 0; k < a.classes().size(); ++k)
            m_bars.emplace_back(QString::fromStdString(a.classes()[k]), p[k]);
        std::stable_sort(m_bars.begin(), m_bars.end(), [](const auto &x, const auto &y) { return x.second > y.second; });
    }
    m_chart->setMinimumHeight(static_cast<int>(m_bars.size()) * 18 + 4);
    m_chart->update();
    if (d) {
        m_obs->setRowCount(static_cast<int>(d->obs.size()));
        for (std::size_t c = 0; c < d->obs.size(); ++c) {
            m_obs->setItem(static_cast<int>(c), 0, new QTableWidgetItem(QString::fromStdString(d->obs[c].name)));
            m_obs->setItem(static_cast<int>(c), 1, new QTableWidgetItem(QString::fromStdString(d->obs[c].text(local))));
        }
    }
}

void CellInspector::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    if (m_saliencyWanted)
        requestSaliency();
}

bool CellInspector::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_chart && event->type() == QEvent::Paint) {
        // Horizontal bars, highest first, the predicted class in the highlight colour.
        QPainter p(m_chart);
        p.setRenderHint(QPainter::Antialiasing);
        const QFontMetrics fm(p.font());
        int labelWidth = 0;
        for (const auto &[name, value] : m_bars)
            labelWidth = std::max(labelWidth, fm.horizontalAdvance(name));
        labelWidth = std::min(labelWidth + 8, m_chart->width() / 2);
        const int barMax = std::max(10, m_chart->width() - labelWidth - 50);
        int y = 2;
        for (std::size_t k = 0; k < m_bars.size(); ++k) {
            const auto &[name, value] = m_bars[k];
            p.setPen(palette().text().color());
            p.drawText(QRect(0, y, labelWidth - 4, 16), Qt::AlignRight | Qt::AlignVCenter, fm.elidedText(name, Qt::ElideRight, labelWidth - 4));
            const QRect bar(labelWidth, y + 3, std::max(1, static_cast<int>(value * barMax)), 10);
            p.fillRect(bar, k == 0 ? palette().highlight().color() : QColor(150, 150, 150));
            p.drawText(QRect(bar.right() + 4, y, 50, 16), Qt::AlignLeft | Qt::AlignVCenter, QLocale().toString(value, 'f', 2));
            y += 18;
        }
        return true;
    }
    return QWidget::eventFilter(watched, event);
}

}   // namespace nym::ui
