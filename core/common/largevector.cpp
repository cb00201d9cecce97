#include "core/common/largevector.h"

#include <cstdint>
#include <sys/mman.h>

namespace nym {

void adviseHugePages(void *data, std::size_t bytes)
{
    constexpr std::size_t huge = std::size_t(2) << 20;
    if (!data || bytes < 4 * huge)
        return;
    // madvise needs page-aligned ranges: advise the whole 2 MiB blocks inside the buffer.
    const auto begin = (reinterpret_cast<std::uintptr_t>(data) + huge - 1) & ~(huge - 1);
    const auto end = (reinterpret_cast<std::uintptr_t>(data) + bytes) & ~(huge - 1);
    if (end > begin)
        madvise(reinterpret_cast<void *>(begin), end - begin, MADV_HUGEPAGE);
}

}   // namespace nym
