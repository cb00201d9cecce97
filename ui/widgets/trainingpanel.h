#pragma once

#include "core/model/trainoptions.h"

#include <QString>
#include <QWidget>

#include <functional>
#include <vector>

class QFormLayout;
class QCheckBox;
class QComboBox;
class QLabel;

namespace nym::ui {

class Project;

// Every knob of the engine's TrainOptions with its range, default and a tooltip saying what it does, under a preset
// selector. Renders the Project's training options and sends every change to it (the Project decides when the
// preset becomes "custom"; ProjectSettings keeps the options between runs). Owned by its parent; GUI thread.
class TrainingPanel : public QWidget
{
    Q_OBJECT

public:
    explicit TrainingPanel(Project *project, QWidget *parent = nullptr);
    ~TrainingPanel() override;

    // The Project's options, which the knobs show.
    const TrainOptions &options() const;
    // Asks the Project for a preset, keeping the seed and thread count (they are not part of the method).
    void applyPreset(const QString &name);
    QString presetText() const;   // what the preset selector shows ("scnym-default", "custom", ...)
    // Sets one knob by its TrainOptions field name ("epochs", "mixupAlpha", "adversary", ...) as the user would;
    // false if unknown.
    bool setKnob(const QString &field, double value);
    QWidget *knobWidget(const QString &field) const;
    // Greys out the knobs while a training runs.
    void setRunning(bool running);

private:
    struct Knob;
    void addNumber(QFormLayout *form, const QString &field, const QString &label, const QString &tip,
        double min, double max, int decimals, std::function<double(const TrainOptions &)> get,
        std::function<void(TrainOptions &, double)> set,
        const QString &minimumText = {});
    void addSwitch(QFormLayout *form, const QString &field, const QString &label, const QString &tip,
        std::function<bool(const TrainOptions &)> get, std::function<void(TrainOptions &, bool)> set);
    void knobsChanged();
    void render();
    void updateEnabled();

    Project *m_project = nullptr;
    QComboBox *m_preset = nullptr;
    QWidget *m_reset = nullptr;
    std::vector<Knob> m_knobs;
    bool m_updating = false;
    bool m_running = false;
};

}   // namespace nym::ui
