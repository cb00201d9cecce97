#pragma once

#include "core/data/cellselection.h"

#include <QImage>
#include <QPolygonF>
#include <QRgb>
#include <QWidget>

#include <cstdint>
#include <functional>
#include <vector>

namespace nym::ui {

// The cell browser's scatter: every target cell (and the training cells on request, drawn under them) at its map
// coordinates, drawn by our own rasteriser into an image (a million points in tens of milliseconds; QCustomPlot
// draws one path per point). Zoom (wheel, pinch, rectangle), pan (drag), reset; point size and opacity follow the
// zoom and the number of cells; click, lasso and rectangle selection with Shift to add and Alt to subtract; Esc
// clears; hover shows a tooltip. Renders what it is given and reports intent: colours, visibility and draw order
// come from the browser page, the selection (view state, not an edit) is read by whoever needs it. GUI thread.
class CellMapView : public QWidget
{
    Q_OBJECT

public:
    enum class Tool { Pan, Lasso, Rectangle, Zoom };

    explicit CellMapView(QWidget *parent = nullptr);

    // Map coordinates, x y per point: the first `targetCells` points are target cells, the rest training cells.
    // Resets colours, visibility, selection and the view.
    void setPoints(std::vector<float> xy, std::int64_t targetCells);
    std::int64_t pointCount() const { return static_cast<std::int64_t>(m_xy.size() / 2); }
    std::int64_t targetCells() const { return m_targetCells; }
    // One opaque colour per point; the order in which points are drawn (later on top; empty: index order) and
    // which are hidden (not drawn, not selectable; empty: none).
    void setColoring(std::vector<QRgb> colors, std::vector<std::int32_t> drawOrder, std::vector<std::uint8_t> hidden);
    void setHidden(std::vector<std::uint8_t> hidden);
    void setShowTraining(bool show);
    bool showTraining() const { return m_showTraining; }
    // Multiplies the automatic point size / opacity (1 = automatic).
    void setPointScale(double scale);
    void setOpacityScale(double scale);
    void setTool(Tool tool);
    Tool tool() const { return m_tool; }

    // Selection of target cells.
    const CellSelection &selection() const { return m_selection; }
    void setSelection(const CellSelection &selection);
    void clearSelection();
    // Selects the visible target cells inside a polygon / rectangle given in map coordinates.
    void selectPolygon(const QPolygonF &polygon, CellSelection::Mode mode);
    void selectRect(const QRectF &rect, CellSelection::Mode mode);
    void selectCells(const std::vector<std::int64_t> &cells, CellSelection::Mode mode);

    // The visible point nearest to a widget position within `radius` pixels, or −1 (spatial grid: microseconds).
    std::int64_t pointAt(QPointF position, double radius = 6.0) const;
    QPointF toWidget(QPointF map) const;
    QPointF toMap(QPointF widget) const;
    void resetView();
    void zoomBy(double factor, QPointF around);
    // Centres the view on a point (keeping the zoom).
    void centreOn(std::int64_t point);

    // Draws the points of the current view into an image of `size` pixels (export, benchmarks).
    QImage renderPoints(QSize size) const;
    double lastRenderMilliseconds() const { return m_lastRenderMs; }
    // Text of the hover tooltip for a point (set by the page).
    std::function<QString(std::int64_t point)> tooltipText;

Q_SIGNALS:
    void selectionChanged(std::int64_t count);
    void pointClicked(std::int64_t point);
    void viewChanged();

protected:
    void paintEvent(QPaintEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    void wheelEvent(QWheelEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
    bool event(QEvent *event) override;

private:
    struct View
    {
        double cx = 0, cy = 0;   // map point at the centre
        double scale = 1;        // pixels per map unit
    };
    View fitted(QSize size) const;
    void buildGrid();
    bool visible(std::int64_t point) const;
    void invalidate();
    void applySelection(const CellSelection &picked, CellSelection::Mode mode);
    static CellSelection::Mode modeFor(Qt::KeyboardModifiers modifiers);
    void render(QImage &image, const View &view) const;

    std::vector<float> m_xy;
    std::int64_t m_targetCells = 0;
    std::vector<QRgb> m_colors;
    std::vector<std::int32_t> m_order;
    std::vector<std::uint8_t> m_hidden;
    bool m_showTraining = false;
    double m_pointScale = 1, m_opacityScale = 1;
    Tool m_tool = Tool::Pan;
    CellSelection m_selection;
    QRectF m_bounds;
    View m_view;
    double m_zoom = 1;   // relative to the fitted view
    // Spatial grid over the bounds: points sorted by cell.
    int m_gridSize = 1;
    std::vector<std::int32_t> m_gridStart, m_gridPoints;

    QImage m_frame;
    bool m_dirty = true;
    mutable double m_lastRenderMs = 0;
    // Interaction.
    QPoint m_pressAt;
    QPointF m_lastDrag;
    bool m_dragging = false, m_panning = false;
    QPolygonF m_lasso;   // widget coordinates while drawing
    QRect m_rubber;
};

}   // namespace nym::ui
