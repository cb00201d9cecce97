#include "ui/plots/plotwidget.h"

#include <QFileDialog>
#include <QFileInfo>
#include <QMenu>
#include <QMessageBox>
#include <QSvgGenerator>
#include <QToolTip>

#include <cmath>

namespace nym::ui {

PlotWidget::PlotWidget(const QString &title, QWidget *parent)
    : QCustomPlot(parent)
{
    plotLayout()->insertRow(0);
    m_title = new QCPTextElement(this, title, QFont(font().family(), font().pointSize() + 1, QFont::Bold));
    plotLayout()->addElement(0, 0, m_title);
    legend->setVisible(true);
    QFont small = font();
    small.setPointSizeF(small.pointSizeF() * 0.85);
    legend->setFont(small);
    legend->setBrush(QColor(255, 255, 255, 210));
    legend->setBorderPen(QPen(QColor(200, 200, 200)));
    axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);
    setMinimumSize(260, 180);
    setMouseTracking(true);
    setContextMenuPolicy(Qt::CustomContextMenu);
    connect(this, &QWidget::customContextMenuRequested, this, &PlotWidget::showMenu);
}

QCPGraph *PlotWidget::addSeries(const QString &name, const QColor &color, Qt::PenStyle style, QCPAxis *valueAxis)
{
    QCPGraph *g = addGraph(xAxis, valueAxis ? valueAxis : yAxis);
    g->setName(name);
    QPen pen(color, style == Qt::SolidLine ? 2.0 : 1.5, style);
    g->setPen(pen);
    return g;
}

bool PlotWidget::exportTo(const QString &path, int width, int height)
{
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix == QLatin1String("png"))
        return savePng(path, width, height, 2.0);
    if (suffix == QLatin1String("pdf"))
        return savePdf(path, width, height);
    if (suffix == QLatin1String("svg")) {
        const int w = width > 0 ? width : this->width();
        const int h = height > 0 ? height : this->height();
        QSvgGenerator svg;
        svg.setFileName(path);
        svg.setSize(QSize(w, h));
        svg.setViewBox(QRect(0, 0, w, h));
        svg.setTitle(m_title->text());
        QCPPainter painter;
        if (!painter.begin(&svg))
            return false;
        toPainter(&painter, w, h);
        painter.end();
        return QFileInfo(path).size() > 0;
    }
    return false;
}

QString PlotWidget::hoverText(const QPointF &pos) const
{
    double best = 12.0 * 12.0;   // pixels²: only points this close count
    QString text;
    for (int i = 0; i < graphCount(); ++i) {
        QCPGraph *g = graph(i);
        if (!g->visible() || g->name().isEmpty())
            continue;
        for (auto it = g->data()->constBegin(); it != g->data()->constEnd(); ++it) {
            if (!std::isfinite(it->value))
                continue;
            const double px = g->keyAxis()->coordToPixel(it->key);
            const double py = g->valueAxis()->coordToPixel(it->value);
            const double d = (px - pos.x()) * (px - pos.x()) + (py - pos.y()) * (py - pos.y());
            if (d < best) {
                best = d;
                text = QStringLiteral("%1\n%2 = %3\n%4 = %5")
                           .arg(g->name(), g->keyAxis()->label(), QString::number(it->key, 'g', 4),
                               g->valueAxis()->label(), QString::number(it->value, 'g', 4));
            }
        }
    }
    return text;
}

void PlotWidget::mouseMoveEvent(QMouseEvent *event)
{
    QCustomPlot::mouseMoveEvent(event);
    const QString text = hoverText(event->position());
    if (text.isEmpty())
        QToolTip::hideText();
    else
        QToolTip::showText(event->globalPosition().toPoint(), text, this);
}

void PlotWidget::showMenu(const QPoint &pos)
{
    QMenu menu(this);
    const auto add = [&](const QString &label, const QString &suffix, const QString &filter) {
        menu.addAction(label, this, [this, suffix, filter] {
            QString base = m_title->text().toLower();
            base.replace(QLatin1Char(' '), QLatin1Char('-'));
            const QString path = QFileDialog::getSaveFileName(this, tr("Export Plot"), base + suffix, filter);
            if (!path.isEmpty() && !exportTo(path))
                QMessageBox::warning(this, tr("Export failed"), tr("Could not write %1.").arg(path));
        });
    };
    add(tr("Export as PNG…"), QStringLiteral(".png"), tr("PNG image (*.png)"));
    add(tr("Export as SVG…"), QStringLiteral(".svg"), tr("SVG drawing (*.svg)"));
    add(tr("Export as PDF…"), QStringLiteral(".pdf"), tr("PDF document (*.pdf)"));
    menu.exec(mapToGlobal(pos));
}

}   // namespace nym::ui
