#pragma once

#include "core/data/annotations.h"

#include <QDateTime>
#include <QFile>
#include <QObject>
#include <QString>
#include <QTimer>

#include <cstdint>
#include <string>
#include <vector>

namespace nym::ui {

class Project;

// Review work is never lost: every edit's changed cells are appended, with their whole state, to a journal in the
// app's data folder (never beside the user's data) and flushed to disk (fsync) within a second. The journal is keyed
// by the target files (path, size, their first and last MiB) and the predictions themselves, so it can only ever be
// replayed onto the same cells labelled by the same model. Each line carries a CRC-32: a line cut short by a crash is
// ignored; any other damage refuses the whole journal with a message. Opening the same targets and model again finds
// the journal (sessionFound); restore() replays it as one undo step. Owned by the window; GUI thread.
class ReviewJournal : public QObject
{
    Q_OBJECT

public:
    // `folder`: where journals are kept (default: <app data>/sessions).
    explicit ReviewJournal(Project *project, const QString &folder = {}, QObject *parent = nullptr);
    ~ReviewJournal() override;

    // The journal of the current predictions ("" without predictions).
    QString path() const { return m_path; }
    static QString sessionKey(const Project &project);

    // What a journal holds: the last state of every cell it mentions.
    struct Saved
    {
        std::vector<std::int64_t> cells;
        std::vector<std::string> names;
        std::vector<Annotations::CellState> states;   // name indices unused: see names
        QDateTime lastEdit;
        QString error;   // why it cannot be used ("" when it can)
    };
    Saved read() const;
    // Replays the journal onto the project as one undo step; false (with the reason in `error`) when it cannot.
    bool restore(QString *error = nullptr);
    // Writes what is pending now (also done by a timer within a second of each edit, and on destruction).
    void flush();

Q_SIGNALS:
    // A journal of earlier edits exists for the predictions just set.
    void sessionFound(qint64 cells, const QDateTime &lastEdit);

private:
    void open();
    void append(const std::vector<std::int64_t> &cells);

    Project *m_project;
    QString m_folder;
    QString m_path;
    QFile m_file;
    QByteArray m_pending;
    QTimer m_timer;
    bool m_restoring = false;
};

}   // namespace nym::ui
