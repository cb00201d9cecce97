#include "ui/document/project.h"

#include "ui/document/editcommands.h"

#include "core/common/error.h"
#include "core/data/reviewedcells.h"
#include "core/export/reviewfile.h"

#include <QDateTime>
#include <QUndoStack>

#include <algorithm>

namespace nym::ui {

namespace {

void addUnique(QStringList &list, const std::string &name)
{
    const QString q = QString::fromStdString(name);
    if (!list.contains(q))
        list.append(q);
}

}   // namespace

Project::Project(QObject *parent)
    : QObject(parent)
    , m_options(TrainOptions::fromPreset("scnym-default"))
    , m_basePreset(m_options.preset)
    , m_undo(new QUndoStack(this))
{
    connect(m_undo, &QUndoStack::cleanChanged, this, [this] { Q_EMIT modifiedChanged(isModified()); });
}

Project::~Project() = default;

Project::Data Project::check(std::vector<DatasetPtr> training, std::vector<DatasetPtr> targets,
    const QString &labelColumn, const QString &domainColumn)
{
    Data d;
    PreflightOptions o;
    if (!labelColumn.isEmpty())
        o.labelColumn = labelColumn.toStdString();
    if (!domainColumn.isEmpty())
        o.domainColumn = domainColumn.toStdString();
    for (const auto &t : training) {
        PreflightOptions tr = o;
        tr.role = DatasetRole::Training;
        // Files without the domain column are one domain each (METHOD.md §4), not an error.
        if (!domainColumn.isEmpty() && !t->findObs(domainColumn.toStdString()))
            tr.domainColumn.reset();
        d.trainingReports.push_back(preflight(*t, tr));
    }
    for (const auto &t : targets) {
        PreflightOptions to = o;
        to.role = DatasetRole::Target;
        // The target's own label column (if any) is for context only.
        if (!t->findObs(labelColumn.toStdString()))
            to.labelColumn.reset();
        if (!domainColumn.isEmpty() && !t->findObs(domainColumn.toStdString()))
            to.domainColumn.reset();
        if (training.empty()) {
            d.targetReports.push_back(preflight(*t, to));
        } else {
            auto pair = preflightPair(*training.front(), *t, to);
            d.targetReports.push_back(std::move(pair.second));
        }
    }
    d.labelColumn = d.trainingReports.empty() ? labelColumn
                                              : QString::fromStdString(d.trainingReports.front().labelColumn);
    d.domainColumn = domainColumn;
    d.training = std::move(training);
    d.targets = std::move(targets);
    return d;
}

void Project::setData(Data data)
{
    // Predictions stay valid while the target files are the same (another label column was chosen, say).
    const bool sameTargets = data.targets == m_data.targets;
    m_data = std::move(data);
    const DomainMode mode = !m_data.domainColumn.isEmpty() ? DomainMode::Column
        : m_domainMode == DomainMode::Column                ? DomainMode::TrainingVsTarget
                                                            : m_domainMode;
    const bool modeChanged = mode != m_domainMode;
    m_domainMode = mode;
    Q_EMIT dataChanged();
    if (modeChanged)
        Q_EMIT domainModeChanged();
    if (!sameTargets)
        setLabelings({});
}

void Project::setDomainMode(DomainMode mode)
{
    if (mode == DomainMode::Column || mode == m_domainMode)
        return;
    m_domainMode = mode;
    m_data.domainColumn.clear();
    Q_EMIT domainModeChanged();
}

TrainingSetOptions Project::trainingSetOptions() const
{
    TrainingSetOptions o;
    if (!m_data.labelColumn.isEmpty())
        o.labelColumn = m_data.labelColumn.toStdString();
    switch (m_domainMode) {
    case DomainMode::Column:
        o.domains = DomainSource::Column;
        o.domainColumn = m_data.domainColumn.toStdString();
        break;
    case DomainMode::PerFile:
        o.domains = DomainSource::PerFile;
        break;
    case DomainMode::TrainingVsTarget:
        o.domains = DomainSource::TrainingVsTarget;
        break;
    }
    return o;
}

QString Project::blockingReason() const
{
    if (m_data.training.empty())
        return tr("Open a labelled training dataset.");
    if (m_data.targets.empty())
        return tr("Open a target dataset to label.");
    const auto firstError = [](const std::vector<PreflightReport> &reports) -> QString {
        for (const auto &r : reports)
            for (const auto &m : r.messages)
                if (m.severity == PreflightMessage::Severity::Error)
                    return QString::fromStdString(m.text);
        return {};
    };
    QString e = firstError(m_data.trainingReports);
    if (e.isEmpty())
        e = firstError(m_data.targetReports);
    return e;
}

QStringList Project::labelCandidates() const
{
    QStringList out;
    for (const auto &r : m_data.trainingReports)
        for (const auto &c : r.labelCandidates)
            addUnique(out, c.name);
    return out;
}

QStringList Project::domainCandidates() const
{
    QStringList out;
    for (const auto *reports : {&m_data.trainingReports, &m_data.targetReports})
        for (const auto &r : *reports)
            for (const auto &c : r.domainCandidates)
                addUnique(out, c.name);
    return out;
}

QStringList Project::inputPaths() const
{
    QStringList out;
    for (const auto *sets : {&m_data.training, &m_data.targets})
        for (const auto &d : *sets)
            if (!d->source.path.empty())
                addUnique(out, d->source.path);
    return out;
}

void Project::namePreset(TrainOptions &options) const
{
    TrainOptions base = TrainOptions::fromPreset(m_basePreset);
    base.seed = options.seed;
    base.threads = options.threads;
    options.preset = options.sameSettings(base) ? m_basePreset : std::string("custom");
}

void Project::setTrainOptions(TrainOptions options)
{
    namePreset(options);
    if (options.sameSettings(m_options) && options.preset == m_options.preset && options.seed == m_options.seed
        && options.threads == m_options.threads)
        return;
    m_options = std::move(options);
    Q_EMIT trainOptionsChanged();
}

void Project::applyPreset(const std::string &name)
{
    TrainOptions o = TrainOptions::fromPreset(name);   // throws for an unknown name
    o.seed = m_options.seed;
    o.threads = m_options.threads;
    m_basePreset = o.preset;
    m_options = std::move(o);
    Q_EMIT trainOptionsChanged();
}

void Project::restoreTrainOptions(TrainOptions options, const std::string &basePreset)
{
    TrainOptions::fromPreset(basePreset);   // throws for an unknown name
    options.validate();
    m_basePreset = basePreset;
    namePreset(options);
    m_options = std::move(options);
    Q_EMIT trainOptionsChanged();
}

void Project::setModel(std::shared_ptr<const Model> model, std::optional<TrainingSummary> summary, const QString &source)
{
    m_model = std::move(model);
    m_summary = std::move(summary);
    m_modelSource = source;
    Q_EMIT modelChanged();
    setLabelings({});
}

void Project::setLabelings(Labelings labelings)
{
    if (labelings.empty() && m_labelings.empty())
        return;
    std::vector<Annotations> annotations;
    annotations.reserve(labelings.size());
    for (const auto &l : labelings)
        annotations.push_back(annotate(l, m_threshold));
    m_labelings = std::move(labelings);
    m_annotations = std::move(annotations);
    const bool hadMap = m_cellMap != nullptr;
    m_cellMap.reset();
    // Edits of earlier predictions cannot be undone onto new ones.
    m_undo->clear();
    Q_EMIT labelingsChanged();
    Q_EMIT annotationsChanged();
    if (hadMap)
        Q_EMIT cellMapChanged();
    setModified(!m_labelings.empty());
}

std::int64_t Project::applyModel(std::shared_ptr<const Model> model, std::optional<TrainingSummary> summary,
    const QString &source, Labelings labelings)
{
    bool sameTargets = !m_labelings.empty() && labelings.size() == m_labelings.size() && labelings.size() == m_data.targets.size();
    for (std::size_t f = 0; sameTargets && f < labelings.size(); ++f)
        sameTargets = labelings[f]->predictions.cells == m_labelings[f]->predictions.cells;
    if (!sameTargets) {
        setModel(std::move(model), std::move(summary), source);
        setLabelings(std::move(labelings));
        return 0;
    }
    ModelState after;
    after.model = std::move(model);
    after.summary = std::move(summary);
    after.source = source;
    std::int64_t carried = 0;
    for (std::size_t f = 0; f < labelings.size(); ++f) {
        Annotations a = annotate(labelings[f], m_threshold);
        carried += applyReview(*m_data.targets[f], a, reviewOf(*m_data.targets[f], m_annotations[f]));
        after.annotations.push_back(std::move(a));
    }
    after.labelings = std::move(labelings);
    const QString name = source == tr("trained here") ? tr("the model trained here") : source;
    m_undo->push(new ApplyModel(this, modelState(), std::move(after), tr("Apply %1's predictions").arg(name)));
    return carried;
}

Project::ModelState Project::modelState() const
{
    return {m_model, m_summary, m_modelSource, m_labelings, m_annotations, m_cellMap};
}

void Project::setModelState(const ModelState &state)
{
    m_model = state.model;
    m_summary = state.summary;
    m_modelSource = state.source;
    m_labelings = state.labelings;
    m_annotations = state.annotations;
    for (auto &a : m_annotations)
        a.setThreshold(m_threshold);   // the threshold may have changed since this state was taken
    m_cellMap = state.cellMap;
    Q_EMIT modelChanged();
    Q_EMIT labelingsChanged();
    Q_EMIT annotationsChanged();
    Q_EMIT cellMapChanged();
    setModified(true);
}

bool Project::addLabelName(const QString &name)
{
    const QString n = name.trimmed();
    if (n.isEmpty() || labelNames().contains(n))
        return false;
    m_undo->push(new AddLabelName(this, n));
    return true;
}

void Project::setLabelNameAdded(const QString &name, bool added)
{
    if (added == m_addedLabels.contains(name))
        return;
    if (added)
        m_addedLabels.append(name);
    else
        m_addedLabels.removeAll(name);
    Q_EMIT labelNamesChanged();
}

std::int64_t Project::editedCells() const
{
    std::int64_t n = 0;
    for (const auto &a : m_annotations)
        for (std::int64_t i = 0; i < a.cells(); ++i)
            n += a.source(i) != LabelSource::Model || a.reviewed(i);
    return n;
}

std::vector<DatasetPtr> Project::correctionsAsTraining() const
{
    std::vector<DatasetPtr> out;
    for (std::size_t f = 0; f < m_annotations.size() && f < m_data.targets.size(); ++f) {
        auto d = std::make_shared<Dataset>(reviewedCellsAsTraining(*m_data.targets[f], m_annotations[f], m_data.labelColumn.toStdString()));
        if (d->cells() > 0) {
            d->source.format = "reviewed cells of " + datasetDisplayName(*m_data.targets[f], f);
            d->source.reviewedFrom = datasetDisplayName(*m_data.targets[f], f);
            out.push_back(std::move(d));
        }
    }
    return out;
}

std::vector<std::string> Project::targetDomains(std::size_t file) const
{
    const Dataset &d = *m_data.targets.at(file);
    const auto n = static_cast<std::size_t>(d.cells());
    if (m_domainMode == DomainMode::Column) {
        if (const ObsColumn *c = d.findObs(m_data.domainColumn.toStdString())) {
            std::vector<std::string> out;
            out.reserve(n);
            for (std::size_t i = 0; i < n; ++i)
                out.push_back(c->text(static_cast<std::int64_t>(i)));
            return out;
        }
    }
    if (m_domainMode == DomainMode::TrainingVsTarget)
        return std::vector<std::string>(n, "target");
    return std::vector<std::string>(n, datasetDisplayName(d, m_data.training.size() + file));
}

std::int64_t Project::targetCells() const
{
    std::int64_t n = 0;
    for (const auto &a : m_annotations)
        n += a.cells();
    return n;
}

namespace {

std::int64_t now()
{
    return QDateTime::currentSecsSinceEpoch();
}

}   // namespace

Project::CellLocation Project::locateCell(std::int64_t cell) const
{
    std::int64_t local = cell;
    for (std::size_t f = 0; cell >= 0 && f < m_annotations.size(); ++f) {
        if (local < m_annotations[f].cells())
            return {f, local};
        local -= m_annotations[f].cells();
    }
    throw Error("Cell " + std::to_string(cell) + " is not a target cell.");
}

Annotations::CellState Project::cellState(std::int64_t cell) const
{
    const auto [f, local] = locateCell(cell);
    return m_annotations[f].state(local);
}

QStringList Project::labelNames() const
{
    QStringList names;
    for (const auto &a : m_annotations)
        for (const auto &n : a.labelNames())
            if (!names.contains(QString::fromStdString(n)))
                names << QString::fromStdString(n);
    for (const QString &n : m_addedLabels)
        if (!names.contains(n))
            names << n;
    return names;
}

void Project::applyCellEdit(const std::vector<std::int64_t> &cells,
    const std::function<void(Annotations &, std::int64_t, std::size_t)> &edit)
{
    for (std::size_t k = 0; k < cells.size(); ++k) {
        const auto [f, local] = locateCell(cells[k]);
        edit(m_annotations[f], local, k);
    }
    Q_EMIT labelsChanged(cells);
    Q_EMIT annotationsChanged();
}

std::int64_t Project::relabelCells(const std::vector<std::int64_t> &cells, const std::string &label, LabelSource source)
{
    if (label.empty())
        throw Error("A label cannot be empty.");
    std::vector<std::int64_t> changed;
    for (std::int64_t c : cells) {
        const auto [f, local] = locateCell(c);
        const auto &a = m_annotations[f];
        if (a.finalLabel(local) != label || a.source(local) != source)
            changed.push_back(c);
    }
    if (changed.empty())
        return 0;
    const QString name = QString::fromStdString(label);
    const QString text = changed.size() == 1 ? tr("Relabel a cell as %1").arg(name)
                                             : tr("Relabel %n cells as %1", nullptr, static_cast<int>(changed.size())).arg(name);
    const auto n = static_cast<std::int64_t>(changed.size());
    m_undo->push(new SetCellLabels(this, std::move(changed), label == kUnassigned ? SetCellLabels::Kind::Unassign : SetCellLabels::Kind::Relabel,
        label, source, now(), text));
    return n;
}

std::int64_t Project::acceptCells(const std::vector<std::int64_t> &cells)
{
    std::vector<std::int64_t> changed;
    for (std::int64_t c : cells) {
        const auto [f, local] = locateCell(c);
        const auto &a = m_annotations[f];
        if (a.source(local) != LabelSource::Accepted || !a.reviewed(local) || a.finalLabel(local) != a.predictedLabel(local))
            changed.push_back(c);
    }
    if (changed.empty())
        return 0;
    const QString text = changed.size() == 1 ? tr("Accept a cell's prediction")
                                             : tr("Accept %n predictions", nullptr, static_cast<int>(changed.size()));
    const auto n = static_cast<std::int64_t>(changed.size());
    m_undo->push(new SetCellLabels(this, std::move(changed), SetCellLabels::Kind::Accept, {}, LabelSource::Accepted, now(), text));
    return n;
}

std::int64_t Project::renameLabel(const std::string &from, const std::string &to)
{
    if (from.empty() || to.empty())
        throw Error("A label cannot be empty.");
    if (from == to)
        return 0;
    std::vector<std::int64_t> cells;
    std::vector<Annotations::CellState> states;
    std::int64_t start = 0;
    for (const auto &a : m_annotations) {
        for (std::int64_t i = 0; i < a.cells(); ++i)
            if (a.finalLabel(i) == from) {
                cells.push_back(start + i);
                states.push_back(a.state(i));
            }
        start += a.cells();
    }
    if (cells.empty())
        return 0;
    const bool merge = labelNames().contains(QString::fromStdString(to));
    const QString text = merge ? tr("Merge %1 into %2").arg(QString::fromStdString(from), QString::fromStdString(to))
                               : tr("Rename %1 to %2").arg(QString::fromStdString(from), QString::fromStdString(to));
    const auto n = static_cast<std::int64_t>(cells.size());
    m_undo->push(new RestoreCells(this, std::move(cells), std::vector<std::string>(static_cast<std::size_t>(n), to), std::move(states), text));
    return n;
}

void Project::restoreCells(const std::vector<std::int64_t> &cells, const std::vector<std::string> &labels,
    const std::vector<Annotations::CellState> &states)
{
    if (cells.size() != labels.size() || cells.size() != states.size())
        throw Error("A saved review has as many labels as cells.");
    for (std::int64_t c : cells)
        locateCell(c);   // throws for a cell outside the targets before anything changes
    m_undo->push(new RestoreCells(this, cells, labels, states,
        tr("Restore %n reviewed cell(s) from the saved session", nullptr, static_cast<int>(cells.size()))));
}

std::int64_t Project::unassignCells(const std::vector<std::int64_t> &cells, LabelSource source)
{
    return relabelCells(cells, kUnassigned, source);
}

bool Project::setCellMap(CellMapPtr map)
{
    if (map && map->labelings != m_labelings)
        return false;
    std::size_t cells = 0;
    for (const auto &l : m_labelings)
        cells += static_cast<std::size_t>(l->predictions.cells);
    if (map && map->target.size() != 2 * cells)
        return false;
    m_cellMap = std::move(map);
    Q_EMIT cellMapChanged();
    return true;
}

void Project::setThreshold(double threshold)
{
    Annotations::validateThreshold(threshold);
    if (threshold == m_threshold)
        return;
    for (auto &a : m_annotations)
        a.setThreshold(threshold);
    m_threshold = threshold;
    Q_EMIT thresholdChanged(threshold);
    if (!m_annotations.empty()) {
        Q_EMIT annotationsChanged();
        setModified(true);
    }
}

void Project::changeThreshold(double threshold)
{
    Annotations::validateThreshold(threshold);
    if (threshold == m_threshold)
        return;
    if (m_annotations.empty()) {
        setThreshold(threshold);
        return;
    }
    m_undo->push(new SetThreshold(this, m_threshold, threshold));
}

bool Project::isModified() const
{
    return m_modified || !m_undo->isClean();
}

void Project::markExported()
{
    m_undo->setClean();
    setModified(false);
}

void Project::setModified(bool modified)
{
    const bool before = isModified();
    m_modified = modified;
    if (isModified() != before)
        Q_EMIT modifiedChanged(isModified());
}

std::vector<std::string> Project::targetTruth() const
{
    const std::string column = m_data.labelColumn.toStdString();
    if (column.empty())
        return {};
    std::vector<std::string> truth;
    for (const auto &t : m_data.targets) {
        const ObsColumn *c = t->findObs(column);
        if (!c)
            return {};
        for (std::int64_t i = 0; i < t->cells(); ++i)
            truth.push_back(c->text(i));
    }
    return truth;
}

}   // namespace nym::ui
