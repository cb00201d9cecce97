#pragma once

#include <QObject>

namespace nym::ui {

class Project;

// Keeps a Project's user preferences between runs in QSettings: the training options with their base preset
// (group "training") and the confidence threshold ("results/threshold"). Reads them into the Project when attached
// (damaged settings fall back to the defaults) and writes them whenever the Project announces a change. Widgets
// never touch these settings. A child of the Project; GUI thread.
class ProjectSettings : public QObject
{
    Q_OBJECT

public:
    // Restores the settings into `project` and keeps them up to date from then on.
    static ProjectSettings *attach(Project *project);

private:
    explicit ProjectSettings(Project *project);
    void restore();
    void saveOptions() const;
    void saveThreshold() const;

    Project *m_project = nullptr;
};

}   // namespace nym::ui
