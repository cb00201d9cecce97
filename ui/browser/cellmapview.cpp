#include "ui/browser/cellmapview.h"

#include "core/common/parallel.h"

#include <QElapsedTimer>
#include <QKeyEvent>
#include <QLocale>
#include <QMouseEvent>
#include <QNativeGestureEvent>
#include <QPainter>
#include <QPainterPath>
#include <QToolTip>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>

namespace nym::ui {

namespace {

// dst ← src·a + dst·(1 − a), a in [0, 256], two channels per multiply.
inline std::uint32_t blend(std::uint32_t dst, std::uint32_t src, std::uint32_t a)
{
    const std::uint32_t rb = (((src & 0xff00ffu) * a + (dst & 0xff00ffu) * (256 - a)) >> 8) & 0xff00ffu;
    const std::uint32_t g = (((src & 0x00ff00u) * a + (dst & 0x00ff00u) * (256 - a)) >> 8) & 0x00ff00u;
    return 0xff000000u | rb | g;
}

// Coverage of a disc of diameter d on the pixel grid: offsets and weights (0–256).
struct Stamp
{
    std::vector<int> dx, dy;
    std::vector<std::uint32_t> weight;
};

Stamp discStamp(double diameter)
{
    Stamp s;
    const double r = diameter / 2;
    const int reach = static_cast<int>(std::ceil(r));
    for (int y = -reach; y <= reach; ++y)
        for (int x = -reach; x <= reach; ++x) {
            const double coverage = std::clamp(r + 0.5 - std::hypot(x, y), 0.0, 1.0);
            if (coverage <= 0)
                continue;
            s.dx.push_back(x);
            s.dy.push_back(y);
            s.weight.push_back(static_cast<std::uint32_t>(coverage * 256));
        }
    if (s.dx.empty()) {
        s.dx.push_back(0);
        s.dy.push_back(0);
        s.weight.push_back(256);
    }
    return s;
}

}   // namespace

CellMapView::CellMapView(QWidget *parent)
    : QWidget(parent)
{
    setMouseTracking(true);
    setFocusPolicy(Qt::StrongFocus);
    setAttribute(Qt::WA_OpaquePaintEvent);
    setAttribute(Qt::WA_AcceptTouchEvents);
    setMinimumSize(200, 200);
}

void CellMapView::setPoints(std::vector<float> xy, std::int64_t targetCells)
{
    m_xy = std::move(xy);
    m_targetCells = std::clamp<std::int64_t>(targetCells, 0, pointCount());
    m_colors.assign(static_cast<std::size_t>(pointCount()), 0xff808080u);
    m_order.clear();
    m_hidden.clear();
    m_selection = CellSelection(m_targetCells);
    float x0 = INFINITY, y0 = INFINITY, x1 = -INFINITY, y1 = -INFINITY;
    for (std::size_t i = 0; i + 1 < m_xy.size(); i += 2) {
        x0 = std::min(x0, m_xy[i]);
        x1 = std::max(x1, m_xy[i]);
        y0 = std::min(y0, m_xy[i + 1]);
        y1 = std::max(y1, m_xy[i + 1]);
    }
    m_bounds = m_xy.empty() ? QRectF(0, 0, 1, 1) : QRectF(QPointF(x0, y0), QPointF(x1, y1));
    if (m_bounds.width() <= 0)
        m_bounds.adjust(-0.5, 0, 0.5, 0);
    if (m_bounds.height() <= 0)
        m_bounds.adjust(0, -0.5, 0, 0.5);
    buildGrid();
    resetView();
    Q_EMIT selectionChanged(0);
}

void CellMapView::buildGrid()
{
    const std::int64_t n = pointCount();
    m_gridSize = static_cast<int>(std::clamp<double>(std::sqrt(static_cast<double>(n) / 8.0), 1, 2048));
    const int g = m_gridSize;
    std::vector<std::int32_t> cellOf(static_cast<std::size_t>(n));
    m_gridStart.assign(static_cast<std::size_t>(g) * g + 1, 0);
    for (std::int64_t i = 0; i < n; ++i) {
        const int gx = std::clamp(static_cast<int>((m_xy[2 * i] - m_bounds.left()) / m_bounds.width() * g), 0, g - 1);
        const int gy = std::clamp(static_cast<int>((m_xy[2 * i + 1] - m_bounds.top()) / m_bounds.height() * g), 0, g - 1);
        cellOf[static_cast<std::size_t>(i)] = gy * g + gx;
        ++m_gridStart[static_cast<std::size_t>(gy * g + gx) + 1];
    }
    for (std::size_t c = 1; c < m_gridStart.size(); ++c)
        m_gridStart[c] += m_gridStart[c - 1];
    std::vector<std::int32_t> fill(m_gridStart.begin(), m_gridStart.end() - 1);
    m_gridPoints.resize(static_cast<std::size_t>(n));
    for (std::int64_t i = 0; i < n; ++i)
        m_gridPoints[static_cast<std::size_t>(fill[static_cast<std::size_t>(cellOf[static_cast<std::size_t>(i)])]++)] = static_cast<std::int32_t>(i);
}

void CellMapView::setColoring(std::vector<QRgb> colors, std::vector<std::int32_t> drawOrder, std::vector<std::uint8_t> hidden)
{
    if (static_cast<std::int64_t>(colors.size()) == pointCount())
        m_colors = std::move(colors);
    m_order = std::move(drawOrder);
    setHidden(std::move(hidden));
}

void CellMapView::setHidden(std::vector<std::uint8_t> hidden)
{
    m_hidden = static_cast<std::int64_t>(hidden.size()) == pointCount() ? std::move(hidden) : std::vector<std::uint8_t>();
    invalidate();
}

void CellMapView::setShowTraining(bool show)
{
    if (show == m_showTraining)
        return;
    m_showTraining = show;
    invalidate();
}

void CellMapView::setPointScale(double scale)
{
    m_pointScale = std::clamp(scale, 0.1, 10.0);
    invalidate();
}

void CellMapView::setOpacityScale(double scale)
{
    m_opacityScale = std::clamp(scale, 0.05, 4.0);
    invalidate();
}

void CellMapView::setTool(Tool tool)
{
    m_tool = tool;
    setCursor(tool == Tool::Pan ? Qt::OpenHandCursor : Qt::CrossCursor);
}

bool CellMapView::visible(std::int64_t point) const
{
    if (point >= m_targetCells && !m_showTraining)
        return false;
    return m_hidden.empty() || !m_hidden[static_cast<std::size_t>(point)];
}

void CellMapView::setSelection(const CellSelection &selection)
{
    if (selection.cells() != m_targetCells)
        return;
    m_selection = selection;
    invalidate();
    Q_EMIT selectionChanged(m_selection.count());
}

void CellMapView::clearSelection()
{
    if (m_selection.empty())
        return;
    m_selection.clear();
    invalidate();
    Q_EMIT selectionChanged(0);
}

void CellMapView::applySelection(const CellSelection &picked, CellSelection::Mode mode)
{
    m_selection.combine(picked, mode);
    invalidate();
    Q_EMIT selectionChanged(m_selection.count());
}

CellSelection::Mode CellMapView::modeFor(Qt::KeyboardModifiers modifiers)
{
    if (modifiers & Qt::AltModifier)
        return CellSelection::Mode::Subtract;
    if (modifiers & Qt::ShiftModifier)
        return CellSelection::Mode::Add;
    return CellSelection::Mode::Replace;
}

void CellMapView::selectCells(const std::vector<std::int64_t> &cells, CellSelection::Mode mode)
{
    CellSelection picked(m_targetCells);
    for (std::int64_t c : cells)
        picked.insert(c);
    applySelection(picked, mode);
}

void CellMapView::selectRect(const QRectF &rect, CellSelection::Mode mode)
{
    const QRectF r = rect.normalized();
    CellSelection picked(m_targetCells);
    for (std::int64_t i = 0; i < m_targetCells; ++i) {
        const float x = m_xy[2 * i], y = m_xy[2 * i + 1];
        if (x >= r.left() && x <= r.right() && y >= r.top() && y <= r.bottom() && visible(i))
            picked.insert(i);
    }
    applySelection(picked, mode);
}

void CellMapView::selectPolygon(const QPolygonF &polygon, CellSelection::Mode mode)
{
    CellSelection picked(m_targetCells);
    if (polygon.size() >= 3) {
        // Rasterise the polygon into a mask (inside 255, outline 128, outside 0) so that most points cost one
        // lookup; points on outline pixels get the exact even-odd test. Same answer as the test alone.
        const QRectF box = polygon.boundingRect();
        const double scale = 2048.0 / std::max({box.width(), box.height(), 1e-12});
        const QSize size(std::max(1, static_cast<int>(box.width() * scale) + 3), std::max(1, static_cast<int>(box.height() * scale) + 3));
        QImage mask(size, QImage::Format_Grayscale8);
        mask.fill(0);
        QPolygonF inMask;
        for (const QPointF &p : polygon)
            inMask << QPointF((p.x() - box.left()) * scale + 1, (p.y() - box.top()) * scale + 1);
        {
            QPainter painter(&mask);
            painter.setRenderHint(QPainter::Antialiasing, false);
            painter.setPen(Qt::NoPen);
            painter.setBrush(QColor(255, 255, 255));
            painter.drawPolygon(inMask, Qt::OddEvenFill);
            painter.setPen(QPen(QColor(128, 128, 128), 3));
            painter.setBrush(Qt::NoBrush);
            painter.drawPolygon(inMask);
        }
        std::vector<std::vector<std::int64_t>> found(2);
        nym::parallelFor(2, m_targetCells, [&](std::int64_t begin, std::int64_t end) {
            auto &out = found[begin == 0 ? 0 : 1];
            for (std::int64_t i = begin; i < end; ++i) {
                const double x = m_xy[2 * i], y = m_xy[2 * i + 1];
                if (x < box.left() || x > box.right() || y < box.top() || y > box.bottom())
                    continue;
                const int mx = static_cast<int>((x - box.left()) * scale + 1), my = static_cast<int>((y - box.top()) * scale + 1);
                const int value = (mx >= 0 && my >= 0 && mx < size.width() && my < size.height())
                    ? mask.constScanLine(my)[mx] : 128;
                if (value == 0 || !visible(i))
                    continue;
                if (value == 255 || polygon.containsPoint(QPointF(x, y), Qt::OddEvenFill))
                    out.push_back(i);
            }
        });
        for (const auto &part : found)
            for (std::int64_t i : part)
                picked.insert(i);
    }
    applySelection(picked, mode);
}

std::int64_t CellMapView::pointAt(QPointF position, double radius) const
{
    if (m_xy.empty())
        return -1;
    const QPointF at = toMap(position);
    const double r = radius / m_view.scale;
    const int g = m_gridSize;
    auto cellX = [&](double x) { return std::clamp(static_cast<int>((x - m_bounds.left()) / m_bounds.width() * g), 0, g - 1); };
    auto cellY = [&](double y) { return std::clamp(static_cast<int>((y - m_bounds.top()) / m_bounds.height() * g), 0, g - 1); };
    if (at.x() + r < m_bounds.left() || at.x() - r > m_bounds.right() || at.y() + r < m_bounds.top() || at.y() - r > m_bounds.bottom())
        return -1;
    std::int64_t best = -1;
    double bestD2 = r * r;
    bool bestIsTarget = false;
    for (int gy = cellY(at.y() - r); gy <= cellY(at.y() + r); ++gy)
        for (int gx = cellX(at.x() - r); gx <= cellX(at.x() + r); ++gx) {
            const auto c = static_cast<std::size_t>(gy * g + gx);
            for (auto k = m_gridStart[c]; k < m_gridStart[c + 1]; ++k) {
                const std::int64_t i = m_gridPoints[static_cast<std::size_t>(k)];
                if (!visible(i))
                    continue;
                const double dx = m_xy[2 * i] - at.x(), dy = m_xy[2 * i + 1] - at.y();
                const double d2 = dx * dx + dy * dy;
                const bool isTarget = i < m_targetCells;
                // Target cells are drawn on top, so they win over training cells within reach.
                if ((isTarget && !bestIsTarget && d2 <= r * r) || (isTarget == bestIsTarget && d2 <= bestD2)) {
                    best = i;
                    bestD2 = d2;
                    bestIsTarget = isTarget;
                }
            }
        }
    return best;
}

CellMapView::View CellMapView::fitted(QSize size) const
{
    View v;
    v.cx = m_bounds.center().x();
    v.cy = m_bounds.center().y();
    const double margin = 24;
    // Same scale on both axes: distances in a UMAP mean the same in x and y.
    v.scale = std::min((size.width() - 2 * margin) / m_bounds.width(), (size.height() - 2 * margin) / m_bounds.height());
    v.scale = std::max(v.scale, 1e-9);
    return v;
}

void CellMapView::resetView()
{
    m_view = fitted(size());
    m_zoom = 1;
    invalidate();
    Q_EMIT viewChanged();
}

void CellMapView::zoomBy(double factor, QPointF around)
{
    const double next = std::clamp(m_zoom * factor, 0.2, 2000.0);
    factor = next / m_zoom;
    const QPointF fixed = toMap(around);
    m_zoom = next;
    m_view.scale *= factor;
    // Keep the map point under `around` where it is.
    m_view.cx = fixed.x() - (around.x() - width() / 2.0) / m_view.scale;
    m_view.cy = fixed.y() + (around.y() - height() / 2.0) / m_view.scale;
    invalidate();
    Q_EMIT viewChanged();
}

void CellMapView::centreOn(std::int64_t point)
{
    if (point < 0 || point >= pointCount())
        return;
    m_view.cx = m_xy[2 * point];
    m_view.cy = m_xy[2 * point + 1];
    invalidate();
    Q_EMIT viewChanged();
}

QPointF CellMapView::toWidget(QPointF map) const
{
    return {(map.x() - m_view.cx) * m_view.scale + width() / 2.0, height() / 2.0 - (map.y() - m_view.cy) * m_view.scale};
}

QPointF CellMapView::toMap(QPointF widget) const
{
    return {(widget.x() - width() / 2.0) / m_view.scale + m_view.cx, m_view.cy - (widget.y() - height() / 2.0) / m_view.scale};
}

void CellMapView::invalidate()
{
    m_dirty = true;
    update();
}

QImage CellMapView::renderPoints(QSize size) const
{
    QImage image(size, QImage::Format_RGB32);
    View v = m_view;
    // The same part of the map as on screen, scaled to the image.
    const double k = std::min(size.width() / std::max(1.0, double(width())), size.height() / std::max(1.0, double(height())));
    v.scale *= k;
    render(image, v);
    return image;
}

void CellMapView::render(QImage &image, const View &view) const
{
    QElapsedTimer timer;
    timer.start();
    image.fill(0xffffffffu);
    const int w = image.width(), h = image.height();
    std::int64_t shown = 0;
    for (std::int64_t i = 0; i < pointCount(); ++i)
        shown += visible(i);
    if (shown == 0)
        return;
    // Automatic size and opacity (scanpy's default dot area is 120,000 / cells): larger when zoomed in, more
    // transparent when many cells overlap; the user's scale multiplies both.
    const double zoom = view.scale / std::max(fitted(image.size()).scale, 1e-12);
    const double diameter = std::clamp(0.9 * std::sqrt(120000.0 / static_cast<double>(shown)), 1.0, 9.0) *
        std::sqrt(std::max(zoom, 1.0)) * m_pointScale;
    const double opacity = std::clamp((shown < 20000 ? 0.9 : 0.9 * std::pow(20000.0 / shown, 0.3)) *
        std::pow(std::max(zoom, 1.0), 0.25) * m_opacityScale, 0.05, 1.0);
    const Stamp stamp = discStamp(std::clamp(diameter, 1.0, 24.0));
    const Stamp ring = discStamp(std::clamp(diameter, 1.0, 24.0) + 2.0);
    // A few selected cells (the review's current cell) get a large halo so the eye finds them at once.
    const bool few = m_selection.count() <= 100;
    const Stamp halo = discStamp(std::max(std::clamp(diameter, 1.0, 24.0) + 8.0, 16.0));
    const Stamp halo2 = discStamp(std::max(std::clamp(diameter, 1.0, 24.0) + 4.0, 12.0));
    const int reach = static_cast<int>(std::ceil(std::max(diameter + 8.0, 16.0) / 2)) + 2;
    auto *bits = reinterpret_cast<std::uint32_t *>(image.bits());
    const qsizetype stride = image.bytesPerLine() / 4;
    const double hw = w / 2.0, hh = h / 2.0;
    auto draw = [&](std::int64_t i, std::uint32_t colour, std::uint32_t alpha, const Stamp &s) {
        const int px = static_cast<int>(std::lround((m_xy[2 * i] - view.cx) * view.scale + hw));
        const int py = static_cast<int>(std::lround(hh - (m_xy[2 * i + 1] - view.cy) * view.scale));
        if (px < -reach || py < -reach || px >= w + reach || py >= h + reach)
            return;
        for (std::size_t k = 0; k < s.dx.size(); ++k) {
            const int x = px + s.dx[k], y = py + s.dy[k];
            if (x < 0 || y < 0 || x >= w || y >= h)
                continue;
            std::uint32_t &d = bits[y * stride + x];
            d = blend(d, colour, (alpha * s.weight[k]) >> 8);
        }
    };
    const auto alpha = static_cast<std::uint32_t>(opacity * 256);
    // Training cells first, under the target, lighter.
    if (m_showTraining)
        for (std::int64_t i = m_targetCells; i < pointCount(); ++i)
            if (visible(i))
                draw(i, m_colors[static_cast<std::size_t>(i)], alpha * 3 / 5, stamp);
    const bool selecting = !m_selection.empty();
    auto drawTarget = [&](std::int64_t i) {
        if (!visible(i))
            return;
        // With a selection, the other cells fade so the selected ones stand out.
        if (selecting && m_selection.contains(i))
            return;
        draw(i, m_colors[static_cast<std::size_t>(i)], selecting ? alpha / 4 : alpha, stamp);
    };
    if (m_order.empty())
        for (std::int64_t i = 0; i < m_targetCells; ++i)
            drawTarget(i);
    else
        for (std::int32_t i : m_order)
            if (i < m_targetCells)
                drawTarget(i);
    if (selecting)
        for (std::int64_t i : m_selection.indices())
            if (visible(i)) {
                if (few) {
                    draw(i, 0xff202020u, 256, halo);
                    draw(i, 0xffffffffu, 256, halo2);
                }
                draw(i, 0xff202020u, 256, ring);
                draw(i, m_colors[static_cast<std::size_t>(i)], 256, stamp);
            }
    m_lastRenderMs = static_cast<double>(timer.nsecsElapsed()) / 1e6;
}

void CellMapView::paintEvent(QPaintEvent *)
{
    const qreal dpr = devicePixelRatioF();
    const QSize pixels = size() * dpr;
    if (m_dirty || m_frame.size() != pixels) {
        m_frame = QImage(pixels, QImage::Format_RGB32);
        View v = m_view;
        v.scale *= dpr;
        render(m_frame, v);
        m_frame.setDevicePixelRatio(dpr);
        m_dirty = false;
    }
    QPainter painter(this);
    painter.drawImage(0, 0, m_frame);
    painter.setRenderHint(QPainter::Antialiasing);
    if (m_lasso.size() > 1) {
        painter.setPen(QPen(QColor(30, 30, 30), 1.5, Qt::DashLine));
        painter.setBrush(QColor(30, 120, 220, 40));
        painter.drawPolygon(m_lasso);
    }
    if (!m_rubber.isNull()) {
        painter.setPen(QPen(QColor(30, 30, 30), 1, Qt::DashLine));
        painter.setBrush(QColor(30, 120, 220, 40));
        painter.drawRect(m_rubber);
    }
    // The selection count, always visible.
    const QString text = m_selection.empty()
        ? tr("%1 cells").arg(QLocale().toString(static_cast<qlonglong>(m_targetCells)))
        : tr("%1 of %2 cells selected").arg(QLocale().toString(static_cast<qlonglong>(m_selection.count())),
              QLocale().toString(static_cast<qlonglong>(m_targetCells)));
    const QRect box = painter.fontMetrics().boundingRect(text).adjusted(-6, -3, 6, 3);
    const QRect at(QPoint(8, height() - box.height() - 8), box.size());
    painter.setPen(Qt::NoPen);
    painter.setBrush(QColor(255, 255, 255, 220));
    painter.drawRoundedRect(at, 4, 4);
    painter.setPen(QColor(40, 40, 40));
    painter.drawText(at, Qt::AlignCenter, text);
    if (hasFocus()) {
        painter.setPen(QPen(palette().highlight().color(), 1));
        painter.setBrush(Qt::NoBrush);
        painter.drawRect(rect().adjusted(0, 0, -1, -1));
    }
}

void CellMapView::resizeEvent(QResizeEvent *)
{
    // Keep the zoom relative to the fitted view.
    const View f = fitted(size());
    m_view.scale = f.scale * m_zoom;
    if (m_zoom == 1) {
        m_view.cx = f.cx;
        m_view.cy = f.cy;
    }
    invalidate();
}

void CellMapView::wheelEvent(QWheelEvent *event)
{
    const double steps = event->angleDelta().y() / 120.0;
    if (steps != 0)
        zoomBy(std::pow(1.25, steps), event->position());
    event->accept();
}

bool CellMapView::event(QEvent *event)
{
    if (event->type() == QEvent::NativeGesture) {
        auto *gesture = static_cast<QNativeGestureEvent *>(event);
        if (gesture->gestureType() == Qt::ZoomNativeGesture) {
            zoomBy(1.0 + gesture->value(), gesture->position());
            return true;
        }
    }
    return QWidget::event(event);
}

void CellMapView::mousePressEvent(QMouseEvent *event)
{
    setFocus();
    m_pressAt = event->position().toPoint();
    m_lastDrag = event->position();
    m_dragging = true;
    m_panning = event->button() != Qt::LeftButton || m_tool == Tool::Pan;
    if (m_panning)
        setCursor(Qt::ClosedHandCursor);
    if (event->button() == Qt::LeftButton && m_tool == Tool::Lasso)
        m_lasso = QPolygonF() << event->position();
    QToolTip::hideText();
}

void CellMapView::mouseMoveEvent(QMouseEvent *event)
{
    if (!m_dragging) {
        const std::int64_t point = pointAt(event->position());
        if (point >= 0 && tooltipText)
            QToolTip::showText(event->globalPosition().toPoint(), tooltipText(point), this);
        else
            QToolTip::hideText();
        return;
    }
    if (m_panning) {
        const QPointF delta = event->position() - m_lastDrag;
        m_view.cx -= delta.x() / m_view.scale;
        m_view.cy += delta.y() / m_view.scale;
        m_lastDrag = event->position();
        invalidate();
        return;
    }
    if (m_tool == Tool::Lasso) {
        // Keep the outline light: a vertex every 2 pixels.
        if (m_lasso.isEmpty() || QLineF(m_lasso.last(), event->position()).length() >= 2)
            m_lasso << event->position();
    } else {
        m_rubber = QRect(m_pressAt, event->position().toPoint()).normalized();
    }
    update();
}

void CellMapView::mouseReleaseEvent(QMouseEvent *event)
{
    const bool click = (event->position().toPoint() - m_pressAt).manhattanLength() < 4;
    const CellSelection::Mode mode = modeFor(event->modifiers());
    m_dragging = false;
    setCursor(m_tool == Tool::Pan ? Qt::OpenHandCursor : Qt::CrossCursor);
    if (click && event->button() == Qt::LeftButton) {
        const std::int64_t point = pointAt(event->position());
        m_lasso.clear();
        m_rubber = QRect();
        if (point >= 0 && point < m_targetCells) {
            CellSelection one(m_targetCells);
            one.insert(point);
            applySelection(one, mode);
            Q_EMIT pointClicked(point);
        } else if (mode == CellSelection::Mode::Replace) {
            clearSelection();
        }
        update();
        return;
    }
    if (m_panning) {
        m_panning = false;
        Q_EMIT viewChanged();
        return;
    }
    if (m_tool == Tool::Lasso && m_lasso.size() >= 3) {
        QPolygonF polygon;
        for (const QPointF &p : std::as_const(m_lasso))
            polygon << toMap(p);
        selectPolygon(polygon, mode);
    } else if (!m_rubber.isNull()) {
        const QRectF inMap = QRectF(toMap(m_rubber.topLeft()), toMap(m_rubber.bottomRight())).normalized();
        if (m_tool == Tool::Rectangle) {
            selectRect(inMap, mode);
        } else if (m_tool == Tool::Zoom && m_rubber.width() > 4 && m_rubber.height() > 4) {
            const double factor = std::min(width() / double(m_rubber.width()), height() / double(m_rubber.height()));
            m_view.cx = inMap.center().x();
            m_view.cy = inMap.center().y();
            m_zoom = std::clamp(m_zoom * factor, 0.2, 2000.0);
            m_view.scale = fitted(size()).scale * m_zoom;
            Q_EMIT viewChanged();
        }
    }
    m_lasso.clear();
    m_rubber = QRect();
    invalidate();
}

void CellMapView::keyPressEvent(QKeyEvent *event)
{
    switch (event->key()) {
    case Qt::Key_Escape:
        m_lasso.clear();
        m_rubber = QRect();
        clearSelection();
        update();
        return;
    case Qt::Key_Home:
    case Qt::Key_0:
        resetView();
        return;
    case Qt::Key_Plus:
    case Qt::Key_Equal:
        zoomBy(1.25, rect().center());
        return;
    case Qt::Key_Minus:
        zoomBy(0.8, rect().center());
        return;
    default:
        QWidget::keyPressEvent(event);
    }
}

}   // namespace nym::ui
