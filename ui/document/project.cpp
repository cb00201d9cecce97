#include "ui/document/project.h"

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
{
}

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
    Q_EMIT dataChanged();
    if (!sameTargets) {
        m_labelings.clear();
        Q_EMIT labelingsChanged();
    }
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

void Project::setModel(std::shared_ptr<const Model> model, std::optional<TrainingSummary> summary, const QString &source)
{
    m_model = std::move(model);
    m_summary = std::move(summary);
    m_modelSource = source;
    m_labelings.clear();
    Q_EMIT modelChanged();
    Q_EMIT labelingsChanged();
}

void Project::setLabelings(Labelings labelings)
{
    m_labelings = std::move(labelings);
    Q_EMIT labelingsChanged();
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
