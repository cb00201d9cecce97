#include "ui/browser/cellinspector.h"

#include "ui/document/project.h"

#include "core/data/trainingset.h"

#include <QDateTime>
#include <QEvent>
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
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_summary);
    layout->addWidget(new QLabel(tr("<b>Class probabilities</b>"), this));
    layout->addWidget(m_chart);
    layout->addWidget(m_obs, 1);
    connect(project, &Project::labelsChanged, this, [this](const std::vector<std::int64_t> &cells) {
        if (std::find(cells.begin(), cells.end(), m_cell) != cells.end())
            refresh();
    });
    connect(project, &Project::labelingsChanged, this, [this] { showCell(-1); });
    connect(project, &Project::thresholdChanged, this, &CellInspector::refresh);
    refresh();
}

void CellInspector::showCell(std::int64_t cell)
{
    m_cell = cell >= 0 && cell < m_project->targetCells() ? cell : -1;
    refresh();
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
    std::int64_t local = m_cell;
    std::size_t file = 0;
    const auto &annotations = m_project->annotations();
    while (file < annotations.size() && local >= annotations[file].cells())
        local -= annotations[file++].cells();
    const Annotations &a = annotations[file];
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
