#pragma once

#include "ui/document/project.h"

#include <QWidget>

class QComboBox;
class QLabel;

namespace nym::ui {

class PreflightView;

// The data step: the label and domain column pickers over the preflight reports of every open file (sizes,
// detected normalisation with its evidence, gene overlap, classes with counts, warnings and errors). Observes the
// Project (the label column and the domain mode are the Project's; the pickers show them) and sends the user's
// choice as an intent, columnsChosen(). Owned by its parent; GUI thread.
class DataPanel : public QWidget
{
    Q_OBJECT

public:
    DataPanel(Project *project, QWidget *parent = nullptr);

    QString reportText() const;
    void showMessage(const QString &text);
    // The pickers are locked while data is read or a model trains (a change then would not be checked).
    void setBusy(bool busy);
    QComboBox *labelPicker() const { return m_label; }
    QComboBox *domainPicker() const { return m_domain; }

Q_SIGNALS:
    // The user picked a label column or a domain source (the column only with DomainMode::Column).
    void columnsChosen(const QString &labelColumn, nym::ui::Project::DomainMode mode, const QString &domainColumn);

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
