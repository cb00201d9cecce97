#pragma once

#include <QTextBrowser>

#include <vector>

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
    // Several training and target files: training files in the left column, targets in the right.
    void showReports(const std::vector<PreflightReport> &training, const std::vector<PreflightReport> &targets);
    void showMessage(const QString &text);
};

}   // namespace nym::ui
