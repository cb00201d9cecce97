#include "ui/document/recentfiles.h"

#include <QFileInfo>
#include <QSettings>

namespace nym::ui {

namespace {

const QString kKey = QStringLiteral("recentFiles");

}   // namespace

QStringList RecentFiles::entries()
{
    return QSettings().value(kKey).toStringList();
}

void RecentFiles::add(const QString &path, const QString &kind)
{
    QSettings s;
    QStringList recent = s.value(kKey).toStringList();
    const QString entry = kind + QLatin1Char('|') + QFileInfo(path).absoluteFilePath();
    recent.removeAll(entry);
    recent.prepend(entry);
    while (recent.size() > kMax)
        recent.removeLast();
    s.setValue(kKey, recent);
}

void RecentFiles::clear()
{
    QSettings().remove(kKey);
}

QString RecentFiles::kind(const QString &entry)
{
    return entry.section(QLatin1Char('|'), 0, 0);
}

QString RecentFiles::path(const QString &entry)
{
    return entry.section(QLatin1Char('|'), 1);
}

}   // namespace nym::ui
