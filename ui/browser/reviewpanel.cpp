#include "ui/browser/reviewpanel.h"

#include "ui/browser/cellmapview.h"
#include "ui/document/project.h"
#include "ui/models/reviewqueuemodel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QCompleter>
#include <QHeaderView>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QSlider>
#include <QTableView>
#include <QVBoxLayout>

#include <algorithm>
#include <numeric>

namespace nym::ui {

ReviewPanel::ReviewPanel(Project *project, CellMapView *view, QWidget *parent)
    : QWidget(parent)
    , m_project(project)
    , m_view(view)
    , m_model(new ReviewQueueModel(project, this))
{
    m_threshold = new QSlider(Qt::Horizontal, this);
    m_threshold->setRange(0, 100);
    m_threshold->setValue(static_cast<int>(std::lround(project->threshold() * 100)));
    m_threshold->setToolTip(tr("Cells with a confidence below this are in the queue"));
    m_counts = new QLabel(this);
    m_counts->setWordWrap(true);
    m_class = new QComboBox(this);
    m_inSelection = new QCheckBox(tr("Inside the map's selection"), this);
    m_unreviewed = new QCheckBox(tr("Not yet reviewed"), this);
    m_table = new QTableView(this);
    m_table->setObjectName(QStringLiteral("reviewQueue"));
    m_table->setModel(m_model);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->installEventFilter(this);
    m_keys = new QLabel(this);
    m_keys->setWordWrap(true);
    m_relabel = new QLineEdit(this);
    m_relabel->setPlaceholderText(tr("Relabel as… (type, Enter)"));
    m_relabel->setClearButtonEnabled(true);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_threshold);
    layout->addWidget(m_counts);
    layout->addWidget(m_class);
    layout->addWidget(m_inSelection);
    layout->addWidget(m_unreviewed);
    layout->addWidget(m_table, 1);
    layout->addWidget(m_keys);
    layout->addWidget(m_relabel);

    connect(m_threshold, &QSlider::valueChanged, this, [this](int v) { m_model->setThreshold(v / 100.0); });
    connect(m_class, &QComboBox::activated, this, [this] { m_model->setClassFilter(m_class->currentData().toString()); });
    connect(m_inSelection, &QCheckBox::toggled, this, [this](bool on) {
        m_model->setSelectionFilter(on ? std::optional<CellSelection>(m_view->selection()) : std::nullopt);
    });
    connect(m_unreviewed, &QCheckBox::toggled, m_model, &ReviewQueueModel::setUnreviewedOnly);
    connect(m_model, &ReviewQueueModel::countsChanged, this, &ReviewPanel::updateCounts);
    connect(m_model, &QAbstractItemModel::modelReset, this, [this] {
        if (m_model->rowCount() > 0)
            m_table->selectRow(0);
        updateCounts();
    });
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this] { showCurrent(); });
    connect(m_relabel, &QLineEdit::returnPressed, this, [this] {
        relabelCurrent(m_relabel->text());
        m_relabel->clear();
        m_table->setFocus();
    });
    connect(m_view, &CellMapView::pointClicked, this, [this](std::int64_t cell) { setCurrentCell(cell); });
    auto refill = [this] {
        m_class->clear();
        m_class->addItem(tr("Every predicted class"), QString());
        if (!m_project->labelings().empty())
            for (const auto &c : m_project->labelings().front()->predictions.classes)
                m_class->addItem(tr("Predicted %1").arg(QString::fromStdString(c)), QString::fromStdString(c));
        auto *completer = new QCompleter(m_project->labelNames(), m_relabel);
        completer->setCaseSensitivity(Qt::CaseInsensitive);
        delete m_relabel->completer();
        m_relabel->setCompleter(completer);
    };
    connect(m_project, &Project::labelingsChanged, this, refill);
    connect(m_project, &Project::labelsChanged, this, [this] {
        auto *completer = new QCompleter(m_project->labelNames(), m_relabel);
        completer->setCaseSensitivity(Qt::CaseInsensitive);
        delete m_relabel->completer();
        m_relabel->setCompleter(completer);
    });
    refill();
    updateCounts();
}

std::int64_t ReviewPanel::currentCell() const
{
    return m_model->cellAt(m_table->currentIndex().row());
}

bool ReviewPanel::setCurrentCell(std::int64_t cell)
{
    const int row = m_model->rowOf(cell);
    if (row < 0)
        return false;
    m_table->selectRow(row);
    return true;
}

void ReviewPanel::next()
{
    const int row = m_table->currentIndex().row();
    if (row + 1 < m_model->rowCount())
        m_table->selectRow(row + 1);
}

void ReviewPanel::previous()
{
    const int row = m_table->currentIndex().row();
    if (row > 0)
        m_table->selectRow(row - 1);
}

void ReviewPanel::acceptCurrent()
{
    const std::int64_t cell = currentCell();
    if (cell < 0)
        return;
    m_project->acceptCells({cell});
    next();
}

QStringList ReviewPanel::topClasses(std::int64_t cell) const
{
    if (cell < 0)
        return {};
    const auto [file, at] = m_project->locateCell(cell);
    const Annotations &a = m_project->annotations()[file];
    const float *p = a.probabilities(at);
    std::vector<int> order(a.classes().size());
    std::iota(order.begin(), order.end(), 0);
    if (p)
        std::stable_sort(order.begin(), order.end(), [p](int x, int y) { return p[x] > p[y]; });
    QStringList out;
    for (int k : order)
        out << QString::fromStdString(a.classes()[static_cast<std::size_t>(k)]);
    return out;
}

void ReviewPanel::relabelCurrentWithRank(int rank)
{
    const std::int64_t cell = currentCell();
    const QStringList top = topClasses(cell);
    if (cell < 0 || rank < 1 || rank > top.size())
        return;
    relabelCurrent(top[rank - 1]);
}

void ReviewPanel::relabelCurrent(const QString &label)
{
    const std::int64_t cell = currentCell();
    if (cell < 0 || label.trimmed().isEmpty())
        return;
    m_project->relabelCells({cell}, label.trimmed().toStdString(), LabelSource::Relabelled);
    next();
}

void ReviewPanel::unassignCurrent()
{
    const std::int64_t cell = currentCell();
    if (cell < 0)
        return;
    m_project->unassignCells({cell});
    next();
}

bool ReviewPanel::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_table && event->type() == QEvent::KeyPress) {
        auto *key = static_cast<QKeyEvent *>(event);
        if (key->modifiers() & (Qt::ControlModifier | Qt::AltModifier | Qt::MetaModifier))
            return false;
        switch (key->key()) {
        case Qt::Key_J:
        case Qt::Key_S:
            next();
            return true;
        case Qt::Key_K:
            previous();
            return true;
        case Qt::Key_Return:
        case Qt::Key_Enter:
            acceptCurrent();
            return true;
        case Qt::Key_U:
            unassignCurrent();
            return true;
        default:
            if (key->key() >= Qt::Key_1 && key->key() <= Qt::Key_9) {
                relabelCurrentWithRank(key->key() - Qt::Key_0);
                return true;
            }
            if (!key->text().isEmpty() && key->text().at(0).isLetter()) {
                // Type-ahead: the first letter goes to the relabel box.
                m_relabel->setFocus();
                m_relabel->setText(key->text());
                return true;
            }
        }
    }
    return QWidget::eventFilter(watched, event);
}

QString ReviewPanel::countsText() const
{
    return m_counts->text();
}

void ReviewPanel::updateCounts()
{
    const double t = m_threshold->value() / 100.0;
    m_counts->setText(tr("Below %1: %2 cells in the queue, %3 reviewed; %4 target cells would be Unassigned at this "
                         "threshold.")
                          .arg(QLocale().toString(t, 'f', 2), QLocale().toString(static_cast<qlonglong>(m_model->rowCount())),
                              QLocale().toString(static_cast<qlonglong>(m_model->reviewedInQueue())),
                              QLocale().toString(static_cast<qlonglong>(m_model->wouldBeUnassigned()))));
}

void ReviewPanel::showCurrent()
{
    const std::int64_t cell = currentCell();
    if (cell < 0) {
        m_keys->setText(tr("The queue is empty at this threshold."));
        return;
    }
    const QStringList top = topClasses(cell);
    QStringList keys;
    for (int k = 0; k < std::min<int>(9, static_cast<int>(top.size())); ++k)
        keys << QStringLiteral("%1 %2").arg(k + 1).arg(top[k]);
    m_keys->setText(tr("Enter accept · %1 · U Unassigned · J/K next/previous").arg(keys.join(QStringLiteral(" · "))));
    if (cell < m_view->targetCells()) {
        CellSelection one(m_view->targetCells());
        one.insert(cell);
        m_view->setSelection(one);
        m_view->centreOn(cell);
    }
    Q_EMIT currentCellChanged(cell);
}

}   // namespace nym::ui
