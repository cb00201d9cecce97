#pragma once
// Private to core/io: small RAII wrappers over the HDF5 C API. Nothing outside core/io includes this file.

#include <hdf5.h>

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace nym::h5 {

// Debian's HDF5 is the serial build, which is not thread-safe: every use of the library holds this lock.
std::recursive_mutex &libraryMutex();
// In a child process forked while this thread held libraryMutex(): re-creates the mutex unlocked (the copy still
// names the parent's thread as owner and would deadlock the child's first lock).
void resetLibraryMutexAfterFork();

// Owns one HDF5 identifier and closes it with the matching H5xclose.
class Handle
{
public:
    using Closer = herr_t (*)(hid_t);
    Handle() = default;
    Handle(hid_t id, Closer closer);
    ~Handle();
    Handle(Handle &&other) noexcept;
    Handle &operator=(Handle &&other) noexcept;
    Handle(const Handle &) = delete;
    Handle &operator=(const Handle &) = delete;
    hid_t get() const { return m_id; }
    explicit operator bool() const { return m_id >= 0; }
    // Closes now and reports whether the library succeeded (for files: whether everything reached the disk).
    bool close();

private:
    hid_t m_id = -1;
    Closer m_closer = nullptr;
};

// The innermost message of HDF5's error stack ("" when empty), for appending to our own messages.
std::string lastLibraryError();

// Upper bound on bytes one read may allocate (physical memory, or NYM_MAX_READ_BYTES when set): a file that
// declares larger arrays is refused with a clear message instead of exhausting memory.
std::uint64_t maxReadBytes();

// An open HDF5 object together with where it is, so that every failure names the file and the element.
class Node
{
public:
    Node() = default;
    Node(Handle handle, std::string file, std::string path);

    hid_t id() const { return m_handle.get(); }
    // Closes the object now; false when the library reports a failure (for a file: data not written).
    bool close() { return m_handle.close(); }
    const std::string &file() const { return m_file; }
    const std::string &path() const { return m_path; }   // "/obs/cell_type"
    std::string childPath(const std::string &name) const;

    [[noreturn]] void fail(const std::string &problem) const;
    // A failed read: names a missing compression filter when that is the cause.
    [[noreturn]] void failRead() const;

    bool isGroup() const;
    bool isDataset() const;
    bool has(const std::string &name) const;    // a direct child or a relative path
    Node open(const std::string &name) const;   // fails when missing
    std::optional<Node> tryOpen(const std::string &name) const;
    std::vector<std::string> children() const;   // names of a group's members, sorted by name

    bool hasAttr(const std::string &name) const;
    std::optional<std::string> attrString(const std::string &name) const;   // first element of a string attr
    std::vector<std::string> attrStrings(const std::string &name) const;    // a string (array) attr; [] if absent
    std::vector<std::int64_t> attrInts(const std::string &name) const;      // an integer (array) attr; [] if absent
    std::optional<Node> attrReference(const std::string &name) const;       // an object-reference attr

    // Dataset facts.
    std::vector<std::uint64_t> shape() const;
    std::uint64_t length() const;   // 1-D length; fails if not 1-D
    H5T_class_t typeClass() const;
    bool isNumeric() const;   // integer or float
    bool isInteger() const;
    std::string describeType() const;   // "float32", "int64", "string", ...

    // Whole 1-D reads with conversion; fail on the wrong kind of data.
    std::vector<std::string> readStrings() const;   // strings; numbers are formatted
    std::vector<double> readDoubles() const;
    std::vector<std::int64_t> readInt64() const;
    std::vector<double> readEnumBools() const;   // HDF5 enum {FALSE, TRUE} → 0/1
    // Partial reads of a 1-D numeric dataset into caller memory.
    void readRange(std::uint64_t offset, std::uint64_t count, float *out) const;
    void readRange(std::uint64_t offset, std::uint64_t count, std::int32_t *out) const;
    void readRange(std::uint64_t offset, std::uint64_t count, std::int64_t *out) const;
    // Rows [row0, row0 + rows) of a 2-D numeric dataset as row-major float.
    void readRows(std::uint64_t row0, std::uint64_t rows, float *out) const;

    // Compound datasets (anndata < 0.7): member names and per-field reads.
    std::vector<std::string> fieldNames() const;
    H5T_class_t fieldClass(const std::string &field) const;
    std::vector<std::string> readFieldStrings(const std::string &field) const;
    std::vector<double> readFieldDoubles(const std::string &field) const;
    // An array-valued field (H5T_ARRAY of k numbers) as n × k row-major floats; sets k.
    std::vector<float> readFieldArray(const std::string &field, std::uint64_t &k) const;

private:
    void readRangeAs(hid_t memType, std::uint64_t offset, std::uint64_t count, void *out) const;
    void checkAlloc(std::uint64_t elements, std::uint64_t elementSize) const;

    Handle m_handle;
    std::string m_file;
    std::string m_path;
};

// Opens a file for reading, with clear errors for missing files, folders and files that are not HDF5.
Node openFile(const std::string &path);
// Creates a new file (truncating), for writing.
Node createFile(const std::string &path);
// Opens an existing file that this library wrote (not untrusted input) for reading and writing, keeping the
// format bounds createFile sets.
Node openFileForWriting(const std::string &path);

}   // namespace nym::h5
