#pragma once

#include <QColor>
#include <QString>
#include <QVector>
#include <QWidget>

#include <optional>

class QListWidget;
class QListWidgetItem;
class QStackedLayout;
class QLabel;

namespace nym::ui {

// What the map's colours mean: categories with their cell counts (click an entry to hide or show its cells,
// double-click to select them, right-click to change its colour) or a continuous scale (viridis) with an optional
// marker such as the confidence threshold. Renders what the browser page gives it and reports intent. GUI thread.
class MapLegend : public QWidget
{
    Q_OBJECT

public:
    struct Entry
    {
        QString name;
        QColor color;
        qint64 count = 0;
        bool visible = true;
    };
    struct Scale
    {
        QString title;
        double min = 0, max = 1;
        std::optional<double> marker;   // drawn as a line with markerLabel
        QString markerLabel;
    };

    explicit MapLegend(QWidget *parent = nullptr);

    void setCategories(const QString &title, const QVector<Entry> &entries);
    void setScale(const Scale &scale);
    bool isContinuous() const { return m_continuous; }
    const QVector<Entry> &entries() const { return m_entries; }
    const Scale &scale() const { return m_scale; }
    QString title() const { return m_title; }
    // Shows or hides an entry's cells (what a click does).
    void setEntryVisible(int entry, bool visible);
    void setEntryColor(int entry, const QColor &color);
    // Whether the entries are labels a person may rename or merge (the final labels).
    void setRenamable(bool on) { m_renamable = on; }
    // Whether the entries are the model's classes (the menu offers the genes the model relies on for one).
    void setExplainable(bool on) { m_explainable = on; }

    // Draws a legend for a figure (vector text and swatches) into `area`; returns the height used.
    static double paint(class QPainter &painter, const QRectF &area, const QString &title, const QVector<Entry> &entries,
        const std::optional<Scale> &scale);

Q_SIGNALS:
    void visibilityChanged(int entry, bool visible);
    void entryActivated(int entry);          // double-click: select its cells
    void colorChangeRequested(int entry);    // context menu
    void renameRequested(int entry);         // context menu, renamable legends only
    void explainRequested(int entry);        // context menu, class legends only

private:
    void rebuild();
    void styleItem(int entry);
    QLabel *m_heading = nullptr;
    QStackedLayout *m_stack = nullptr;
    QListWidget *m_list = nullptr;
    QWidget *m_scaleView = nullptr;
    QVector<Entry> m_entries;
    Scale m_scale;
    QString m_title;
    bool m_continuous = false;
    bool m_renamable = false;
    bool m_explainable = false;
};

}   // namespace nym::ui
