#pragma once

#include <QMainWindow>
#include <QString>

#include <functional>
#include <memory>

class QLabel;
class QProgressBar;

namespace nym {
struct Dataset;
struct PreflightReport;
}   // namespace nym

namespace nym::ui {

class PreflightView;

// The Nym Studio main window: opens a training and a target dataset (or the built-in demo), loads them off the
// GUI thread and shows their preflight reports. Owned by main(); GUI thread only.
class MainWindow : public QMainWindow
{
    Q_OBJECT

public:
    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    // Simulated training + target data with a domain shift (the app's built-in demo).
    void openDemo();
    // Loads a training and a target file.
    void openFiles(const QString &training, const QString &target);
    bool isLoading() const;
    QString reportText() const;   // the preflight panel's text, for tests

Q_SIGNALS:
    void loaded();
    void loadFailed(const QString &message);

private:
    struct Loaded;
    static Loaded checkPair(std::shared_ptr<const Dataset> training, std::shared_ptr<const Dataset> target);
    void startLoad(const QString &what, std::function<Loaded()> job);
    void chooseFiles();
    void showAbout();

    PreflightView *m_view = nullptr;
    QProgressBar *m_progress = nullptr;
    QLabel *m_status = nullptr;
    bool m_loading = false;
};

}   // namespace nym::ui
