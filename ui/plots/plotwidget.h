#pragma once

#include <qcustomplot.h>

namespace nym::ui {

// A QCustomPlot with what every Nym Studio plot needs: a legend, hover values (the nearest point's series, x and y
// in a tooltip), and export to PNG, SVG or PDF from the context menu. Owned by its parent; GUI thread.
class PlotWidget : public QCustomPlot
{
    Q_OBJECT

public:
    explicit PlotWidget(const QString &title, QWidget *parent = nullptr);

    // Writes the plot; the format follows the suffix (.png, .svg, .pdf). False when it could not be written.
    bool exportTo(const QString &path, int width = 0, int height = 0);
    // The hover text for a widget position ("" when no point is near), for tests and the tooltip.
    QString hoverText(const QPointF &pos) const;
    QCPTextElement *titleElement() const { return m_title; }
    // Adds a line series with a name for the legend.
    QCPGraph *addSeries(const QString &name, const QColor &color, Qt::PenStyle style = Qt::SolidLine,
        QCPAxis *valueAxis = nullptr);

protected:
    void mouseMoveEvent(QMouseEvent *event) override;

private:
    void showMenu(const QPoint &pos);

    QCPTextElement *m_title = nullptr;
};

}   // namespace nym::ui
