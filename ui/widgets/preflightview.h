#pragma once

#include <QTextBrowser>

namespace nym {
struct PreflightReport;
}

namespace nym::ui {

// Shows the preflight reports of a training and a target dataset side by side: sizes, detected values with the
// evidence, label and domain columns, classes with counts, gene overlap, and every warning and error in plain
// words. Renders only; owned by its parent window; GUI thread.
class PreflightView : public QTextBrowser
{
    Q_OBJECT

public:
    explicit PreflightView(QWidget *parent = nullptr);
    void showReports(const PreflightReport &training, const PreflightReport &target);
    void showMessage(const QString &text);
};

}   // namespace nym::ui
