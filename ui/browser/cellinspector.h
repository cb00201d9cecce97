#pragma once

#include <QString>
#include <QWidget>

#include <cstdint>
#include <utility>
#include <string>
#include <vector>

class QComboBox;
class QLabel;
class QTableWidget;
class QToolButton;

namespace nym {
struct GeneAttribution;
}

namespace nym::ui {

class Project;
class SaliencyService;
struct SaliencyResult;

// The cell inspector: everything about the current cell (the review queue's, or the one clicked on the map): its
// id and file, the predicted and final label with the confidence, where the final label comes from and whether it
// was reviewed, every class's probability as sorted bars, the cell's own obs values, and the genes that drove the
// call (saliency: expected, integrated or vanilla gradients, for the predicted class or any other — "why B and not
// CD14 Mono?"), computed off the GUI thread on demand, cached, never queued up behind stale cells. Clicking a gene
// asks the map to colour by it. Follows edits of the cell. Renders the Project; changes nothing. GUI thread.
class CellInspector : public QWidget
{
    Q_OBJECT

public:
    explicit CellInspector(Project *project, QWidget *parent = nullptr);

    // A target-wide cell index (files in order); −1 shows nothing.
    void showCell(std::int64_t cell);
    std::int64_t cell() const { return m_cell; }
    QString summaryText() const;
    // The probabilities as shown: class and probability, highest first.
    const std::vector<std::pair<QString, float>> &bars() const { return m_bars; }
    SaliencyService *saliency() const { return m_service; }
    QTableWidget *genesTable() const { return m_genes; }
    // Explains another class (−1: the predicted one) or with another method (0 expected, 1 integrated, 2 vanilla).
    void setExplainedClass(int cls);
    void setMethod(int method);
    // The genes the model relies on for a class: mean attributions over (up to 100 of) the cells predicted as it, in
    // the first target file. Shown in place of a cell.
    void showClass(int cls);
    int shownClass() const { return m_class_summary; }

    // Writes the gene list shown (a cell's or a class's) as CSV/TSV: what it explains, then one row per gene.
    // "" or the error.
    QString exportGenes(const QString &path) const;
    bool hasGenes() const { return !m_shown.empty(); }

Q_SIGNALS:
    void geneClicked(const QString &gene);
    void genesShown(std::int64_t cell);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;
    void showEvent(QShowEvent *event) override;

private:
    void refresh();
    void requestSaliency();
    void showSaliency(const SaliencyResult &result);
    void fillGenes(const std::vector<nym::GeneAttribution> &genes);

    Project *m_project;
    std::int64_t m_cell = -1;
    QLabel *m_summary = nullptr;
    QWidget *m_chart = nullptr;
    QTableWidget *m_obs = nullptr;
    QComboBox *m_class = nullptr;
    QComboBox *m_method = nullptr;
    QLabel *m_saliencyStatus = nullptr;
    QTableWidget *m_genes = nullptr;
    SaliencyService *m_service = nullptr;
    bool m_saliencyWanted = false;
    int m_class_summary = -1;   // a class's summary is shown instead of a cell   // asked for while hidden: computed when shown
    std::vector<std::pair<QString, float>> m_bars;
    struct ShownGene
    {
        std::string gene;
        double attribution = 0, expression = 0, classMean = 0, otherMean = 0;
    };
    std::vector<ShownGene> m_shown;              // the list in the table, for its export
    std::string m_shownCell, m_shownClass;       // what it explains ("" cell for a class summary)
    QToolButton *m_export = nullptr;
};

}   // namespace nym::ui
