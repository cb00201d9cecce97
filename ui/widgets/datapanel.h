#pragma once

#include "core/data/trainingset.h"

#include <QWidget>

class QComboBox;
class QLabel;

namespace nym::ui {

class PreflightView;
class Project;

// The data step: the label and domain column pickers over the preflight reports of every open file (sizes,
// detected normalisation with its evidence, gene overlap, classes with counts, warnings and errors). Observes the
// Project; asks for a re-check through columnsChosen(). Owned by its parent; GUI thread.
class DataPanel : public QWidget
{
    Q_OBJECT

public:
    DataPanel(Project *project, QWidget *parent = nullptr);

    // How training should read the data: the label column and where the adversary's domains come from.
    TrainingSetOptions trainingSetOptions() const;
    QString reportText() const;
    void showMessage(const QString &text);
    // The pickers are locked while data is read or a model trains (a change then would not be checked).
    void setBusy(bool busy);
    QComboBox *labelPicker() const { return m_label; }
    QComboBox *domainPicker() const { return m_domain; }

Q_SIGNALS:
    // The user picked another label or domain column ("" = none): the reports must be re-checked.
    void columnsChosen(const QString &labelColumn, const QString &domainColumn);

private:
    void refresh();
    void pickersChanged();

    Project *m_project = nullptr;
    QComboBox *m_label = nullptr;
    QComboBox *m_domain = nullptr;
    QLabel *m_verdict = nullptr;
    PreflightView *m_view = nullptr;
    bool m_updating = false;
};

}   // namespace nym::ui
