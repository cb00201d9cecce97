// nymstudio: the Nym Studio desktop application.
//   nymstudio [--demo] [TRAINING TARGET] [--screenshot FILE.png]
#include "ui/widgets/mainwindow.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QTimer>

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("Nym Studio"));
    QApplication::setOrganizationName(QStringLiteral("Nym Studio"));
    QApplication::setApplicationVersion(QStringLiteral(NYM_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Label single-cell RNA-seq data with the scNym method."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption demo(QStringLiteral("demo"), QStringLiteral("Open the built-in demo data."));
    const QCommandLineOption shot(QStringLiteral("screenshot"),
        QStringLiteral("Save a screenshot of the window once the data is loaded, then quit."),
        QStringLiteral("file.png"));
    parser.addOption(demo);
    parser.addOption(shot);
    parser.addPositionalArgument(
        QStringLiteral("training"), QStringLiteral("Labelled training dataset (.h5ad or 10x .h5)."));
    parser.addPositionalArgument(QStringLiteral("target"), QStringLiteral("Dataset to label."));
    parser.process(app);

    nym::ui::MainWindow window;
    window.show();
    const QStringList files = parser.positionalArguments();
    if (files.size() == 2)
        window.openFiles(files[0], files[1]);
    else if (parser.isSet(demo) || files.isEmpty())
        window.openDemo();
    else
        parser.showHelp(2);

    if (parser.isSet(shot)) {
        const QString path = parser.value(shot);
        const auto save = [&window, path] {
            QTimer::singleShot(300, &window, [&window, path] {
                const bool ok = window.grab().save(path);
                QApplication::exit(ok ? 0 : 1);
            });
        };
        QObject::connect(&window, &nym::ui::MainWindow::loaded, &window, save);
        QObject::connect(&window, &nym::ui::MainWindow::loadFailed, &window, save);
    }
    return app.exec();
}
