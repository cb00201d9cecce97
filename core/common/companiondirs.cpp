#include "core/common/companiondirs.h"

#include <system_error>

namespace nym {

std::vector<std::filesystem::path> companionDirs()
{
    std::error_code ec;
    const std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (ec)
        return {};
    return {exe.parent_path(), exe.parent_path() / ".." / NYM_ENGINE_DIR};
}

}   // namespace nym
