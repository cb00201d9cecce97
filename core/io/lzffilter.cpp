#include "core/io/lzffilter_p.h"

#include <hdf5.h>
#include <liblzf/lzf.h>

#include <cerrno>
#include <cstdlib>

namespace nym::h5 {

namespace {

constexpr H5Z_filter_t kLzfFilter = 32000;

// Same stream format as h5py's lzf_filter.c: the chunk is one raw LZF block; cd_values[2] holds the chunk size.
size_t lzfFilter(unsigned flags, size_t cdNelmts, const unsigned cdValues[], size_t nbytes, size_t *bufSize, void **buf)
{
    if (flags & H5Z_FLAG_REVERSE) {
        size_t outSize = (cdNelmts >= 3 && cdValues[2] != 0) ? cdValues[2] : *bufSize;
        // A corrupt chunk could claim anything; give up rather than grow without bound.
        for (int attempt = 0; attempt < 8; ++attempt) {
            void *out = std::malloc(outSize);
            if (!out)
                return 0;
            const unsigned got =
                lzf_decompress(*buf, static_cast<unsigned>(nbytes), out, static_cast<unsigned>(outSize));
            if (got > 0) {
                std::free(*buf);
                *buf = out;
                *bufSize = outSize;
                return got;
            }
            std::free(out);
            if (errno != E2BIG)
                return 0;
            outSize *= 2;
        }
        return 0;
    }
    if (nbytes == 0)
        return 0;
    void *out = std::malloc(nbytes);
    if (!out)
        return 0;
    const unsigned got = lzf_compress(*buf, static_cast<unsigned>(nbytes), out, static_cast<unsigned>(nbytes));
    if (got == 0) {   // incompressible: the optional filter is skipped for this chunk
        std::free(out);
        return 0;
    }
    std::free(*buf);
    *buf = out;
    *bufSize = nbytes;
    return got;
}

}   // namespace

void registerLzfFilter()
{
    if (H5Zfilter_avail(kLzfFilter) > 0)
        return;
    static const H5Z_class2_t cls = {H5Z_CLASS_T_VERS, kLzfFilter, 1, 1, "lzf", nullptr, nullptr, lzfFilter};
    H5Zregister(&cls);
}

}   // namespace nym::h5
