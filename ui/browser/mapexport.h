#pragma once

#include <QString>

namespace nym::ui {

class CellMapView;
class MapLegend;

// Writes the browser's current view as a figure with its legend and axes: PNG (`pngWidth` pixels wide), SVG or
// PDF, by the file's suffix. In SVG and PDF the points are one embedded raster image (as scanpy's
// rasterized=True: a million vector dots would make the file unusable) while text, legend and axes stay vector.
// Written atomically (QSaveFile). Returns "" or the reason it failed. GUI thread.
QString exportMapFigure(const QString &path, const CellMapView &view, const MapLegend &legend, const QString &caption,
    int pngWidth = 2400);

}   // namespace nym::ui
