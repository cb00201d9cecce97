#include "ui/document/projectsettings.h"

#include "core/common/error.h"
#include "ui/document/project.h"

#include <QSettings>

namespace nym::ui {

namespace {

const QString kPreset = QStringLiteral("training/preset");
const QString kBasePreset = QStringLiteral("training/basePreset");
const QString kOptions = QStringLiteral("training/options");
const QString kThreshold = QStringLiteral("results/threshold");

}   // namespace

ProjectSettings *ProjectSettings::attach(Project *project)
{
    return new ProjectSettings(project);
}

ProjectSettings::ProjectSettings(Project *project)
    : QObject(project)
    , m_project(project)
{
    restore();
    connect(project, &Project::trainOptionsChanged, this, &ProjectSettings::saveOptions);
    connect(project, &Project::thresholdChanged, this, &ProjectSettings::saveThreshold);
}

void ProjectSettings::restore()
{
    QSettings s;
    const QString preset = s.value(kPreset, QStringLiteral("scnym-default")).toString();
    const QString base = preset != QLatin1String("custom")
        ? preset
        : s.value(kBasePreset, QStringLiteral("scnym-default")).toString();
    try {
        const QString json = s.value(kOptions).toString();
        const TrainOptions basis = TrainOptions::fromPreset(base.toStdString());
        TrainOptions o = json.isEmpty() ? basis : trainOptionsFromJson(json.toStdString(), basis);
        m_project->restoreTrainOptions(std::move(o), base.toStdString());
    } catch (const Error &) {
        m_project->applyPreset("scnym-default");   // damaged settings: start clean
    }
    bool ok = false;
    const double threshold = s.value(kThreshold, 0.5).toDouble(&ok);
    try {
        m_project->setThreshold(ok ? threshold : 0.5);
    } catch (const Error &) {
        m_project->setThreshold(0.5);
    }
}

void ProjectSettings::saveOptions() const
{
    const TrainOptions &o = m_project->trainOptions();
    QSettings s;
    s.setValue(kPreset, QString::fromStdString(o.preset));
    s.setValue(kBasePreset, QString::fromStdString(m_project->basePreset()));
    s.setValue(kOptions, QString::fromStdString(trainOptionsToJson(o)));
}

void ProjectSettings::saveThreshold() const
{
    QSettings().setValue(kThreshold, m_project->threshold());
}

}   // namespace nym::ui
