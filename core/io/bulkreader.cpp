#include "core/io/bulkreader_p.h"

#include "core/common/error.h"
#include "core/common/parallel.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <exception>
#include <fcntl.h>
#include <functional>
#include <liblzf/lzf.h>
#include <limits>
#include <mutex>
#include <sys/stat.h>
#include <thread>
#include <type_traits>
#include <unistd.h>
#include <utility>
#include <libdeflate.h>
#include <memory>
#include <zlib.h>

namespace nym::io {

namespace {

constexpr std::uint64_t kSlice = std::uint64_t(4) << 20;   // bytes per contiguous read

// Converts `count` little-endian elements of the file type into T. Integers out of T's range become T's minimum
// (which the matrix checks then reject as out of range).
template<class T>
void convert(const unsigned char *src, std::size_t count, bool isFloat, bool isSigned, std::size_t size, T *dst)
{
    auto put = [&](auto v) {
        using V = decltype(v);
        if constexpr (std::is_integral_v<T> && std::is_integral_v<V>) {
            if (std::cmp_less(v, std::numeric_limits<T>::min()) || std::cmp_greater(v, std::numeric_limits<T>::max()))
                return std::numeric_limits<T>::min();
        }
        return static_cast<T>(v);
    };
    if (isFloat) {
        if (size == 4) {
            for (std::size_t i = 0; i < count; ++i) {
                float v;
                std::memcpy(&v, src + i * 4, 4);
                dst[i] = static_cast<T>(v);
            }
        } else {
            for (std::size_t i = 0; i < count; ++i) {
                double v;
                std::memcpy(&v, src + i * 8, 8);
                dst[i] = static_cast<T>(v);
            }
        }
        return;
    }
    for (std::size_t i = 0; i < count; ++i) {
        const unsigned char *p = src + i * size;
        switch (size) {
        case 1: dst[i] = isSigned ? put(static_cast<std::int8_t>(p[0])) : put(static_cast<std::uint8_t>(p[0])); break;
        case 2: {
            std::uint16_t u;
            std::memcpy(&u, p, 2);
            dst[i] = isSigned ? put(static_cast<std::int16_t>(u)) : put(u);
            break;
        }
        case 4: {
            std::uint32_t u;
            std::memcpy(&u, p, 4);
            dst[i] = isSigned ? put(static_cast<std::int32_t>(u)) : put(u);
            break;
        }
        default: {
            std::uint64_t u;
            std::memcpy(&u, p, 8);
            dst[i] = isSigned ? put(static_cast<std::int64_t>(u)) : put(u);
            break;
        }
        }
    }
}

template<class T> constexpr bool sameLayout(bool isFloat, bool isSigned, std::size_t size)
{
    if constexpr (std::is_floating_point_v<T>)
        return isFloat && size == sizeof(T);
    else
        return !isFloat && isSigned && size == sizeof(T);
}

class Fd
{
public:
    explicit Fd(const std::string &path)
        : m_fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC))
    { }
    ~Fd()
    {
        if (m_fd >= 0)
            ::close(m_fd);
    }
    int get() const { return m_fd; }

private:
    int m_fd;
};

bool preadAll(int fd, unsigned char *dst, std::uint64_t bytes, std::uint64_t at)
{
    while (bytes > 0) {
        const ssize_t n = ::pread(
            fd, dst, static_cast<std::size_t>(std::min<std::uint64_t>(bytes, 1u << 30)), static_cast<off_t>(at));
        if (n <= 0)
            return false;
        dst += n;
        bytes -= static_cast<std::uint64_t>(n);
        at += static_cast<std::uint64_t>(n);
    }
    return true;
}

}   // namespace

BulkReader::BulkReader(const h5::Node &ds)
    : m_node(ds)
{
    if (!ds.isDataset() || !ds.isNumeric())
        return;
    const auto shape = ds.shape();
    if (shape.size() != 1)
        return;
    m_length = shape[0];
    h5::Handle type(H5Dget_type(ds.id()), H5Tclose);
    m_float = H5Tget_class(type.get()) == H5T_FLOAT;
    m_signed = m_float || H5Tget_sign(type.get()) == H5T_SGN_2;
    m_elementSize = H5Tget_size(type.get());
    if (H5Tget_order(type.get()) != H5T_ORDER_LE)
        return;
    if (m_float ? (m_elementSize != 4 && m_elementSize != 8)
                : (m_elementSize != 1 && m_elementSize != 2 && m_elementSize != 4 && m_elementSize != 8))
        return;
    // Integers must use every bit (HDF5 masks padding bits; raw bytes would not).
    if (!m_float && (H5Tget_precision(type.get()) != 8 * m_elementSize || H5Tget_offset(type.get()) != 0))
        return;
    if (m_float) {
        // Only IEEE layouts (no exotic float formats).
        if (!(H5Tequal(type.get(), H5T_IEEE_F32LE) > 0 || H5Tequal(type.get(), H5T_IEEE_F64LE) > 0))
            return;
    }
    struct stat st
    {
    };
    if (::stat(ds.file().c_str(), &st) != 0)
        return;
    const auto fileSize = static_cast<std::uint64_t>(st.st_size);
    // Addresses reported by libhdf5 1.10 leave out a userblock (fixed upstream in 1.14.4): no fast path then.
    {
        h5::Handle file(H5Iget_file_id(ds.id()), H5Fclose);
        h5::Handle fcpl(H5Fget_create_plist(file.get()), H5Pclose);
        hsize_t userblock = 0;
        if (!fcpl || H5Pget_userblock(fcpl.get(), &userblock) < 0 || userblock != 0)
            return;
    }
    h5::Handle dcpl(H5Dget_create_plist(ds.id()), H5Pclose);
    const int nfilters = H5Pget_nfilters(dcpl.get());
    const H5D_layout_t layout = H5Pget_layout(dcpl.get());
    if (m_length == 0)
        return;
    if (layout == H5D_CONTIGUOUS) {
        // Unwritten storage reads as fill values through HDF5; leave that to it. (Chunked data is checked chunk by
        // chunk below: an unallocated chunk has no address.)
        H5D_space_status_t status {};
        if (nfilters != 0 || H5Dget_space_status(ds.id(), &status) < 0 || status != H5D_SPACE_STATUS_ALLOCATED)
            return;
        const haddr_t addr = H5Dget_offset(ds.id());
        if (addr == HADDR_UNDEF || addr > fileSize || m_length > (fileSize - addr) / m_elementSize)
            return;
        m_address = addr;
        m_fast = true;
        return;
    }
    if (layout != H5D_CHUNKED || nfilters > 1)
        return;
    if (nfilters == 1) {
        unsigned flags = 0, cd[8];
        size_t ncd = 8;
        char name[64];
        const H5Z_filter_t f = H5Pget_filter2(dcpl.get(), 0, &flags, &ncd, cd, sizeof name, name, nullptr);
        if (f != H5Z_FILTER_DEFLATE && f != 32000)
            return;
        m_filter = static_cast<int>(f);
    }
    hsize_t cdim = 0;
    if (H5Pget_chunk(dcpl.get(), 1, &cdim) != 1 || cdim == 0)
        return;
    // Each worker holds one inflated chunk; absurd chunk sizes are left to HDF5.
    if (cdim > (std::uint64_t(64) << 20) / m_elementSize)
        return;
    m_chunkElements = cdim;
    h5::Handle space(H5Dget_space(ds.id()), H5Sclose);
    hsize_t n = 0;
    if (H5Dget_num_chunks(ds.id(), space.get(), &n) < 0)
        return;
    const std::uint64_t expected = (m_length + cdim - 1) / cdim;
    if (n != expected || n > (std::uint64_t(1) << 24))
        return;   // unallocated chunks (fill values) or absurd counts: leave it to HDF5
    const std::uint64_t rawBytes = cdim * m_elementSize;
    // Chunks sit on a regular grid: look each up by its coordinate (a B-tree lookup). H5Dget_chunk_info by index
    // walks the index from the start on every call in libhdf5 1.10, which is quadratic in the number of chunks.
    m_chunks.reserve(n);
    for (hsize_t i = 0; i < n; ++i) {
        hsize_t offset = i * cdim, size = 0;
        haddr_t addr = 0;
        unsigned mask = 0;
        if (H5Dget_chunk_info_by_coord(ds.id(), &offset, &mask, &addr, &size) < 0)
            return;
        if (addr == HADDR_UNDEF || addr > fileSize || size > fileSize - addr || size == 0
            || size > rawBytes + (rawBytes >> 3) + 65536)
            return;
        m_chunks.push_back({i * cdim, addr, size, m_filter != 0 && (mask & 1u) == 0});
    }
    m_chunked = true;
    m_fast = true;
}

BulkReader::~BulkReader() = default;

template<class T> void BulkReader::readAs(std::uint64_t offset, std::uint64_t count, T *out) const
{
    if (count == 0)
        return;
    if (offset + count > m_length || offset + count < offset)
        m_node.fail("read past the end of the array");
    Fd fd(m_node.file());
    if (fd.get() < 0)
        m_node.fail("cannot open the file for reading");
    const int workers = defaultThreadCount(8);
    std::atomic<bool> failed {false};
    std::string failure;
    std::atomic<std::uint64_t> next {0};

    if (!m_chunked) {
        const std::uint64_t perSlice = std::max<std::uint64_t>(1, kSlice / m_elementSize);
        const std::uint64_t slices = (count + perSlice - 1) / perSlice;
        const bool direct = sameLayout<T>(m_float, m_signed, m_elementSize);
        auto work = [&] {
            std::vector<unsigned char> buf;
            for (std::uint64_t s; (s = next.fetch_add(1)) < slices && !failed;) {
                const std::uint64_t first = s * perSlice, n = std::min(perSlice, count - first);
                const std::uint64_t at = m_address + (offset + first) * m_elementSize;
                unsigned char *dst;
                if (direct) {
                    dst = reinterpret_cast<unsigned char *>(out + first);
                } else {
                    buf.resize(n * m_elementSize);
                    dst = buf.data();
                }
                if (!preadAll(fd.get(), dst, n * m_elementSize, at)) {
                    failed = true;
                    continue;
                }
                if (!direct)
                    convert(buf.data(), n, m_float, m_signed, m_elementSize, out + first);
            }
        };
        runOnThreads(static_cast<int>(std::min<std::uint64_t>(workers, slices)), [&](int) { work(); });
        if (failed)
            m_node.fail("the file ends before the array does; it is probably truncated");
        return;
    }

    const std::uint64_t firstChunk = offset / m_chunkElements;
    const std::uint64_t lastChunk = (offset + count - 1) / m_chunkElements;
    const std::uint64_t rawBytes = m_chunkElements * m_elementSize;
    const bool direct = sameLayout<T>(m_float, m_signed, m_elementSize);
    std::mutex failureMutex;
    auto work = [&] {
        std::vector<unsigned char> stored, raw(rawBytes);
        // libdeflate inflates 2-3x faster than zlib and checks the same Adler-32 sum (one decompressor per thread).
        std::unique_ptr<libdeflate_decompressor, decltype(&libdeflate_free_decompressor)> inflater(
            m_filter == H5Z_FILTER_DEFLATE ? libdeflate_alloc_decompressor() : nullptr, &libdeflate_free_decompressor);
        for (std::uint64_t c; (c = firstChunk + next.fetch_add(1)) <= lastChunk && !failed;) {
            const Chunk &ch = m_chunks[c];
            stored.resize(ch.bytes);
            if (!preadAll(fd.get(), stored.data(), ch.bytes, ch.address)) {
                failed = true;
                continue;
            }
            const unsigned char *src = stored.data();
            // A whole chunk inside the range whose stored layout is the output's decompresses straight into the
            // output: no staging buffer, no copy.
            const bool whole = ch.first >= offset && ch.first + m_chunkElements <= offset + count;
            unsigned char *target = whole && direct ? reinterpret_cast<unsigned char *>(out + (ch.first - offset))
                                                    : raw.data();
            if (ch.filtered) {
                bool ok = false;
                if (m_filter == H5Z_FILTER_DEFLATE && inflater) {
                    std::size_t got = 0;
                    ok = libdeflate_zlib_decompress(inflater.get(), stored.data(), ch.bytes, target, rawBytes, &got)
                            == LIBDEFLATE_SUCCESS
                        && got == rawBytes;
                } else if (m_filter == H5Z_FILTER_DEFLATE) {
                    uLongf got = static_cast<uLongf>(rawBytes);
                    ok = uncompress(target, &got, stored.data(), static_cast<uLong>(ch.bytes)) == Z_OK
                        && got == rawBytes;
                } else {
                    const unsigned got = lzf_decompress(
                        stored.data(), static_cast<unsigned>(ch.bytes), target, static_cast<unsigned>(rawBytes));
                    ok = got == rawBytes;
                }
                if (!ok) {
                    std::lock_guard lock(failureMutex);
                    failure = "the compressed block at element " + std::to_string(ch.first)
                        + " cannot be decompressed; the file is damaged";
                    failed = true;
                    continue;
                }
                if (target != raw.data())
                    continue;
                src = raw.data();
            } else if (ch.bytes < rawBytes) {
                failed = true;
                continue;
            }
            // The part of this chunk inside [offset, offset + count).
            const std::uint64_t from = std::max(offset, ch.first);
            const std::uint64_t to = std::min(offset + count, std::min(ch.first + m_chunkElements, m_length));
            convert(src + (from - ch.first) * m_elementSize, static_cast<std::size_t>(to - from), m_float, m_signed,
                m_elementSize, out + (from - offset));
        }
    };
    runOnThreads(static_cast<int>(std::min<std::uint64_t>(workers, lastChunk - firstChunk + 1)), [&](int) { work(); });
    if (failed)
        m_node.fail(
            failure.empty() ? std::string("the file ends before the array does; it is probably truncated") : failure);
}

void BulkReader::read(std::uint64_t offset, std::uint64_t count, float *out) const
{
    if (m_fast)
        readAs(offset, count, out);
    else
        m_node.readRange(offset, count, out);
}

void BulkReader::read(std::uint64_t offset, std::uint64_t count, std::int32_t *out) const
{
    if (m_fast && !m_float)
        readAs(offset, count, out);
    else
        m_node.readRange(offset, count, out);
}

void BulkReader::read(std::uint64_t offset, std::uint64_t count, std::int64_t *out) const
{
    if (m_fast && !m_float)
        readAs(offset, count, out);
    else
        m_node.readRange(offset, count, out);
}

}   // namespace nym::io
