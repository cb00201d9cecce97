#pragma once

#include <QString>
#include <QStringList>

namespace nym::ui {

// The "Open Recent" list in QSettings ("recentFiles"): up to ten entries "kind|absolute path", newest first, where
// kind is "training", "target" or "model". Plain class over QSettings; GUI thread.
class RecentFiles
{
public:
    static constexpr int kMax = 10;

    static QStringList entries();
    static void add(const QString &path, const QString &kind);
    static void clear();
    // The parts of an entry.
    static QString kind(const QString &entry);
    static QString path(const QString &entry);
};

}   // namespace nym::ui
