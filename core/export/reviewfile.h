#pragma once

#include "core/data/annotations.h"
#include "core/data/dataset.h"
#include "core/model/model.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace nym {

// A data file as a project refers to it: its path and what identifies its content, so a project is never applied
// to a file that changed (or to another file of the same name on a colleague's machine).
struct FileFingerprint
{
    std::string path;          // absolute when written
    std::uint64_t size = 0;    // bytes
    std::string checksum;      // CRC-32 (hex) of the first and last MiB and the size
};

// Reads the file's size and checksum; throws nym::Error naming the file when it cannot be read.
FileFingerprint fingerprint(const std::string &path);
// "" when `path` still has the fingerprint's size and checksum, else a sentence saying what differs.
std::string fingerprintMismatch(const FileFingerprint &expected, const std::string &path);

// The review state of one target file: every cell whose annotation differs from the model's call (a person set,
// accepted or reviewed it), by index and id.
struct FileReview
{
    std::vector<std::int64_t> cells;          // indices into the file, increasing
    std::vector<std::string> cellIds;         // the cells' ids (checked when applied)
    std::vector<std::string> labels;          // final label names
    std::vector<Annotations::CellState> states;   // source, reviewed, edit time (name unused: see labels)
};

// What a person changed in `annotations` (cells of `dataset`).
FileReview reviewOf(const Dataset &dataset, const Annotations &annotations);
// Puts a saved review back onto annotations of the same file: every cell must exist with the same id (else
// nym::Error naming the first that differs, before anything changes). Returns the cells restored.
std::int64_t applyReview(const Dataset &dataset, Annotations &annotations, const FileReview &review);

// A Nym Studio project (.nymproj, JSON): the data files it was made from (with their fingerprints), the chosen
// columns, the training settings, the model itself (embedded, so a colleague needs only the project and the
// data), the review state of each target, the threshold, the label names experts added and view settings.
// Written atomically; read with a clear message for anything damaged or unexpected.
struct ProjectFile
{
    static constexpr int kFormatVersion = 1;

    std::string createdBy;   // "Nym Studio 0.1.0"
    std::string saved;       // ISO 8601 UTC
    std::vector<FileFingerprint> training;
    std::vector<FileFingerprint> targets;
    std::string labelColumn;
    std::string domainMode = "training-vs-target";   // or "per-file", "column"
    std::string domainColumn;
    std::string trainOptions;   // trainOptionsToJson
    std::string basePreset;
    std::string model;          // the .nym file's bytes ("" for none)
    std::string modelSource;    // where the model came from ("trained here", a file name)
    double threshold = 0.5;
    std::vector<std::string> addedLabels;   // label names experts added (also those no cell carries yet)
    std::vector<FileReview> reviews;        // one per target (empty reviews for untouched files)
    std::map<std::string, std::string> view;   // view settings (colouring, point size...): the app's business
};

void writeProjectFile(const std::string &path, const ProjectFile &project);
ProjectFile readProjectFile(const std::string &path);

// The model as the bytes of its .nym file, and back (through a temporary file; nym::Error as loadModel says).
std::string modelBytes(const Model &model);
Model modelFromBytes(const std::string &bytes);
// CRC-32 of bytes as 8 hex digits (the model checksum of the exports' provenance).
std::string checksumOf(const std::string &bytes);

// Base64 (RFC 4648), for the embedded model.
std::string toBase64(const std::string &bytes);
// Throws nym::Error for characters outside the alphabet or a bad length.
std::string fromBase64(const std::string &text);

}   // namespace nym
