#pragma once
// Helpers shared by the tests: where the shared data lives, skipping cleanly without it, running Python.

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QProcess>
#include <QSettings>
#include <QString>
#include <QTemporaryDir>
#include <QTest>

namespace nymtest {

inline QString sharedDir()
{
    const QByteArray env = qgetenv("NYM_SHARED_DIR");
    return QDir::cleanPath(env.isEmpty() ? QStringLiteral(NYM_SHARED_DIR) : QString::fromLocal8Bit(env));
}

inline bool haveShared()
{
    return QFileInfo(sharedDir() + QStringLiteral("/data")).isDir();
}

inline QString dataFile(const QString &rel)
{
    return sharedDir() + QStringLiteral("/data/") + rel;
}
inline QString fixture(const QString &rel)
{
    return sharedDir() + QStringLiteral("/fixtures/h5/") + rel;
}
inline QString testSource(const QString &rel)
{
    return QStringLiteral(NYM_TEST_SOURCE_DIR "/") + rel;
}
inline std::string s(const QString &q)
{
    return q.toStdString();
}

// Points QSettings and the app's data folder at a temporary folder under a test application name, so a test never
// reads or changes the user's settings or saved reviews. False when the folder could not be made.
inline bool isolateSettings(const QTemporaryDir &dir, const QString &application)
{
    if (!dir.isValid())
        return false;
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, dir.path());
    // The app's data folder too (saved reviews): XDG_DATA_HOME is read each time a path is asked for.
    qputenv("XDG_DATA_HOME", QDir(dir.path()).filePath(QStringLiteral("data")).toUtf8());
    QCoreApplication::setOrganizationName(QStringLiteral("NymStudioTests"));
    QCoreApplication::setApplicationName(application);
    return true;
}

// Runs Debian's python3 with a script from tests/ and returns its stdout; fails the test on a non-zero exit.
inline QByteArray runPython(const QString &script, const QStringList &args, int timeoutMs = 300000)
{
    QProcess p;
    p.start(QStringLiteral(NYM_PYTHON), QStringList {testSource(script)} + args);
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        qWarning("python timed out");
        return {};
    }
    if (p.exitCode() != 0)
        qWarning("python %s failed: %s", qPrintable(script), p.readAllStandardError().constData());
    return p.exitCode() == 0 ? p.readAllStandardOutput() : QByteArray();
}

}   // namespace nymtest

#define NYM_REQUIRE_SHARED()                                                                                           \
    do {                                                                                                               \
        if (!nymtest::haveShared())                                                                                    \
            QSKIP(qPrintable(                                                                                          \
                QStringLiteral("shared test data not found at %1 (set NYM_SHARED_DIR)").arg(nymtest::sharedDir())));   \
    } while (0)
