#include "ui/document/reviewjournal.h"

#include "ui/document/project.h"

#include "core/common/error.h"
#include "core/export/reviewfile.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFileInfo>
#include <QStandardPaths>
#include <QUrl>

#include <map>
#include <unistd.h>
#include <zlib.h>

namespace nym::ui {

namespace {

constexpr const char *kMagic = "nymjournal 1";

QByteArray withCrc(const QByteArray &line)
{
    const auto crc = crc32(0L, reinterpret_cast<const Bytef *>(line.constData()), static_cast<uInt>(line.size()));
    return line + ' ' + QByteArray::number(static_cast<qulonglong>(crc), 16) + '\n';
}

bool checkCrc(const QByteArray &line, QByteArray &body)
{
    const int space = line.lastIndexOf(' ');
    if (space < 0)
        return false;
    body = line.left(space);
    bool ok = false;
    const auto stored = line.mid(space + 1).toULongLong(&ok, 16);
    const auto crc = crc32(0L, reinterpret_cast<const Bytef *>(body.constData()), static_cast<uInt>(body.size()));
    return ok && stored == crc;
}

}   // namespace

ReviewJournal::ReviewJournal(Project *project, const QString &folder, QObject *parent)
    : QObject(parent)
    , m_project(project)
    , m_folder(folder.isEmpty() ? QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + QStringLiteral("/sessions")
                                : folder)
{
    m_timer.setSingleShot(true);
    m_timer.setInterval(500);
    connect(&m_timer, &QTimer::timeout, this, &ReviewJournal::flush);
    connect(project, &Project::labelingsChanged, this, &ReviewJournal::open);
    connect(project, &Project::labelsChanged, this, [this](const std::vector<std::int64_t> &cells) { append(cells); });
    open();
}

ReviewJournal::~ReviewJournal()
{
    flush();
}

QString ReviewJournal::sessionKey(const Project &project)
{
    QCryptographicHash h(QCryptographicHash::Sha1);
    for (const auto &d : project.data().targets) {
        if (d->source.path.empty()) {
            for (const auto &id : d->cellIds)
                h.addData(QByteArray::fromStdString(id));
        } else {
            // The file as core fingerprints it for projects (path, size, CRC of its first and last MiB).
            try {
                const FileFingerprint f = fingerprint(d->source.path);
                h.addData(QByteArray::fromStdString(f.path + '\n' + std::to_string(f.size) + '\n' + f.checksum));
            } catch (const Error &) {
                h.addData(QByteArray::fromStdString(d->source.path));   // unreadable now: its name at least
            }
        }
        h.addData(QByteArray::number(static_cast<qlonglong>(d->cells())));
    }
    // The predictions themselves: a journal of one model's review never lands on another's.
    for (const auto &l : project.labelings()) {
        const auto &p = l->predictions;
        h.addData(QByteArrayView(reinterpret_cast<const char *>(p.label.data()), static_cast<qsizetype>(p.label.size() * sizeof(std::int32_t))));
        h.addData(QByteArrayView(reinterpret_cast<const char *>(p.confidence.data()), static_cast<qsizetype>(p.confidence.size() * sizeof(float))));
        for (const auto &c : p.classes)
            h.addData(QByteArray::fromStdString(c + '\n'));
    }
    return QString::fromLatin1(h.result().toHex());
}

void ReviewJournal::open()
{
    flush();
    m_file.close();
    m_path.clear();
    if (m_project->labelings().empty())
        return;
    QDir().mkpath(m_folder);
    m_path = QDir(m_folder).filePath(sessionKey(*m_project) + QStringLiteral(".nymjournal"));
    // Predictions that arrive with a review (carried over to a new model, an undo, an opened project): the
    // journal of these predictions starts from that review. Only fresh predictions offer an earlier session.
    std::vector<std::int64_t> edited;
    std::int64_t start = 0;
    for (const auto &a : m_project->annotations()) {
        for (std::int64_t i = 0; i < a.cells(); ++i)
            if (a.isEdited(i))
                edited.push_back(start + i);
        start += a.cells();
    }
    if (!edited.empty()) {
        append(edited);
        return;
    }
    const Saved saved = read();
    if (!saved.cells.empty() || !saved.error.isEmpty())
        Q_EMIT sessionFound(static_cast<qint64>(saved.cells.size()), saved.lastEdit);
}

void ReviewJournal::append(const std::vector<std::int64_t> &cells)
{
    if (m_path.isEmpty() || m_restoring)
        return;
    if (!m_file.isOpen()) {
        m_file.setFileName(m_path);
        const bool fresh = !m_file.exists() || QFileInfo(m_file).size() == 0;
        if (!m_file.open(QIODevice::WriteOnly | QIODevice::Append))
            return;
        if (fresh)
            m_pending += withCrc(QByteArray(kMagic) + ' ' + QByteArray::number(static_cast<qlonglong>(m_project->targetCells())));
    }
    for (std::int64_t c : cells) {
        const auto s = m_project->cellState(c);
        const auto [file, local] = m_project->locateCell(c);
        const std::string &label = m_project->annotations()[file].finalLabel(local);
        m_pending += withCrc(QByteArray::number(static_cast<qlonglong>(c)) + ' ' + QByteArray::number(static_cast<int>(s.source)) +
            ' ' + QByteArray::number(s.reviewed ? 1 : 0) + ' ' + QByteArray::number(static_cast<qlonglong>(s.editTime)) + ' ' +
            QUrl::toPercentEncoding(QString::fromStdString(label)));
    }
    if (!m_timer.isActive())
        m_timer.start();
}

void ReviewJournal::flush()
{
    m_timer.stop();
    if (m_pending.isEmpty() || !m_file.isOpen())
        return;
    m_file.write(m_pending);
    m_file.flush();
    ::fsync(m_file.handle());
    m_pending.clear();
}

ReviewJournal::Saved ReviewJournal::read() const
{
    Saved saved;
    QFile f(m_path);
    if (m_path.isEmpty() || !f.exists() || !f.open(QIODevice::ReadOnly))
        return saved;
    const QList<QByteArray> lines = f.readAll().split('\n');
    std::map<std::int64_t, std::pair<std::string, Annotations::CellState>> last;
    const std::int64_t cells = m_project->targetCells();
    for (qsizetype i = 0; i < lines.size(); ++i) {
        const QByteArray &line = lines[i];
        if (line.isEmpty())
            continue;
        QByteArray body;
        const bool lastLine = i + 1 >= lines.size() || (i + 2 == lines.size() && lines.back().isEmpty());
        if (!checkCrc(line, body)) {
            if (lastLine && i + 1 == lines.size())
                break;   // cut short by a crash while writing: everything before it is whole
            saved.error = tr("The saved review %1 is damaged at line %2; it was not applied.").arg(m_path).arg(i + 1);
            return Saved {.cells = {}, .names = {}, .states = {}, .lastEdit = {}, .error = saved.error};
        }
        if (i == 0) {
            const QList<QByteArray> head = body.split(' ');
            if (head.size() != 3 || head[0] + ' ' + head[1] != kMagic || head[2].toLongLong() != cells) {
                saved.error = tr("The saved review %1 belongs to other data; it was not applied.").arg(m_path);
                return Saved {.cells = {}, .names = {}, .states = {}, .lastEdit = {}, .error = saved.error};
            }
            continue;
        }
        const QList<QByteArray> parts = body.split(' ');
        bool ok = parts.size() == 5;
        const std::int64_t cell = ok ? parts[0].toLongLong(&ok) : -1;
        const int source = ok ? parts[1].toInt(&ok) : -1;
        if (!ok || cell < 0 || cell >= cells || source < 0 || source > 3) {
            saved.error = tr("The saved review %1 has an invalid entry at line %2; it was not applied.").arg(m_path).arg(i + 1);
            return Saved {.cells = {}, .names = {}, .states = {}, .lastEdit = {}, .error = saved.error};
        }
        Annotations::CellState s;
        s.source = static_cast<LabelSource>(source);
        s.reviewed = parts[2] == "1";
        s.editTime = parts[3].toLongLong();
        last[cell] = {QUrl::fromPercentEncoding(parts[4]).toStdString(), s};
        saved.lastEdit = std::max(saved.lastEdit, QDateTime::fromSecsSinceEpoch(s.editTime));
    }
    for (const auto &[cell, entry] : last) {
        saved.cells.push_back(cell);
        saved.names.push_back(entry.first);
        saved.states.push_back(entry.second);
    }
    return saved;
}

bool ReviewJournal::restore(QString *error)
{
    const Saved saved = read();
    if (!saved.error.isEmpty()) {
        if (error)
            *error = saved.error;
        return false;
    }
    if (saved.cells.empty())
        return true;
    m_restoring = true;   // the journal already holds these states
    m_project->restoreCells(saved.cells, saved.names, saved.states);
    m_restoring = false;
    return true;
}

}   // namespace nym::ui
