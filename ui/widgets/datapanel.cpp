#include "ui/widgets/datapanel.h"

#include "ui/document/project.h"
#include "ui/widgets/preflightview.h"

#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QVBoxLayout>

namespace nym::ui {

namespace {

// Domain picker entries: the first two are fixed, the rest name obs columns.
constexpr int kTrainingVsTarget = 0;
constexpr int kPerFile = 1;

}   // namespace

DataPanel::DataPanel(Project *project, QWidget *parent)
    : QWidget(parent)
    , m_project(project)
    , m_label(new QComboBox(this))
    , m_domain(new QComboBox(this))
    , m_verdict(new QLabel(this))
    , m_view(new PreflightView(this))
{
    auto *layout = new QVBoxLayout(this);
    auto *row = new QHBoxLayout;
    auto *form = new QFormLayout;
    m_label->setMinimumWidth(180);
    m_label->setToolTip(tr("The obs column of the training file(s) that holds the cell-type labels."));
    m_domain->setMinimumWidth(260);
    m_domain->setToolTip(tr("<p>What the domain adversary learns to ignore.</p><ul>"
                            "<li><b>Training vs target</b>: the labelled and the target cells are two domains "
                            "(scNym default).</li><li><b>One domain per file</b>: every opened file is a domain.</li>"
                            "<li><b>Column</b>: every value of an obs column (batch, donor, technology) is a domain; "
                            "files without it are one domain each.</li></ul>"));
    form->addRow(tr("&Label column:"), m_label);
    form->addRow(tr("&Domains for the adversary:"), m_domain);
    row->addLayout(form);
    row->addSpacing(24);
    m_verdict->setWordWrap(true);
    m_verdict->setTextInteractionFlags(Qt::TextSelectableByMouse);
    row->addWidget(m_verdict, 1);
    layout->addLayout(row);
    layout->addWidget(m_view, 1);
    connect(m_label, &QComboBox::activated, this, &DataPanel::pickersChanged);
    connect(m_domain, &QComboBox::activated, this, &DataPanel::pickersChanged);
    connect(m_project, &Project::dataChanged, this, &DataPanel::refresh);
    connect(m_project, &Project::domainModeChanged, this, &DataPanel::refresh);
    refresh();
}

void DataPanel::refresh()
{
    const auto &d = m_project->data();
    m_updating = true;
    m_label->clear();
    for (const QString &c : m_project->labelCandidates())
        m_label->addItem(c);
    m_label->setCurrentText(d.labelColumn);
    m_label->setEnabled(m_label->count() > 0);
    m_domain->clear();
    m_domain->addItem(tr("Training vs target (scNym default)"), QString());
    m_domain->addItem(tr("One domain per file"), QString());
    for (const QString &c : m_project->domainCandidates())
        m_domain->addItem(tr("Column: %1").arg(c), c);
    switch (m_project->domainMode()) {
    case Project::DomainMode::Column:
        m_domain->setCurrentIndex(std::max(0, m_domain->findData(d.domainColumn)));
        break;
    case Project::DomainMode::PerFile:
        m_domain->setCurrentIndex(kPerFile);
        break;
    case Project::DomainMode::TrainingVsTarget:
        m_domain->setCurrentIndex(kTrainingVsTarget);
        break;
    }
    m_updating = false;

    if (d.training.empty() && d.targets.empty()) {
        m_verdict->clear();
        m_view->showMessage(tr("Open a labelled training dataset and a target dataset (File menu, or drop .h5ad / "
                               ".h5 files on this window), or the demo data (File → Open Demo)."));
        return;
    }
    m_view->showReports(d.trainingReports, d.targetReports);
    const QString why = m_project->blockingReason();
    if (why.isEmpty())
        m_verdict->setText(tr("<span style='color:#1b7f3b'>✔ Ready to train.</span>"));
    else
        m_verdict->setText(tr("<span style='color:#b00020'>Training cannot start: %1</span>").arg(why.toHtmlEscaped()));
}

void DataPanel::pickersChanged()
{
    if (m_updating)
        return;
    const QString column = m_domain->currentData().toString();
    const auto mode = !column.isEmpty()              ? Project::DomainMode::Column
        : m_domain->currentIndex() == kPerFile ? Project::DomainMode::PerFile
                                               : Project::DomainMode::TrainingVsTarget;
    Q_EMIT columnsChosen(m_label->currentText(), mode, column);
}

QString DataPanel::reportText() const
{
    return m_verdict->text() + QLatin1Char('\n') + m_view->toPlainText();
}

void DataPanel::setBusy(bool busy)
{
    m_label->setEnabled(!busy && m_label->count() > 0);
    m_domain->setEnabled(!busy);
}

void DataPanel::showMessage(const QString &text)
{
    m_view->showMessage(text);
}

}   // namespace nym::ui
