#pragma once

#include <QHash>
#include <QString>
#include <QWidget>

#include <cstdint>
#include <map>
#include <memory>
#include <vector>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QSlider;
class QTabWidget;
class QToolButton;
template <class T>
class QFutureWatcher;

namespace nym::ui {

class CellInspector;
class CellMapView;
class MapLegend;
class Project;
class ProjectController;
class ReviewPanel;

// The "Map" step: the cell browser. Shows the Project's map (or an X_umap found in the target files) in a
// CellMapView coloured by what the user picks — predicted or final label, confidence (with the threshold on the
// scale), file, the target's own labels and whether they agree with the prediction, any obs column, or a gene's
// log1p(CPM) — with its legend, the selection count, tools and figure export. Changes the Project only through its
// edit methods (relabel or accept the selection: one undo step each); slow colourings (a gene over a million cells) are computed off the GUI thread. GUI thread.
class BrowserPage : public QWidget
{
    Q_OBJECT

public:
    BrowserPage(Project *project, ProjectController *controller, QWidget *parent = nullptr);
    ~BrowserPage() override;

    CellMapView *view() const { return m_view; }
    MapLegend *legend() const { return m_legend; }
    QComboBox *colorBy() const { return m_colorBy; }
    QComboBox *mapSource() const { return m_source; }
    QLineEdit *geneSearch() const { return m_gene; }
    ReviewPanel *reviewPanel() const { return m_review; }
    CellInspector *inspector() const { return m_inspector; }
    QTabWidget *sideTabs() const { return m_sideTabs; }
    // Colours by a key of the "Colour by" list ("predicted", "final", "confidence", "file", "truth",
    // "agreement", "obs:<column>") or by a gene's expression ("gene:<name>"; computed in the background).
    bool setColorBy(const QString &key);
    QString colorKey() const { return m_key; }
    // Relabels the selected target cells (one undo step): only those the model predicted as `onlyPredicted` when it
    // is not empty, only cells not yet reviewed when asked. Returns the number of cells changed.
    std::int64_t relabelSelection(const QString &label, const QString &onlyPredicted = {}, bool onlyUnreviewed = false);
    std::int64_t acceptSelection();
    // Shows the genes the model relies on for a class in the inspector (the legend's menu); false for no class.
    bool explainClass(const QString &name);
    // Writes the current view as a figure (.png/.svg/.pdf); "" or the error.
    QString exportFigure(const QString &path, int pngWidth = 2400) const;
    // True while a gene's values are being computed.
    bool isColoring() const;
    // Each label name's colour as the final-label colouring shows it ("#rrggbb"), for the exports' uns colours.
    std::map<std::string, std::string> labelColors() const;
    // Selects these target cells (target-wide indices) on the map, replacing the selection.
    void selectCells(const std::vector<std::int64_t> &cells);
    std::vector<std::int64_t> selectedCells() const;
    // What a saved project keeps of this view (colouring, point size, opacity), and back.
    std::map<std::string, std::string> viewSettings() const;
    void applyViewSettings(const std::map<std::string, std::string> &view);

    // Values of a categorical colouring: category names in their preferred order and one code per cell.
    struct Coded
    {
        std::vector<QString> names;
        std::vector<std::int32_t> codes;
    };

Q_SIGNALS:
    void coloringApplied(const QString &key);

private:
    void rebuildSources();
    void showMap();
    void fillColorBy();
    void recolor();
    // The file's colours per target name may be empty; training codes index training.names.
    void applyCategories(const QString &title, const Coded &target, const std::vector<QString> &fileColors, const Coded &training);
    void applyContinuous(const QString &title, const std::vector<float> &values, std::optional<double> marker,
        const QString &markerLabel);
    void applyVisibility();
    void chooseGene(const QString &gene);
    void askExport();
    void askRelabel();
    QString tooltipFor(std::int64_t point) const;

    Project *m_project;
    ProjectController *m_controller;
    CellMapView *m_view = nullptr;
    MapLegend *m_legend = nullptr;
    QComboBox *m_source = nullptr;
    QComboBox *m_colorBy = nullptr;
    QLineEdit *m_gene = nullptr;
    QCheckBox *m_training = nullptr;
    QSlider *m_size = nullptr;
    QSlider *m_opacity = nullptr;
    QLabel *m_info = nullptr;
    QLabel *m_selectionLabel = nullptr;
    ReviewPanel *m_review = nullptr;
    CellInspector *m_inspector = nullptr;
    QTabWidget *m_sideTabs = nullptr;
    QString m_key;
    std::vector<std::int32_t> m_category;   // per target cell: legend entry, −1 none (categorical colourings)
    QHash<QString, QColor> m_customColors;  // "key|category" → colour the user chose
    std::shared_ptr<QFutureWatcher<std::vector<float>>> m_geneWatcher;
    QString m_pendingGene;
    bool m_haveTrainingOnMap = false;
};

}   // namespace nym::ui
