#include "ui/browser/mapexport.h"

#include "ui/browser/cellmapview.h"
#include "ui/browser/maplegend.h"

#include <QFileInfo>
#include <QPainter>
#include <QPdfWriter>
#include <QSaveFile>
#include <QSvgGenerator>

#include <optional>

namespace nym::ui {

namespace {

constexpr double kLegendWidth = 240;
constexpr double kMargin = 16;
constexpr double kCaption = 28;

// The figure in logical units: caption on top, the map on the left with UMAP axes, the legend on the right.
void paintFigure(QPainter &painter, QSizeF logical, const QImage &points, const MapLegend &legend, const QString &caption)
{
    painter.fillRect(QRectF(QPointF(0, 0), logical), Qt::white);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setRenderHint(QPainter::SmoothPixmapTransform);
    QFont font = painter.font();
    font.setPointSizeF(9);
    painter.setFont(font);
    painter.setPen(QColor(30, 30, 30));
    painter.drawText(QRectF(kMargin, 4, logical.width() - 2 * kMargin, kCaption), Qt::AlignLeft | Qt::AlignVCenter, caption);
    const QRectF map(kMargin, kCaption, logical.width() - kLegendWidth - 2 * kMargin, logical.height() - kCaption - kMargin);
    painter.drawImage(map, points);
    // scanpy-style axis hints: two short arrows in the lower-left corner.
    const QPointF origin = map.bottomLeft() + QPointF(4, -4);
    painter.setPen(QPen(QColor(60, 60, 60), 1.2));
    painter.drawLine(origin, origin + QPointF(40, 0));
    painter.drawLine(origin, origin + QPointF(0, -40));
    painter.drawText(origin + QPointF(44, 4), QStringLiteral("UMAP 1"));
    painter.save();
    painter.translate(origin + QPointF(-4, -44));
    painter.rotate(-90);
    painter.drawText(QPointF(0, 0), QStringLiteral("UMAP 2"));
    painter.restore();
    const QRectF legendArea(map.right() + kMargin, kCaption + 8, kLegendWidth - kMargin, map.height() - 8);
    std::optional<MapLegend::Scale> scale;
    if (legend.isContinuous())
        scale = legend.scale();
    MapLegend::paint(painter, legendArea, legend.title(), legend.entries(), scale);
}

}   // namespace

QString exportMapFigure(const QString &path, const CellMapView &view, const MapLegend &legend, const QString &caption,
    int pngWidth)
{
    const QString suffix = QFileInfo(path).suffix().toLower();
    const QSizeF logical(view.width() + kLegendWidth + 2 * kMargin, view.height() + kCaption + kMargin);
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return QObject::tr("Cannot write %1: %2").arg(path, file.errorString());
    if (suffix == QLatin1String("png")) {
        const double k = std::max(0.25, pngWidth / logical.width());
        QImage image((logical * k).toSize(), QImage::Format_RGB32);
        const QImage points = view.renderPoints((QSizeF(view.size()) * k).toSize());
        QPainter painter(&image);
        painter.scale(k, k);
        paintFigure(painter, logical, points, legend, caption);
        painter.end();
        if (!image.save(&file, "PNG"))
            return QObject::tr("Cannot encode %1 as PNG.").arg(path);
    } else if (suffix == QLatin1String("svg")) {
        QSvgGenerator svg;
        svg.setOutputDevice(&file);
        svg.setSize(logical.toSize());
        svg.setViewBox(QRectF(QPointF(0, 0), logical));
        svg.setTitle(caption);
        svg.setDescription(QObject::tr("Nym Studio cell map; points rasterised, legend and text as vectors."));
        QPainter painter(&svg);
        paintFigure(painter, logical, view.renderPoints(view.size() * 2), legend, caption);
    } else if (suffix == QLatin1String("pdf")) {
        QPdfWriter pdf(&file);
        pdf.setResolution(300);
        pdf.setPageSize(QPageSize(logical * 0.75, QPageSize::Point));   // 96 logical units per inch
        pdf.setPageMargins(QMarginsF(0, 0, 0, 0));
        pdf.setTitle(caption);
        pdf.setCreator(QStringLiteral("Nym Studio"));
        QPainter painter(&pdf);
        painter.scale(300.0 / 96.0, 300.0 / 96.0);
        paintFigure(painter, logical, view.renderPoints(view.size() * 3), legend, caption);
    } else {
        file.cancelWriting();
        return QObject::tr("Choose a .png, .svg or .pdf file name.");
    }
    if (!file.commit())
        return QObject::tr("Cannot write %1: %2").arg(path, file.errorString());
    return {};
}

}   // namespace nym::ui
