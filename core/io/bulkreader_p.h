#pragma once
// Private to core/io: fast reads of large 1-D numeric HDF5 datasets (the data, indices of a sparse matrix).
// HDF5 is asked only for the storage layout; the bytes are then read with pread and, for gzip- or
// LZF-compressed chunks, inflated by zlib/liblzf directly — in several threads, and without the library's
// single-threaded data path. Layouts it does not handle (other filters, shuffle, big-endian, partial chunk
// coverage...) fall back to H5Dread. Every address and size is checked against the file before use.

#include "core/io/h5_p.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace nym::io {

class BulkReader
{
public:
    // Inspects the dataset's layout (caller holds the HDF5 mutex). Never throws for unsupported layouts.
    explicit BulkReader(const h5::Node &dataset);
    ~BulkReader();

    // Reads elements [offset, offset + count) converted to the destination type. Uses the fast path when the
    // layout allows, H5Dread otherwise (caller holds the HDF5 mutex either way).
    void read(std::uint64_t offset, std::uint64_t count, float *out) const;
    void read(std::uint64_t offset, std::uint64_t count, std::int32_t *out) const;
    void read(std::uint64_t offset, std::uint64_t count, std::int64_t *out) const;

    bool fast() const { return m_fast; }

    struct Chunk
    {
        std::uint64_t first = 0;     // first element
        std::uint64_t address = 0;   // byte address in the file
        std::uint64_t bytes = 0;     // stored size
        bool filtered = true;        // false when the filter was skipped for this chunk
    };

private:
    template<class T> void readAs(std::uint64_t offset, std::uint64_t count, T *out) const;

    const h5::Node &m_node;
    bool m_fast = false;
    bool m_chunked = false;
    int m_filter = 0;   // 0 none, 1 deflate, 32000 lzf
    bool m_float = false;
    bool m_signed = true;
    std::size_t m_elementSize = 0;
    std::uint64_t m_length = 0;
    std::uint64_t m_address = 0;   // contiguous
    std::uint64_t m_chunkElements = 0;
    std::vector<Chunk> m_chunks;   // sorted by first element, covering [0, m_length)
};

}   // namespace nym::io
