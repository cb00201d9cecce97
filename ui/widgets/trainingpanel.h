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

// Every knob of the engine's TrainOptions with its range, default and a tooltip saying what it does, under a preset
// selector. Changing a knob away from its preset shows the preset as "custom". The settings persist between runs
// (QSettings group "training"). Renders and forwards; owned by its parent; GUI thread.
class TrainingPanel : public QWidget
{
    Q_OBJECT

public:
    explicit TrainingPanel(QWidget *parent = nullptr);
    ~TrainingPanel() override;

    // The options as the knobs stand (preset "custom" when they differ from the chosen preset).
    TrainOptions options() const;
    void setOptions(const TrainOptions &options);
    // Loads a preset, keeping the seed and thread count (they are not part of the method).
    void applyPreset(const QString &name);
    QString presetText() const;   // what the preset selector shows ("scnym-default", "custom", ...)
    // Sets one knob by its TrainOptions field name ("epochs", "mixupAlpha", "adversary", ...); false if unknown.
    bool setKnob(const QString &field, double value);
    QWidget *knobWidget(const QString &field) const;
    // Greys out the knobs while a training runs.
    void setRunning(bool running);

Q_SIGNALS:
    void optionsChanged();

private:
    struct Knob;
    void addNumber(QFormLayout *form, const QString &field, const QString &label, const QString &tip,
        double min, double max, int decimals, std::function<double(const TrainOptions &)> get,
        std::function<void(TrainOptions &, double)> set);
    void addSwitch(QFormLayout *form, const QString &field, const QString &label, const QString &tip,
        std::function<bool(const TrainOptions &)> get, std::function<void(TrainOptions &, bool)> set);
    void knobsChanged();
    void refreshPreset();
    void save() const;

    QComboBox *m_preset = nullptr;
    QWidget *m_reset = nullptr;
    std::vector<Knob> m_knobs;
    TrainOptions m_base;   // the chosen preset's options, for telling "custom"
    bool m_updating = false;
};

}   // namespace nym::ui
