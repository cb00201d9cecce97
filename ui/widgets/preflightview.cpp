#include "ui/widgets/preflightview.h"

#include "core/data/preflight.h"

#include <QFileInfo>

namespace nym::ui {

namespace {

QString esc(const std::string &s)
{
    return QString::fromStdString(s).toHtmlEscaped();
}

QString tr(const char *text)
{
    return PreflightView::tr(text);
}

QString column(const PreflightReport &r, const QString &title)
{
    QString h;
    const QString name = r.path.empty()
        ? QStringLiteral("%1 (simulated)")
              .arg(r.domains.empty() ? QStringLiteral("demo") : QString::fromStdString(r.domains.front().name))
        : QFileInfo(QString::fromStdString(r.path)).fileName();
    h += QStringLiteral("<h3>%1 — %2</h3>").arg(title, name.toHtmlEscaped());
    h += QStringLiteral("<table cellspacing='0' cellpadding='3'>");
    const auto row = [&](const QString &k, const QString &v) {
        h += QStringLiteral("<tr><td style='color:#555'>%1</td><td>%2</td></tr>").arg(k, v);
    };
    row(tr("Cells"), QLocale().toString(static_cast<qlonglong>(r.cells)));
    row(tr("Genes"), QLocale().toString(static_cast<qlonglong>(r.genes)));
    row(tr("Values"),
        QStringLiteral("<b>%1</b><br/><small>%2</small>")
            .arg(esc(toString(r.valueType.type)), esc(r.valueType.evidence)));
    row(tr("Labels"), r.labelColumn.empty() ? tr("<i>none found</i>") : esc(r.labelColumn));
    row(tr("Domains"), r.domainColumn.empty() ? tr("<i>none</i>") : esc(r.domainColumn));
    row(tr("Empty cells"), QLocale().toString(static_cast<qlonglong>(r.allZeroCells)));
    if (r.overlap)
        row(tr("Shared genes"),
            tr("%1 (%2% of training, %3% of target)")
                .arg(QLocale().toString(static_cast<qlonglong>(r.overlap->shared)))
                .arg(r.overlap->percentOfTraining, 0, 'f', 1)
                .arg(r.overlap->percentOfTarget, 0, 'f', 1));
    h += QStringLiteral("</table>");
    if (!r.classes.empty()) {
        h += QStringLiteral("<p><b>%1</b></p><table cellspacing='0' cellpadding='2'>").arg(tr("Classes"));
        const double top = static_cast<double>(r.classes.front().cells);
        for (const auto &c : r.classes) {
            const int w = static_cast<int>(160.0 * static_cast<double>(c.cells) / top);
            h += QStringLiteral("<tr><td>%1</td><td align='right' style='padding-left:12px; "
                                "padding-right:8px'>%2</td><td><table cellspacing='0' cellpadding='0'><tr>"
                                "<td bgcolor='#4a7ab5' width='%3' height='10'></td></tr></table></td></tr>")
                     .arg(esc(c.name))
                     .arg(c.cells)
                     .arg(std::max(1, w));
        }
        h += QStringLiteral("</table>");
    }
    for (const auto &m : r.messages) {
        const bool err = m.severity == PreflightMessage::Severity::Error;
        h += QStringLiteral("<p style='color:%1'>%2 %3</p>")
                 .arg(err ? QStringLiteral("#b00020") : QStringLiteral("#8a6d00"), err ? tr("Error:") : tr("Warning:"),
                     esc(m.text));
    }
    return h;
}

}   // namespace

PreflightView::PreflightView(QWidget *parent)
    : QTextBrowser(parent)
{
    setOpenLinks(false);
}

void PreflightView::showReports(const PreflightReport &training, const PreflightReport &target)
{
    showReports(std::vector<PreflightReport>{training}, std::vector<PreflightReport>{target});
}

void PreflightView::showReports(const std::vector<PreflightReport> &training, const std::vector<PreflightReport> &targets)
{
    const auto side = [](const std::vector<PreflightReport> &reports, const QString &title) {
        QString h;
        if (reports.empty())
            return QStringLiteral("<h3>%1</h3><p><i>%2</i></p>").arg(title, tr("No file opened yet."));
        for (std::size_t i = 0; i < reports.size(); ++i)
            h += column(reports[i], reports.size() > 1 ? QStringLiteral("%1 %2").arg(title).arg(i + 1) : title);
        return h;
    };
    setHtml(QStringLiteral("<table width='100%' cellpadding='8'><tr><td valign='top' width='50%'>%1</td>"
                           "<td valign='top' width='50%'>%2</td></tr></table>")
                .arg(side(training, tr("Training")), side(targets, tr("Target"))));
}

void PreflightView::showMessage(const QString &text)
{
    setHtml(QStringLiteral("<p>%1</p>").arg(text.toHtmlEscaped()));
}

}   // namespace nym::ui
