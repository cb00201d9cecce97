#include "core/io/h5_p.h"

#include "core/common/error.h"
#include "core/io/lzffilter_p.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <new>
#include <unistd.h>

namespace nym::h5 {

namespace {
alignas(std::recursive_mutex) unsigned char g_mutexStorage[sizeof(std::recursive_mutex)];
std::recursive_mutex *g_mutex = new (g_mutexStorage) std::recursive_mutex();
}   // namespace

void resetLibraryMutexAfterFork()
{
    g_mutex = new (g_mutexStorage) std::recursive_mutex();
}

std::recursive_mutex &libraryMutex()
{
    std::recursive_mutex &m = *g_mutex;
    static const bool registered = [] {
        registerLzfFilter();
        return true;
    }();
    (void)registered;
    // HDF5 prints its error stack to stderr by default; we report errors ourselves. A thread-safe libhdf5 keeps
    // that setting per thread, so every thread that uses the library turns it off once.
    thread_local const bool silenced = [] {
        H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
        return true;
    }();
    (void)silenced;
    return m;
}

Handle::Handle(hid_t id, Closer closer)
    : m_id(id)
    , m_closer(closer)
{ }

Handle::~Handle()
{
    if (m_id >= 0 && m_closer)
        m_closer(m_id);
}

bool Handle::close()
{
    if (m_id < 0 || !m_closer)
        return true;
    const herr_t r = m_closer(m_id);
    m_id = -1;
    return r >= 0;
}

Handle::Handle(Handle &&other) noexcept
    : m_id(other.m_id)
    , m_closer(other.m_closer)
{
    other.m_id = -1;
}

Handle &Handle::operator=(Handle &&other) noexcept
{
    if (this != &other) {
        if (m_id >= 0 && m_closer)
            m_closer(m_id);
        m_id = other.m_id;
        m_closer = other.m_closer;
        other.m_id = -1;
    }
    return *this;
}

static herr_t walkInnermost(unsigned n, const H5E_error2_t *err, void *data)
{
    auto *out = static_cast<std::string *>(data);
    if (n == 0 && err && err->desc)
        *out = err->desc;
    return 0;
}

std::string lastLibraryError()
{
    std::string msg;
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, walkInnermost, &msg);
    return msg;
}

std::uint64_t maxReadBytes()
{
    if (const char *env = std::getenv("NYM_MAX_READ_BYTES"))
        return std::strtoull(env, nullptr, 10);
    const long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGE_SIZE);
    return pages > 0 && size > 0 ? static_cast<std::uint64_t>(pages) * static_cast<std::uint64_t>(size)
                                 : (std::uint64_t(1) << 40);
}

// Names the compression filters of a dataset that this HDF5 cannot decode ("" when all are available).
static std::string missingFilters(hid_t dataset)
{
    if (H5Iget_type(dataset) != H5I_DATASET)
        return {};
    Handle dcpl(H5Dget_create_plist(dataset), H5Pclose);
    const int n = H5Pget_nfilters(dcpl.get());
    std::string out;
    for (int i = 0; i < n; ++i) {
        unsigned flags = 0, cd[8];
        size_t ncd = 8;
        char name[128] = {0};
        const H5Z_filter_t id =
            H5Pget_filter2(dcpl.get(), static_cast<unsigned>(i), &flags, &ncd, cd, sizeof name, name, nullptr);
        if (id >= 0 && H5Zfilter_avail(id) <= 0)
            out += (out.empty() ? "" : ", ") + std::string(name[0] ? name : "unnamed") + " (filter "
                + std::to_string(id) + ")";
    }
    return out;
}

static std::string withLibraryError(const std::string &problem)
{
    const std::string lib = lastLibraryError();
    return lib.empty() ? problem : problem + " (" + lib + ")";
}

Node::Node(Handle handle, std::string file, std::string path)
    : m_handle(std::move(handle))
    , m_file(std::move(file))
    , m_path(std::move(path))
{ }

std::string Node::childPath(const std::string &name) const
{
    return m_path == "/" ? "/" + name : m_path + "/" + name;
}

void Node::fail(const std::string &problem) const
{
    throw Error(m_file + ": " + m_path + ": " + problem);
}

bool Node::isGroup() const
{
    return H5Iget_type(id()) == H5I_GROUP || H5Iget_type(id()) == H5I_FILE;
}
bool Node::isDataset() const
{
    return H5Iget_type(id()) == H5I_DATASET;
}

bool Node::has(const std::string &name) const
{
    if (!isGroup())
        return false;
    // H5Lexists needs every intermediate component to exist, so walk the path.
    std::string prefix;
    std::size_t start = 0;
    while (start <= name.size()) {
        const auto slash = name.find('/', start);
        const auto part = name.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
        if (part.empty())
            return false;
        prefix += (prefix.empty() ? "" : "/") + part;
        if (H5Lexists(id(), prefix.c_str(), H5P_DEFAULT) <= 0)
            return false;
        // Links into other files are never followed: the library would open any path (even a FIFO) the file
        // names, and our direct reads would look in the wrong file.
        H5L_info_t link {};
        if (H5Lget_info(id(), prefix.c_str(), &link, H5P_DEFAULT) < 0)
            return false;
        if (link.type != H5L_TYPE_HARD && link.type != H5L_TYPE_SOFT)
            throw Error(m_file + ": " + childPath(prefix)
                + ": is a link to another file, which Nym Studio does not follow; save the data into one file");
        if (slash == std::string::npos)
            break;
        // Intermediate components must be groups.
        Handle h(H5Oopen(id(), prefix.c_str(), H5P_DEFAULT), H5Oclose);
        if (!h || H5Iget_type(h.get()) != H5I_GROUP)
            return false;
        start = slash + 1;
    }
    // The link may dangle: check that the object opens.
    Handle h(H5Oopen(id(), name.c_str(), H5P_DEFAULT), H5Oclose);
    return static_cast<bool>(h);
}

std::optional<Node> Node::tryOpen(const std::string &name) const
{
    if (!has(name))
        return std::nullopt;
    Handle h(H5Oopen(id(), name.c_str(), H5P_DEFAULT), H5Oclose);
    if (!h)
        return std::nullopt;
    return Node(std::move(h), m_file, childPath(name));
}

Node Node::open(const std::string &name) const
{
    auto n = tryOpen(name);
    if (!n)
        throw Error(m_file + ": " + childPath(name) + ": missing");
    return std::move(*n);
}

std::vector<std::string> Node::children() const
{
    std::vector<std::string> names;
    if (!isGroup())
        return names;
    H5G_info_t info {};
    if (H5Gget_info(id(), &info) < 0)
        fail(withLibraryError("cannot list the group"));
    for (hsize_t i = 0; i < info.nlinks; ++i) {
        const ssize_t len = H5Lget_name_by_idx(id(), ".", H5_INDEX_NAME, H5_ITER_INC, i, nullptr, 0, H5P_DEFAULT);
        if (len < 0)
            fail(withLibraryError("cannot list the group"));
        std::string name(static_cast<std::size_t>(len), '\0');
        H5Lget_name_by_idx(id(), ".", H5_INDEX_NAME, H5_ITER_INC, i, name.data(), name.size() + 1, H5P_DEFAULT);
        names.push_back(std::move(name));
    }
    std::sort(names.begin(), names.end());
    return names;
}

bool Node::hasAttr(const std::string &name) const
{
    return H5Aexists(id(), name.c_str()) > 0;
}

// Reads all strings of a dataset or attribute whose datatype is `ftype` and dataspace `space`.
template<class ReadFn>
static std::vector<std::string> readStringData(const Node &where, hid_t ftype, hid_t space, ReadFn read)
{
    const hssize_t n = H5Sget_simple_extent_npoints(space);
    if (n < 0)
        where.fail(withLibraryError("unreadable shape"));
    std::vector<std::string> out(static_cast<std::size_t>(n));
    if (n == 0)
        return out;
    const H5T_cset_t cset = H5Tget_cset(ftype);
    if (H5Tis_variable_str(ftype) > 0) {
        if (static_cast<std::uint64_t>(n) > maxReadBytes() / (sizeof(char *) + 16))
            where.fail("declares " + std::to_string(n) + " strings, more than this machine's memory can hold");
        Handle mem(H5Tcopy(H5T_C_S1), H5Tclose);
        H5Tset_size(mem.get(), H5T_VARIABLE);
        H5Tset_cset(mem.get(), cset < 0 ? H5T_CSET_ASCII : cset);
        std::vector<char *> ptrs(static_cast<std::size_t>(n), nullptr);
        if (read(mem.get(), ptrs.data()) < 0) {
            // A failed read may have allocated some strings already (the buffer started as null pointers).
            H5Dvlen_reclaim(mem.get(), space, H5P_DEFAULT, ptrs.data());
            where.failRead();
        }
        for (std::size_t i = 0; i < ptrs.size(); ++i)
            if (ptrs[i])
                out[i] = ptrs[i];
        H5Dvlen_reclaim(mem.get(), space, H5P_DEFAULT, ptrs.data());
        return out;
    }
    const std::size_t size = H5Tget_size(ftype);
    if (size == 0 || static_cast<std::uint64_t>(n) > maxReadBytes() / size)
        where.fail("declares " + std::to_string(n) + " strings of " + std::to_string(size)
            + " bytes, more than this machine's memory can hold");
    Handle mem(H5Tcopy(ftype), H5Tclose);
    std::vector<char> buf(static_cast<std::size_t>(n) * size);
    if (read(mem.get(), buf.data()) < 0)
        where.failRead();
    const bool spacePad = H5Tget_strpad(ftype) == H5T_STR_SPACEPAD;
    for (std::size_t i = 0; i < out.size(); ++i) {
        const char *p = buf.data() + i * size;
        std::size_t len = strnlen(p, size);
        if (spacePad)
            while (len > 0 && p[len - 1] == ' ')
                --len;
        out[i].assign(p, len);
    }
    return out;
}

static std::string formatNumber(double v)
{
    if (std::nearbyint(v) == v && std::fabs(v) < 1e15)
        return std::to_string(static_cast<long long>(v));
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    return buf;
}

std::vector<std::string> Node::attrStrings(const std::string &name) const
{
    if (!hasAttr(name))
        return {};
    Handle attr(H5Aopen(id(), name.c_str(), H5P_DEFAULT), H5Aclose);
    if (!attr)
        fail(withLibraryError("cannot open attribute '" + name + "'"));
    Handle type(H5Aget_type(attr.get()), H5Tclose);
    Handle space(H5Aget_space(attr.get()), H5Sclose);
    if (H5Tget_class(type.get()) == H5T_STRING)
        return readStringData(
            *this, type.get(), space.get(), [&](hid_t mem, void *buf) { return H5Aread(attr.get(), mem, buf); });
    if (H5Tget_class(type.get()) == H5T_ENUM) {
        // h5py booleans: enum {FALSE, TRUE}; give the member names.
        const hssize_t n = H5Sget_simple_extent_npoints(space.get());
        if (n < 0 || n > 1024)
            fail("attribute '" + name + "' is too large");
        Handle native(H5Tget_native_type(type.get(), H5T_DIR_ASCEND), H5Tclose);
        const std::size_t size = H5Tget_size(native.get());
        std::vector<unsigned char> buf(size * static_cast<std::size_t>(n));
        if (n > 0 && H5Aread(attr.get(), native.get(), buf.data()) < 0)
            fail(withLibraryError("cannot read attribute '" + name + "'"));
        std::vector<std::string> out;
        char member[64];
        for (hssize_t i = 0; i < n; ++i)
            out.emplace_back(
                H5Tenum_nameof(native.get(), buf.data() + static_cast<std::size_t>(i) * size, member, sizeof member) < 0
                    ? ""
                    : member);
        return out;
    }
    if (H5Tget_class(type.get()) == H5T_INTEGER || H5Tget_class(type.get()) == H5T_FLOAT) {
        const hssize_t n = H5Sget_simple_extent_npoints(space.get());
        if (n < 0 || n > (1 << 24))
            fail("attribute '" + name + "' is too large");
        std::vector<double> v(static_cast<std::size_t>(n));
        if (n > 0 && H5Aread(attr.get(), H5T_NATIVE_DOUBLE, v.data()) < 0)
            fail(withLibraryError("cannot read attribute '" + name + "'"));
        std::vector<std::string> out;
        for (double d : v)
            out.push_back(formatNumber(d));
        return out;
    }
    fail("attribute '" + name + "' is neither text nor numbers");
}

std::optional<std::string> Node::attrString(const std::string &name) const
{
    if (!hasAttr(name))
        return std::nullopt;
    Handle attr(H5Aopen(id(), name.c_str(), H5P_DEFAULT), H5Aclose);
    Handle type(H5Aget_type(attr.get()), H5Tclose);
    if (H5Tget_class(type.get()) != H5T_STRING)
        return std::nullopt;
    auto v = attrStrings(name);
    if (v.empty())
        return std::string();
    return v.front();
}

std::vector<std::int64_t> Node::attrInts(const std::string &name) const
{
    if (!hasAttr(name))
        return {};
    Handle attr(H5Aopen(id(), name.c_str(), H5P_DEFAULT), H5Aclose);
    Handle type(H5Aget_type(attr.get()), H5Tclose);
    Handle space(H5Aget_space(attr.get()), H5Sclose);
    const auto cls = H5Tget_class(type.get());
    if (cls != H5T_INTEGER && cls != H5T_FLOAT)
        fail("attribute '" + name + "' should hold integers but holds " + (cls == H5T_STRING ? "text" : "other data"));
    const hssize_t n = H5Sget_simple_extent_npoints(space.get());
    if (n < 0 || n > 1024)
        fail("attribute '" + name + "' has an unexpected size");
    std::vector<double> v(static_cast<std::size_t>(n));
    if (n > 0 && H5Aread(attr.get(), H5T_NATIVE_DOUBLE, v.data()) < 0)
        fail(withLibraryError("cannot read attribute '" + name + "'"));
    std::vector<std::int64_t> out;
    for (double d : v) {
        if (!std::isfinite(d) || d != std::nearbyint(d) || std::fabs(d) > 9.0e18)
            fail("attribute '" + name + "' holds a value that is not a whole number");
        out.push_back(static_cast<std::int64_t>(d));
    }
    return out;
}

std::optional<Node> Node::attrReference(const std::string &name) const
{
    if (!hasAttr(name))
        return std::nullopt;
    Handle attr(H5Aopen(id(), name.c_str(), H5P_DEFAULT), H5Aclose);
    Handle type(H5Aget_type(attr.get()), H5Tclose);
    if (H5Tget_class(type.get()) != H5T_REFERENCE)
        return std::nullopt;
    Handle space(H5Aget_space(attr.get()), H5Sclose);
    if (H5Sget_simple_extent_npoints(space.get()) != 1)
        fail("attribute '" + name + "' should hold one reference");
    hobj_ref_t ref {};
    if (H5Aread(attr.get(), H5T_STD_REF_OBJ, &ref) < 0)
        fail(withLibraryError("cannot read reference attribute '" + name + "'"));
    Handle target(H5Rdereference2(id(), H5P_DEFAULT, H5R_OBJECT, &ref), H5Oclose);
    if (!target)
        fail(withLibraryError("attribute '" + name + "' refers to nothing"));
    char buf[1024] = {0};
    H5Iget_name(target.get(), buf, sizeof buf);
    return Node(std::move(target), m_file, buf[0] ? std::string(buf) : m_path + "@" + name);
}

std::vector<std::uint64_t> Node::shape() const
{
    if (!isDataset())
        fail("expected an array but found a group");
    Handle space(H5Dget_space(id()), H5Sclose);
    const int rank = H5Sget_simple_extent_ndims(space.get());
    if (rank < 0)
        fail(withLibraryError("unreadable shape"));
    std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
    if (rank > 0)
        H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
    return {dims.begin(), dims.end()};
}

std::uint64_t Node::length() const
{
    const auto s = shape();
    if (s.size() != 1)
        fail("expected a one-dimensional array but found " + std::to_string(s.size()) + " dimensions");
    return s[0];
}

H5T_class_t Node::typeClass() const
{
    Handle type(H5Dget_type(id()), H5Tclose);
    return H5Tget_class(type.get());
}

bool Node::isNumeric() const
{
    const auto c = typeClass();
    return c == H5T_INTEGER || c == H5T_FLOAT;
}

bool Node::isInteger() const
{
    return typeClass() == H5T_INTEGER;
}

std::string Node::describeType() const
{
    if (!isDataset())
        return "group";
    Handle type(H5Dget_type(id()), H5Tclose);
    const auto size = H5Tget_size(type.get()) * 8;
    switch (H5Tget_class(type.get())) {
    case H5T_INTEGER: return (H5Tget_sign(type.get()) == H5T_SGN_NONE ? "uint" : "int") + std::to_string(size);
    case H5T_FLOAT: return "float" + std::to_string(size);
    case H5T_STRING: return "string";
    case H5T_COMPOUND: return "compound";
    case H5T_ENUM: return "enum";
    case H5T_REFERENCE: return "reference";
    case H5T_ARRAY: return "array";
    case H5T_OPAQUE: return "opaque";
    default: return "other";
    }
}

void Node::checkAlloc(std::uint64_t elements, std::uint64_t elementSize) const
{
    if (elementSize > 0 && elements > maxReadBytes() / elementSize)
        fail("declares " + std::to_string(elements) + " values, more than this machine's memory can hold");
}

std::vector<std::string> Node::readStrings() const
{
    if (!isDataset())
        fail("expected an array of names but found a group");
    Handle type(H5Dget_type(id()), H5Tclose);
    Handle space(H5Dget_space(id()), H5Sclose);
    const auto cls = H5Tget_class(type.get());
    if (cls == H5T_STRING)
        return readStringData(*this, type.get(), space.get(),
            [&](hid_t mem, void *buf) { return H5Dread(id(), mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf); });
    if (cls == H5T_INTEGER || cls == H5T_FLOAT) {
        std::vector<std::string> out;
        for (double d : readDoubles())
            out.push_back(formatNumber(d));
        return out;
    }
    fail("expected text but found " + describeType() + " data");
}

void Node::readRangeAs(hid_t memType, std::uint64_t offset, std::uint64_t count, void *out) const
{
    if (count == 0)
        return;
    Handle fspace(H5Dget_space(id()), H5Sclose);
    const int rank = H5Sget_simple_extent_ndims(fspace.get());
    hsize_t len = 0;
    if (rank == 1)
        H5Sget_simple_extent_dims(fspace.get(), &len, nullptr);
    else if (rank == 0)
        len = 1;
    else
        fail("expected a one-dimensional array but found " + std::to_string(rank) + " dimensions");
    if (offset + count > len || offset + count < offset)
        fail("read past the end of the array");
    if (rank == 1) {
        hsize_t start = offset, cnt = count;
        H5Sselect_hyperslab(fspace.get(), H5S_SELECT_SET, &start, nullptr, &cnt, nullptr);
    }
    hsize_t cnt = count;
    Handle mspace(H5Screate_simple(1, &cnt, nullptr), H5Sclose);
    if (H5Dread(id(), memType, mspace.get(), fspace.get(), H5P_DEFAULT, out) < 0)
        failRead();
}

void Node::failRead() const
{
    const auto missing = missingFilters(id());
    if (!missing.empty())
        fail("is compressed with " + missing
            + ", which Nym Studio cannot decode; re-save the file with gzip or lzf "
              "compression (for example anndata's write_h5ad(compression='gzip'))");
    fail(withLibraryError("cannot read the values; the file may be damaged or truncated"));
}

void Node::readRange(std::uint64_t offset, std::uint64_t count, float *out) const
{
    if (!isNumeric())
        fail("expected numbers but found " + describeType() + " data");
    readRangeAs(H5T_NATIVE_FLOAT, offset, count, out);
}

void Node::readRange(std::uint64_t offset, std::uint64_t count, std::int32_t *out) const
{
    if (!isInteger())
        fail("expected integers but found " + describeType() + " data");
    readRangeAs(H5T_NATIVE_INT32, offset, count, out);
}

void Node::readRange(std::uint64_t offset, std::uint64_t count, std::int64_t *out) const
{
    if (!isInteger())
        fail("expected integers but found " + describeType() + " data");
    readRangeAs(H5T_NATIVE_INT64, offset, count, out);
}

std::vector<double> Node::readDoubles() const
{
    if (!isNumeric())
        fail("expected numbers but found " + describeType() + " data");
    const auto s = shape();
    std::uint64_t n = 1;
    for (auto d : s)
        n *= d;
    checkAlloc(n, sizeof(double));
    std::vector<double> out(n);
    if (n > 0 && H5Dread(id(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()) < 0)
        failRead();
    return out;
}

std::vector<std::int64_t> Node::readInt64() const
{
    if (!isInteger())
        fail("expected integers but found " + describeType() + " data");
    const auto s = shape();
    std::uint64_t n = 1;
    for (auto d : s)
        n *= d;
    checkAlloc(n, sizeof(std::int64_t));
    std::vector<std::int64_t> out(n);
    if (n > 0 && H5Dread(id(), H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()) < 0)
        failRead();
    return out;
}

std::vector<double> Node::readEnumBools() const
{
    Handle ftype(H5Dget_type(id()), H5Tclose);
    if (H5Tget_class(ftype.get()) != H5T_ENUM)
        fail("expected an enumeration but found " + describeType() + " data");
    Handle native(H5Tget_native_type(ftype.get(), H5T_DIR_ASCEND), H5Tclose);
    const std::size_t size = H5Tget_size(native.get());
    const std::uint64_t n = length();
    checkAlloc(n, size + sizeof(double));
    std::vector<unsigned char> buf(n * size);
    if (n > 0 && H5Dread(id(), native.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, buf.data()) < 0)
        failRead();
    std::vector<double> out(n);
    char name[64];
    for (std::uint64_t i = 0; i < n; ++i) {
        if (H5Tenum_nameof(native.get(), buf.data() + i * size, name, sizeof name) < 0)
            fail("holds a value outside its enumeration at position " + std::to_string(i));
        const std::string s(name);
        if (s == "TRUE" || s == "True" || s == "true")
            out[i] = 1;
        else if (s == "FALSE" || s == "False" || s == "false")
            out[i] = 0;
        else
            fail("is an enumeration with member '" + s + "', not a boolean");
    }
    return out;
}

void Node::readRows(std::uint64_t row0, std::uint64_t rows, float *out) const
{
    const auto s = shape();
    if (s.size() != 2)
        fail("expected a two-dimensional array but found " + std::to_string(s.size()) + " dimensions");
    if (!isNumeric())
        fail("expected numbers but found " + describeType() + " data");
    if (rows == 0 || s[1] == 0)
        return;
    if (row0 + rows > s[0])
        fail("read past the end of the array");
    Handle fspace(H5Dget_space(id()), H5Sclose);
    hsize_t start[2] = {row0, 0}, cnt[2] = {rows, s[1]};
    H5Sselect_hyperslab(fspace.get(), H5S_SELECT_SET, start, nullptr, cnt, nullptr);
    Handle mspace(H5Screate_simple(2, cnt, nullptr), H5Sclose);
    if (H5Dread(id(), H5T_NATIVE_FLOAT, mspace.get(), fspace.get(), H5P_DEFAULT, out) < 0)
        failRead();
}

std::vector<std::string> Node::fieldNames() const
{
    Handle type(H5Dget_type(id()), H5Tclose);
    if (H5Tget_class(type.get()) != H5T_COMPOUND)
        return {};
    std::vector<std::string> out;
    const int n = H5Tget_nmembers(type.get());
    for (int i = 0; i < n; ++i) {
        char *name = H5Tget_member_name(type.get(), static_cast<unsigned>(i));
        if (name) {
            out.emplace_back(name);
            H5free_memory(name);
        }
    }
    return out;
}

static Handle memberType(const Node &node, const std::string &field)
{
    Handle type(H5Dget_type(node.id()), H5Tclose);
    const int idx = H5Tget_member_index(type.get(), field.c_str());
    if (idx < 0)
        node.fail("has no field '" + field + "'");
    return Handle(H5Tget_member_type(type.get(), static_cast<unsigned>(idx)), H5Tclose);
}

H5T_class_t Node::fieldClass(const std::string &field) const
{
    return H5Tget_class(memberType(*this, field).get());
}

std::vector<std::string> Node::readFieldStrings(const std::string &field) const
{
    Handle mtype = memberType(*this, field);
    if (H5Tget_class(mtype.get()) != H5T_STRING) {
        std::vector<std::string> out;
        for (double d : readFieldDoubles(field))
            out.push_back(formatNumber(d));
        return out;
    }
    Handle space(H5Dget_space(id()), H5Sclose);
    // Read through a one-member compound so HDF5 picks the field out by name.
    return readStringData(*this, mtype.get(), space.get(), [&](hid_t mem, void *buf) {
        const std::size_t size = H5Tget_size(mem);
        Handle comp(H5Tcreate(H5T_COMPOUND, size), H5Tclose);
        H5Tinsert(comp.get(), field.c_str(), 0, mem);
        return H5Dread(id(), comp.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, buf);
    });
}

std::vector<double> Node::readFieldDoubles(const std::string &field) const
{
    Handle mtype = memberType(*this, field);
    const auto cls = H5Tget_class(mtype.get());
    if (cls != H5T_INTEGER && cls != H5T_FLOAT)
        fail("field '" + field + "' does not hold numbers");
    const std::uint64_t n = length();
    checkAlloc(n, sizeof(double));
    std::vector<double> out(n);
    Handle comp(H5Tcreate(H5T_COMPOUND, sizeof(double)), H5Tclose);
    H5Tinsert(comp.get(), field.c_str(), 0, H5T_NATIVE_DOUBLE);
    if (n > 0 && H5Dread(id(), comp.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()) < 0)
        fail(withLibraryError("cannot read field '" + field + "'"));
    return out;
}

std::vector<float> Node::readFieldArray(const std::string &field, std::uint64_t &k) const
{
    Handle mtype = memberType(*this, field);
    if (H5Tget_class(mtype.get()) != H5T_ARRAY || H5Tget_array_ndims(mtype.get()) != 1)
        fail("field '" + field + "' is not a one-dimensional array");
    hsize_t dim = 0;
    H5Tget_array_dims2(mtype.get(), &dim);
    k = dim;
    const std::uint64_t n = length();
    checkAlloc(n * std::max<std::uint64_t>(k, 1), sizeof(float));
    std::vector<float> out(n * k);
    Handle arr(H5Tarray_create2(H5T_NATIVE_FLOAT, 1, &dim), H5Tclose);
    Handle comp(H5Tcreate(H5T_COMPOUND, sizeof(float) * std::max<hsize_t>(dim, 1)), H5Tclose);
    H5Tinsert(comp.get(), field.c_str(), 0, arr.get());
    if (n > 0 && k > 0 && H5Dread(id(), comp.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()) < 0)
        fail(withLibraryError("cannot read field '" + field + "'"));
    return out;
}

Node openFile(const std::string &path)
{
    namespace fs = std::filesystem;
    std::error_code ec;
    const auto status = fs::status(path, ec);
    if (ec || !fs::exists(status))
        throw Error(path + ": no such file");
    if (fs::is_directory(status))
        throw Error(path + ": is a folder, not a file (for a 10x matrix folder, open its .h5 file instead)");
    {
        std::ifstream in(path, std::ios::binary);
        if (!in)
            throw Error(path + ": cannot be opened for reading (check permissions)");
    }
    const htri_t isH5 = H5Fis_hdf5(path.c_str());
    if (isH5 <= 0) {
        if (fs::file_size(path, ec) == 0)
            throw Error(path + ": the file is empty");
        throw Error(path
            + ": not an HDF5 file (.h5ad and 10x .h5 files are HDF5); it may be truncated or of another "
              "format");
    }
    Handle fapl(H5Pcreate(H5P_FILE_ACCESS), H5Pclose);
    // Close strong so no object outlives the file handle.
    H5Pset_fclose_degree(fapl.get(), H5F_CLOSE_STRONG);
    Handle file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, fapl.get()), H5Fclose);
    if (!file)
        throw Error(
            path + ": " + withLibraryError("cannot be opened as HDF5; the file is probably truncated or damaged"));
    return Node(std::move(file), path, "/");
}

Node createFile(const std::string &path)
{
    Handle fapl(H5Pcreate(H5P_FILE_ACCESS), H5Pclose);
    H5Pset_fclose_degree(fapl.get(), H5F_CLOSE_STRONG);
    H5Pset_libver_bounds(fapl.get(), H5F_LIBVER_EARLIEST, H5F_LIBVER_V18);
    Handle file(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl.get()), H5Fclose);
    if (!file)
        throw Error(path + ": " + withLibraryError("cannot create the file"));
    return Node(std::move(file), path, "/");
}

Node openFileForWriting(const std::string &path)
{
    Handle fapl(H5Pcreate(H5P_FILE_ACCESS), H5Pclose);
    H5Pset_fclose_degree(fapl.get(), H5F_CLOSE_STRONG);
    H5Pset_libver_bounds(fapl.get(), H5F_LIBVER_EARLIEST, H5F_LIBVER_V18);
    Handle file(H5Fopen(path.c_str(), H5F_ACC_RDWR, fapl.get()), H5Fclose);
    if (!file)
        throw Error(path + ": " + withLibraryError("cannot open the file for writing"));
    return Node(std::move(file), path, "/");
}

}   // namespace nym::h5
