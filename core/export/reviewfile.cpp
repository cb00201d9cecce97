#include "core/export/reviewfile.h"

#include "core/common/atomicfile.h"
#include "core/common/error.h"
#include "core/io/modelfile.h"

#include <nlohmann/json.hpp>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

namespace nym {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr std::uint64_t kMiB = 1u << 20;

std::string hex32(std::uint32_t v)
{
    char b[16];
    std::snprintf(b, sizeof b, "%08x", v);
    return b;
}

std::string readAll(const std::string &path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw Error(path + ": cannot be read.");
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// A file beside nothing of the user's: the system's temporary folder, removed when it goes out of scope.
struct TempFile
{
    std::string path;
    TempFile()
    {
        std::random_device rd;
        path = (fs::temp_directory_path() / ("nym-model-" + hex32(rd()) + hex32(rd()) + ".nym")).string();
    }
    ~TempFile()
    {
        std::error_code ec;
        fs::remove(path, ec);
    }
};

const char *sourceName(LabelSource s)
{
    return labelSourceName(s);
}

LabelSource sourceFromName(const std::string &name, const std::string &where)
{
    for (LabelSource s : {LabelSource::Model, LabelSource::Accepted, LabelSource::Relabelled, LabelSource::Lasso})
        if (name == labelSourceName(s))
            return s;
    throw Error(where + ": unknown label source '" + name + "'.");
}

template <class T>
T field(const json &j, const char *key, const std::string &where)
{
    if (!j.is_object() || !j.contains(key))
        throw Error(where + ": '" + key + "' is missing.");
    try {
        return j.at(key).get<T>();
    } catch (const json::exception &) {
        throw Error(where + ": '" + key + "' has the wrong type.");
    }
}

template <class T>
T optionalField(const json &j, const char *key, T fallback, const std::string &where)
{
    return j.is_object() && j.contains(key) ? field<T>(j, key, where) : fallback;
}

json fingerprintJson(const FileFingerprint &f)
{
    return {{"path", f.path}, {"size", f.size}, {"checksum", f.checksum}};
}

FileFingerprint fingerprintFrom(const json &j, const std::string &where)
{
    FileFingerprint f;
    f.path = field<std::string>(j, "path", where);
    f.size = field<std::uint64_t>(j, "size", where);
    f.checksum = field<std::string>(j, "checksum", where);
    return f;
}

}   // namespace

FileFingerprint fingerprint(const std::string &path)
{
    std::error_code ec;
    const auto size = fs::file_size(path, ec);
    if (ec)
        throw Error(path + ": cannot be read (" + ec.message() + ").");
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw Error(path + ": cannot be read.");
    uLong crc = crc32(0L, Z_NULL, 0);
    std::vector<char> buf(kMiB);
    const auto chunk = [&](std::uint64_t from) {
        in.seekg(static_cast<std::streamoff>(from));
        in.read(buf.data(), static_cast<std::streamsize>(std::min<std::uint64_t>(kMiB, size - from)));
        if (!in && !in.eof())
            throw Error(path + ": cannot be read.");
        crc = crc32(crc, reinterpret_cast<const Bytef *>(buf.data()), static_cast<uInt>(in.gcount()));
        in.clear();
    };
    chunk(0);
    if (size > kMiB)
        chunk(std::max<std::uint64_t>(kMiB, size - kMiB));
    const std::string sz = std::to_string(size);
    crc = crc32(crc, reinterpret_cast<const Bytef *>(sz.data()), static_cast<uInt>(sz.size()));
    FileFingerprint f;
    f.path = fs::absolute(path).lexically_normal().string();
    f.size = size;
    f.checksum = hex32(static_cast<std::uint32_t>(crc));
    return f;
}

std::string fingerprintMismatch(const FileFingerprint &expected, const std::string &path)
{
    FileFingerprint now;
    try {
        now = fingerprint(path);
    } catch (const Error &e) {
        return e.what();
    }
    if (now.size != expected.size)
        return path + " has changed: it holds " + std::to_string(now.size) + " bytes, the project expects "
            + std::to_string(expected.size) + ".";
    if (now.checksum != expected.checksum)
        return path + " has changed since the project was saved (its checksum differs).";
    return {};
}

FileReview reviewOf(const Dataset &dataset, const Annotations &annotations)
{
    if (annotations.cells() != dataset.cells())
        throw Error("The annotations cover " + std::to_string(annotations.cells()) + " cells but the file holds "
            + std::to_string(dataset.cells()) + ".");
    FileReview r;
    for (std::int64_t i = 0; i < annotations.cells(); ++i) {
        if (!annotations.isEdited(i))
            continue;
        auto s = annotations.state(i);
        s.name = 0;   // names differ between sessions: the label travels by name
        r.cells.push_back(i);
        r.cellIds.push_back(dataset.cellIds[static_cast<std::size_t>(i)]);
        r.labels.push_back(annotations.finalLabel(i));
        r.states.push_back(s);
    }
    return r;
}

std::int64_t applyReview(const Dataset &dataset, Annotations &annotations, const FileReview &review)
{
    const std::size_t n = review.cells.size();
    if (review.cellIds.size() != n || review.labels.size() != n || review.states.size() != n)
        throw Error("The saved review is damaged: its cells, ids and labels differ in number.");
    if (annotations.cells() != dataset.cells())
        throw Error("The annotations do not belong to this file.");
    for (std::size_t k = 0; k < n; ++k) {
        const std::int64_t c = review.cells[k];
        if (c < 0 || c >= dataset.cells())
            throw Error("The saved review names cell " + std::to_string(c) + " but the file holds "
                + std::to_string(dataset.cells()) + " cells: it belongs to another file.");
        if (dataset.cellIds[static_cast<std::size_t>(c)] != review.cellIds[k])
            throw Error("The saved review's cell " + std::to_string(c) + " is '" + review.cellIds[k] + "' but the file's is '"
                + dataset.cellIds[static_cast<std::size_t>(c)] + "': it belongs to another file.");
        if (review.labels[k].empty())
            throw Error("The saved review gives cell '" + review.cellIds[k] + "' an empty label.");
    }
    for (std::size_t k = 0; k < n; ++k)
        annotations.restore(review.cells[k], review.labels[k], review.states[k]);
    return static_cast<std::int64_t>(n);
}

void writeProjectFile(const std::string &path, const ProjectFile &p)
{
    json j;
    j["format"] = "nymproj";
    j["version"] = ProjectFile::kFormatVersion;
    j["created_by"] = p.createdBy;
    j["saved"] = p.saved;
    j["training"] = json::array();
    for (const auto &f : p.training)
        j["training"].push_back(fingerprintJson(f));
    j["targets"] = json::array();
    for (const auto &f : p.targets)
        j["targets"].push_back(fingerprintJson(f));
    j["label_column"] = p.labelColumn;
    j["domain_mode"] = p.domainMode;
    j["domain_column"] = p.domainColumn;
    j["train_options"] = p.trainOptions.empty() ? json(nullptr) : json::parse(p.trainOptions);
    j["base_preset"] = p.basePreset;
    if (!p.model.empty()) {
        j["model"] = {{"source", p.modelSource}, {"checksum", checksumOf(p.model)}, {"base64", toBase64(p.model)}};
    }
    j["threshold"] = p.threshold;
    j["added_labels"] = p.addedLabels;
    j["reviews"] = json::array();
    for (const auto &r : p.reviews) {
        json cells = json::array();
        for (std::size_t k = 0; k < r.cells.size(); ++k) {
            const auto &s = r.states[k];
            cells.push_back({r.cells[k], r.cellIds[k], r.labels[k], sourceName(s.source), s.reviewed, s.editTime});
        }
        j["reviews"].push_back({{"columns", {"index", "cell", "label", "source", "reviewed", "edit_time"}}, {"cells", cells}});
    }
    j["view"] = p.view;
    if (fs::is_directory(path))
        throw Error(path + " is a folder.");
    AtomicFile tmp(path);
    {
        std::ofstream out(tmp.path(), std::ios::binary);
        out << j.dump(1) << '\n';
        out.flush();
        if (!out)
            throw Error(path + ": could not be written (is the disk full?).");
    }
    tmp.commit();
}

ProjectFile readProjectFile(const std::string &path)
{
    const std::string text = readAll(path);
    json j;
    try {
        j = json::parse(text);
    } catch (const json::exception &) {
        throw Error(path + " is not a Nym Studio project (not JSON, or cut short).");
    }
    if (!j.is_object() || j.value("format", std::string()) != "nymproj")
        throw Error(path + " is not a Nym Studio project.");
    const int version = field<int>(j, "version", path);
    if (version > ProjectFile::kFormatVersion)
        throw Error(path + " was saved by a newer Nym Studio (project format " + std::to_string(version)
            + "); update Nym Studio to open it.");
    ProjectFile p;
    p.createdBy = optionalField<std::string>(j, "created_by", "", path);
    p.saved = optionalField<std::string>(j, "saved", "", path);
    for (const char *role : {"training", "targets"}) {
        const json &list = j.contains(role) ? j.at(role) : json();
        if (!list.is_array())
            throw Error(path + ": '" + role + "' is missing or not a list.");
        for (const auto &f : list)
            (std::string(role) == "training" ? p.training : p.targets).push_back(fingerprintFrom(f, path));
    }
    p.labelColumn = optionalField<std::string>(j, "label_column", "", path);
    p.domainMode = optionalField<std::string>(j, "domain_mode", "training-vs-target", path);
    if (p.domainMode != "training-vs-target" && p.domainMode != "per-file" && p.domainMode != "column")
        throw Error(path + ": unknown domain mode '" + p.domainMode + "'.");
    p.domainColumn = optionalField<std::string>(j, "domain_column", "", path);
    if (j.contains("train_options") && !j.at("train_options").is_null())
        p.trainOptions = j.at("train_options").dump();
    p.basePreset = optionalField<std::string>(j, "base_preset", "", path);
    if (j.contains("model") && !j.at("model").is_null()) {
        const json &m = j.at("model");
        p.modelSource = optionalField<std::string>(m, "source", "", path);
        p.model = fromBase64(field<std::string>(m, "base64", path + " (model)"));
        if (checksumOf(p.model) != field<std::string>(m, "checksum", path + " (model)"))
            throw Error(path + ": the embedded model is damaged (its checksum differs).");
    }
    p.threshold = optionalField<double>(j, "threshold", 0.5, path);
    if (!(p.threshold >= 0 && p.threshold <= 1))
        throw Error(path + ": the threshold must be between 0 and 1.");
    p.addedLabels = optionalField<std::vector<std::string>>(j, "added_labels", {}, path);
    const json &reviews = j.contains("reviews") ? j.at("reviews") : json::array();
    if (!reviews.is_array())
        throw Error(path + ": 'reviews' is not a list.");
    if (reviews.size() > p.targets.size())
        throw Error(path + ": it holds reviews of more target files than it names.");
    for (const auto &r : reviews) {
        const json &cells = r.contains("cells") ? r.at("cells") : json();
        if (!cells.is_array())
            throw Error(path + ": a review has no cell list.");
        FileReview fr;
        for (const auto &c : cells) {
            if (!c.is_array() || c.size() != 6 || !c[0].is_number_integer() || !c[1].is_string() || !c[2].is_string()
                || !c[3].is_string() || !c[4].is_boolean() || !c[5].is_number_integer())
                throw Error(path + ": a reviewed cell is damaged (expected index, cell, label, source, reviewed, edit time).");
            fr.cells.push_back(c[0].get<std::int64_t>());
            fr.cellIds.push_back(c[1].get<std::string>());
            fr.labels.push_back(c[2].get<std::string>());
            Annotations::CellState s;
            s.source = sourceFromName(c[3].get<std::string>(), path);
            s.reviewed = c[4].get<bool>();
            s.editTime = c[5].get<std::int64_t>();
            fr.states.push_back(s);
        }
        p.reviews.push_back(std::move(fr));
    }
    p.reviews.resize(p.targets.size());
    if (j.contains("view") && j.at("view").is_object())
        for (const auto &[k, v] : j.at("view").items())
            if (v.is_string())
                p.view[k] = v.get<std::string>();
    return p;
}

std::string modelBytes(const Model &model)
{
    TempFile tmp;
    saveModel(model, tmp.path, true);
    return readAll(tmp.path);
}

Model modelFromBytes(const std::string &bytes)
{
    TempFile tmp;
    {
        std::ofstream out(tmp.path, std::ios::binary);
        out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
        if (!out)
            throw Error("Could not write a temporary copy of the model (is the disk full?).");
    }
    return loadModel(tmp.path);
}

std::string checksumOf(const std::string &bytes)
{
    uLong crc = crc32(0L, Z_NULL, 0);
    std::size_t at = 0;
    while (at < bytes.size()) {
        const std::size_t n = std::min<std::size_t>(bytes.size() - at, 1u << 30);
        crc = crc32(crc, reinterpret_cast<const Bytef *>(bytes.data() + at), static_cast<uInt>(n));
        at += n;
    }
    return hex32(static_cast<std::uint32_t>(crc));
}

namespace {
constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
}

std::string toBase64(const std::string &bytes)
{
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 2 < bytes.size(); i += 3) {
        const std::uint32_t v = (std::uint32_t(std::uint8_t(bytes[i])) << 16) | (std::uint32_t(std::uint8_t(bytes[i + 1])) << 8)
            | std::uint8_t(bytes[i + 2]);
        for (int s : {18, 12, 6, 0})
            out += kAlphabet[(v >> s) & 63];
    }
    if (i < bytes.size()) {
        std::uint32_t v = std::uint32_t(std::uint8_t(bytes[i])) << 16;
        if (i + 1 < bytes.size())
            v |= std::uint32_t(std::uint8_t(bytes[i + 1])) << 8;
        out += kAlphabet[(v >> 18) & 63];
        out += kAlphabet[(v >> 12) & 63];
        out += i + 1 < bytes.size() ? kAlphabet[(v >> 6) & 63] : '=';
        out += '=';
    }
    return out;
}

std::string fromBase64(const std::string &text)
{
    std::array<int, 256> value;
    value.fill(-1);
    for (int k = 0; k < 64; ++k)
        value[static_cast<unsigned char>(kAlphabet[k])] = k;
    if (text.size() % 4 != 0)
        throw Error("The embedded model is damaged (its encoding is cut short).");
    std::string out;
    out.reserve(text.size() / 4 * 3);
    for (std::size_t i = 0; i < text.size(); i += 4) {
        std::uint32_t v = 0;
        int pad = 0;
        for (std::size_t k = 0; k < 4; ++k) {
            const char c = text[i + k];
            if (c == '=' && i + 4 == text.size() && k >= 2) {
                ++pad;
                v <<= 6;
                continue;
            }
            const int d = value[static_cast<unsigned char>(c)];
            if (d < 0 || pad > 0)
                throw Error("The embedded model is damaged (not base64).");
            v = (v << 6) | static_cast<std::uint32_t>(d);
        }
        out += static_cast<char>((v >> 16) & 255);
        if (pad < 2)
            out += static_cast<char>((v >> 8) & 255);
        if (pad < 1)
            out += static_cast<char>(v & 255);
    }
    return out;
}

}   // namespace nym
