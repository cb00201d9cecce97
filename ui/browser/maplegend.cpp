#include "ui/browser/maplegend.h"

#include "ui/browser/palettes.h"

#include <QContextMenuEvent>
#include <QLabel>
#include <QListWidget>
#include <QLocale>
#include <QMenu>
#include <QPainter>
#include <QStackedLayout>
#include <QVBoxLayout>

namespace nym::ui {

namespace {

// A filled disc for a shown category, a hollow ring for a hidden one.
QIcon swatch(const QColor &color, bool shown)
{
    QPixmap pixmap(14, 14);
    pixmap.fill(Qt::transparent);
    QPainter p(&pixmap);
    p.setRenderHint(QPainter::Antialiasing);
    p.setPen(QPen(color.darker(130), shown ? 1.0 : 2.0));
    p.setBrush(shown ? QBrush(color) : QBrush(Qt::NoBrush));
    p.drawEllipse(QRectF(1.5, 1.5, 11, 11));
    return QIcon(pixmap);
}

QString number(double v)
{
    return QLocale().toString(v, 'g', 3);
}

// The continuous scale on screen: the same drawing as in a figure.
class ScaleView : public QWidget
{
public:
    explicit ScaleView(const MapLegend *legend, QWidget *parent) : QWidget(parent), m_legend(legend) { setMinimumHeight(90); }

protected:
    void paintEvent(QPaintEvent *) override
    {
        QPainter p(this);
        MapLegend::paint(p, QRectF(rect()).adjusted(4, 4, -4, -4), QString(), {}, m_legend->scale());
    }

private:
    const MapLegend *m_legend;
};

}   // namespace

MapLegend::MapLegend(QWidget *parent)
    : QWidget(parent)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_heading = new QLabel(this);
    m_heading->setWordWrap(true);
    QFont bold = m_heading->font();
    bold.setBold(true);
    m_heading->setFont(bold);
    layout->addWidget(m_heading);
    auto *stackHost = new QWidget(this);
    m_stack = new QStackedLayout(stackHost);
    m_list = new QListWidget(stackHost);
    m_list->setObjectName(QStringLiteral("legendList"));
    m_list->setToolTip(tr("Click to hide or show; double-click selects the cells; right-click changes the colour."));
    m_list->setContextMenuPolicy(Qt::CustomContextMenu);
    m_scaleView = new ScaleView(this, stackHost);
    m_stack->addWidget(m_list);
    m_stack->addWidget(m_scaleView);
    layout->addWidget(stackHost, 1);
    // A click toggles; a double-click (two clicks: shown again) selects the category's cells.
    connect(m_list, &QListWidget::itemClicked, this, [this](QListWidgetItem *item) {
        const int row = m_list->row(item);
        if (row >= 0 && row < m_entries.size())
            setEntryVisible(row, !m_entries[row].visible);
    });
    connect(m_list, &QListWidget::itemDoubleClicked, this, [this](QListWidgetItem *item) { Q_EMIT entryActivated(m_list->row(item)); });
    connect(m_list, &QListWidget::customContextMenuRequested, this, [this](const QPoint &at) {
        const int row = m_list->row(m_list->itemAt(at));
        if (row < 0)
            return;
        QMenu menu(this);
        menu.addAction(tr("Change Colour of “%1”…").arg(m_entries[row].name), this, [this, row] { Q_EMIT colorChangeRequested(row); });
        menu.addAction(tr("Select Its Cells"), this, [this, row] { Q_EMIT entryActivated(row); });
        if (m_explainable)
            menu.addAction(tr("Genes the Model Relies On for “%1”").arg(m_entries[row].name), this, [this, row] { Q_EMIT explainRequested(row); });
        if (m_renamable)
            menu.addAction(tr("Rename or Merge “%1”…").arg(m_entries[row].name), this, [this, row] { Q_EMIT renameRequested(row); });
        menu.addAction(tr("Show Only This"), this, [this, row] {
            for (int i = 0; i < m_entries.size(); ++i)
                setEntryVisible(i, i == row);
        });
        menu.addAction(tr("Show All"), this, [this] {
            for (int i = 0; i < m_entries.size(); ++i)
                setEntryVisible(i, true);
        });
        menu.exec(m_list->viewport()->mapToGlobal(at));
    });
}

void MapLegend::setCategories(const QString &title, const QVector<Entry> &entries)
{
    m_title = title;
    m_entries = entries;
    m_continuous = false;
    rebuild();
}

void MapLegend::setScale(const Scale &scale)
{
    m_title = scale.title;
    m_scale = scale;
    m_entries.clear();
    m_continuous = true;
    rebuild();
}

void MapLegend::setEntryVisible(int entry, bool visible)
{
    if (entry < 0 || entry >= m_entries.size() || m_entries[entry].visible == visible)
        return;
    m_entries[entry].visible = visible;
    styleItem(entry);
    Q_EMIT visibilityChanged(entry, visible);
}

void MapLegend::styleItem(int entry)
{
    const Entry &e = m_entries[entry];
    QListWidgetItem *item = m_list->item(entry);
    item->setIcon(swatch(e.color, e.visible));
    item->setForeground(e.visible ? palette().text() : palette().placeholderText());
    item->setToolTip(e.visible ? tr("%1: click to hide").arg(e.name) : tr("%1 (hidden): click to show").arg(e.name));
}

void MapLegend::setEntryColor(int entry, const QColor &color)
{
    if (entry < 0 || entry >= m_entries.size())
        return;
    m_entries[entry].color = color;
    styleItem(entry);
}

void MapLegend::rebuild()
{
    m_heading->setText(m_title);
    m_list->clear();
    for (int i = 0; i < m_entries.size(); ++i) {
        const Entry &e = m_entries[i];
        auto *item = new QListWidgetItem(tr("%1  (%2)").arg(e.name.isEmpty() ? tr("(none)") : e.name, QLocale().toString(e.count)), m_list);
        item->setFlags(Qt::ItemIsEnabled);
        styleItem(i);
    }
    m_stack->setCurrentIndex(m_continuous ? 1 : 0);
    m_scaleView->update();
}

double MapLegend::paint(QPainter &painter, const QRectF &area, const QString &title, const QVector<Entry> &entries,
    const std::optional<Scale> &scale)
{
    painter.save();
    painter.setRenderHint(QPainter::Antialiasing);
    const QFontMetricsF fm(painter.font());
    const double line = fm.height() * 1.25;
    double y = area.top();
    painter.setPen(QColor(30, 30, 30));
    if (!title.isEmpty()) {
        QFont bold = painter.font();
        bold.setBold(true);
        painter.setFont(bold);
        painter.drawText(QPointF(area.left(), y + fm.ascent()), title);
        painter.setFont(QFont(bold.family(), bold.pointSize()));
        y += line * 1.2;
    }
    if (scale) {
        const double barH = std::min(area.height() - (y - area.top()) - fm.height() * 2.5, 160.0);
        const QRectF bar(area.left(), y, std::min(18.0, area.width() / 4), std::max(barH, 20.0));
        for (int i = 0; i < static_cast<int>(bar.height()); ++i) {
            const double t = 1.0 - i / bar.height();
            painter.fillRect(QRectF(bar.left(), bar.top() + i, bar.width(), 1.5), QColor::fromRgb(palettes::viridis(t)));
        }
        painter.setPen(QColor(60, 60, 60));
        painter.setBrush(Qt::NoBrush);
        painter.drawRect(bar);
        const double textX = bar.right() + 6;
        painter.drawText(QPointF(textX, bar.top() + fm.ascent()), number(scale->max));
        painter.drawText(QPointF(textX, bar.bottom()), number(scale->min));
        if (scale->marker && scale->max > scale->min) {
            const double t = (*scale->marker - scale->min) / (scale->max - scale->min);
            const double my = bar.bottom() - std::clamp(t, 0.0, 1.0) * bar.height();
            painter.setPen(QPen(QColor(200, 30, 30), 2));
            painter.drawLine(QPointF(bar.left() - 4, my), QPointF(bar.right() + 4, my));
            painter.drawText(QPointF(textX, my + fm.ascent() / 2 - 1), scale->markerLabel);
        }
        painter.restore();
        return bar.bottom() + fm.height() - area.top();
    }
    for (const Entry &e : entries) {
        if (y + line > area.bottom())
            break;
        painter.setPen(e.color.darker(130));
        painter.setBrush(e.visible ? e.color : QColor(Qt::white));
        painter.drawEllipse(QRectF(area.left(), y + (line - 10) / 2, 10, 10));
        painter.setPen(e.visible ? QColor(30, 30, 30) : QColor(150, 150, 150));
        painter.drawText(QPointF(area.left() + 16, y + (line + fm.ascent() - fm.descent()) / 2),
            QStringLiteral("%1 (%2)").arg(e.name, QLocale().toString(e.count)));
        y += line;
    }
    painter.restore();
    return y - area.top();
}

}   // namespace nym::ui
