#include "ui/widgets/resultsview.h"

#include "core/common/error.h"
#include "core/data/trainingset.h"
#include "ui/document/project.h"
#include "ui/models/classsummarymodel.h"

#include <QDoubleSpinBox>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QRegularExpression>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <numeric>

namespace nym::ui {

ResultsView::ResultsView(Project *project, QWidget *parent)
    : QWidget(parent)
    , m_project(project)
    , m_model(new ClassSummaryModel(project, this))
    , m_summary(new QLabel(this))
    , m_threshold(new QDoubleSpinBox(this))
    , m_table(new QTableView(this))
{
    auto *layout = new QVBoxLayout(this);
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_summary->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    layout->addWidget(m_summary);
    auto *form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::FieldsStayAtSizeHint);
    m_threshold->setRange(0, 1);
    m_threshold->setDecimals(2);
    m_threshold->setSingleStep(0.05);
    m_threshold->setValue(project->threshold());
    m_threshold->setToolTip(tr("Cells whose confidence is below this are counted as unsure (\"Unassigned\" in "
                               "exported tables); their predicted label is kept. Default 0.5."));
    form->addRow(tr("Confidence &threshold:"), m_threshold);
    layout->addLayout(form);
    auto *sorted = new QSortFilterProxyModel(this);
    sorted->setSourceModel(m_model);
    sorted->setSortRole(Qt::UserRole);   // by the number, not by its formatted text ("1,234" < "987")
    m_table->setModel(sorted);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(ClassSummaryModel::Cells, Qt::DescendingOrder);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setStretchLastSection(false);
    m_table->setSizeAdjustPolicy(QAbstractScrollArea::AdjustToContents);
    m_table->verticalHeader()->hide();
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setAlternatingRowColors(true);
    auto *row = new QHBoxLayout;
    row->addWidget(m_table);
    row->addStretch(1);
    layout->addLayout(row, 1);
    connect(m_threshold, &QDoubleSpinBox::valueChanged, m_project, [this](double v) {
        try {
            m_project->changeThreshold(v);
        } catch (const Error &) {
            m_threshold->setValue(m_project->threshold());   // the box's range keeps it valid; never reached
        }
    });
    connect(m_project, &Project::thresholdChanged, m_threshold, [this](double v) {
        if (m_threshold->value() != v)
            m_threshold->setValue(v);
    });
    connect(m_model, &QAbstractItemModel::modelReset, this, &ResultsView::refresh);
    connect(m_project, &Project::modelChanged, this, &ResultsView::refresh);
    refresh();
}

double ResultsView::threshold() const
{
    return m_project->threshold();
}

void ResultsView::setThreshold(double threshold)
{
    m_threshold->setValue(threshold);
}

QString ResultsView::summaryText() const
{
    QString t = m_summary->text();
    t.replace(QLatin1String("<br/>"), QLatin1String("\n"));
    t.remove(QRegularExpression(QStringLiteral("<[^>]*>")));
    return t;
}

void ResultsView::refresh()
{
    const auto model = m_project->model();
    if (!model) {
        m_summary->setText(tr("No model yet. Train one (Training tab) or open a saved model (File → Open Model)."));
        return;
    }
    // The linear member's share of the labels (0: the network alone, or no linear member).
    const bool hasLinear = model->findWeight("linear.weight") != nullptr;
    const double share = hasLinear ? model->contents().linearShare : 0.0;
    QString h = tr("<b>Model</b> — %1 · %2 classes · %3 genes")
                    .arg(m_project->modelSource().toHtmlEscaped())
                    .arg(model->classes().size())
                    .arg(QLocale().toString(static_cast<qlonglong>(model->genes().size())));
    if (const auto &s = m_project->summary()) {
        const QString kept = s->averagedEpochs > 0
            ? tr("the mean of the weights of epochs %1–%2 kept")
                  .arg(s->averagedFrom + 1)
                  .arg(s->averagedFrom + s->averagedEpochs)
            : tr("model of epoch %1 kept").arg(s->bestEpoch >= 0 ? QString::number(s->bestEpoch + 1) : tr("the last"));
        h += tr("<br/>Trained %1 epochs (%2 steps of %3 cells) in %4 s%5; %6.")
                 .arg(s->epochsRun)
                 .arg(s->steps)
                 .arg(s->batchSize)
                 .arg(s->trainSeconds, 0, 'f', 1)
                 .arg(s->stopped ? tr(", stopped by you") : QString())
                 .arg(kept);
        if (std::isfinite(s->heldOutAccuracy)) {
            h += tr("<br/>Held-out accuracy <b>%1</b> on %2 labelled cells never trained on; ")
                     .arg(ClassSummaryModel::percent(s->heldOutAccuracy))
                     .arg(s->heldOutCells);
            // The "after" figure is the model's as it labels (the members mixed by their share), so name the
            // temperature of each member that takes part.
            const QString temperatures = share <= 0 ? tr("T = %1").arg(s->temperature, 0, 'f', 2)
                : share >= 1 ? tr("the linear member's T = %1").arg(model->contents().linearTemperature, 0, 'f', 2)
                             : tr("network T = %1, linear member T = %2")
                                   .arg(s->temperature, 0, 'f', 2)
                                   .arg(model->contents().linearTemperature, 0, 'f', 2);
            h += model->contents().options.temperatureScaling
                ? tr("calibration error (ECE) %1 → %2 after temperature scaling (%3).")
                      .arg(s->calibrationBefore.ece, 0, 'f', 3)
                      .arg(s->calibrationAfter.ece, 0, 'f', 3)
                      .arg(temperatures)
                : tr("calibration error (ECE) %1 (temperature scaling off).").arg(s->calibrationBefore.ece, 0, 'f', 3);
        }
    }
    if (hasLinear) {
        h += share <= 0 ? tr("<br/>Labels from the network alone; its linear member gives the inspector's second opinion.")
            : share >= 1 ? tr("<br/>Labels from the linear member alone: the network's labels for the target explained "
                              "the labelled cells clearly worse (reverse validation).")
                         : tr("<br/>Labels from a mix of the network and its linear member (%1% linear).")
                               .arg(QLocale().toString(100 * share, 'f', 0));
    }
    if (!m_project->summary()) {
        const double acc = model->metric("heldout_accuracy");
        if (std::isfinite(acc))
            h += tr("<br/>Held-out accuracy when it was trained: <b>%1</b>.").arg(ClassSummaryModel::percent(acc));
    }
    const auto &labelings = m_project->labelings();
    if (labelings.empty()) {
        m_summary->setText(h + tr("<br/><br/>No predictions yet: apply the model to a target dataset."));
        return;
    }
    const auto &t = m_model->totals();
    const std::int64_t total = t.cells, below = t.below, noCounts = t.noCounts;
    h += tr("<br/><br/><b>Predictions</b> — %1 target cells in %2; %3 (%4) below the confidence threshold.")
             .arg(QLocale().toString(static_cast<qlonglong>(total)))
             .arg(labelings.size() == 1 ? tr("one file") : tr("%1 files").arg(labelings.size()))
             .arg(QLocale().toString(static_cast<qlonglong>(below)))
             .arg(ClassSummaryModel::percent(total ? static_cast<double>(below) / static_cast<double>(total) : 0));
    if (noCounts > 0)
        h += tr(" %1 cells have no counts in the model's genes (confidence 0).").arg(noCounts);
    // What labelling did to each file: the correction for its own class mix (its largest estimated shares), or why
    // it was left out, and the labelling's other notes.
    const auto &targets = m_project->data().targets;
    for (std::size_t f = 0; f < labelings.size(); ++f) {
        const Labeling &l = *labelings[f];
        const QString file = labelings.size() > 1 && f < targets.size()
            ? QString::fromStdString(datasetDisplayName(*targets[f], f)).toHtmlEscaped() + QStringLiteral(": ")
            : QString();
        if (!l.composition.empty()) {
            std::vector<std::size_t> order(l.composition.size());
            std::iota(order.begin(), order.end(), std::size_t {0});
            std::sort(order.begin(), order.end(), [&](auto a, auto b) { return l.composition[a] > l.composition[b]; });
            QStringList shares;
            for (std::size_t i = 0; i < std::min<std::size_t>(3, order.size()); ++i)
                shares << QStringLiteral("%1 %2").arg(
                    QString::fromStdString(l.predictions.classes[order[i]]).toHtmlEscaped(),
                    ClassSummaryModel::percent(l.composition[order[i]]));
            h += tr("<br/>%1Probabilities corrected for the file's own class mix (estimated %2%3).")
                     .arg(file, shares.join(QStringLiteral(", ")), order.size() > 3 ? tr(", …") : QString());
        }
        for (const auto &n : l.notes)
            if (n.find("have no counts in the model's genes") == std::string::npos)   // said above, for all files
                h += QStringLiteral("<br/>") + file + QString::fromStdString(n).toHtmlEscaped();
    }
    if (const auto &m = m_model->agreement())
        h += tr("<br/>The target files carry their own '%1' column: agreement <b>%2</b> over %3 cells of "
                "known classes (balanced %4, κ %5, macro-F1 %6). It was not used for training.")
                 .arg(m_project->data().labelColumn.toHtmlEscaped(), ClassSummaryModel::percent(m->accuracy))
                 .arg(m->evaluated)
                 .arg(ClassSummaryModel::percent(m->balancedAccuracy))
                 .arg(m->kappa, 0, 'f', 3)
                 .arg(m->macroF1, 0, 'f', 3);
    m_summary->setText(h);
}

}   // namespace nym::ui
