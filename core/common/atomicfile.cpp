#include "core/common/atomicfile.h"

#include "core/common/error.h"

#include <filesystem>
#include <random>

namespace nym {

namespace fs = std::filesystem;

AtomicFile::AtomicFile(const std::string &target)
    : m_target(target)
{
    std::random_device rd;
    const auto dir = fs::path(target).parent_path();
    m_path = (dir / ("." + fs::path(target).filename().string() + ".tmp-" + std::to_string(rd()))).string();
}

AtomicFile::~AtomicFile()
{
    std::error_code ec;
    if (!m_committed)
        fs::remove(m_path, ec);
}

void AtomicFile::commit()
{
    std::error_code ec;
    fs::rename(m_path, m_target, ec);
    if (ec)
        throw Error(m_target + ": cannot move the finished file into place: " + ec.message());
    m_committed = true;
}

static bool samePath(const std::string &a, const std::string &b)
{
    std::error_code ec;
    if (fs::exists(a, ec) && fs::exists(b, ec))
        return fs::equivalent(a, b, ec);
    return fs::weakly_canonical(a, ec) == fs::weakly_canonical(b, ec);
}

void checkOutputPath(const std::string &input, const std::string &output, bool overwrite, bool allowInput)
{
    if (output.empty())
        throw Error("no output file given");
    std::error_code ec;
    if (fs::is_directory(output, ec))
        throw Error(output + ": is a folder; give a file name for the output");
    const bool isInput = !input.empty() && samePath(input, output);
    if (isInput && !allowInput)
        throw Error(output + ": is the input file; Nym Studio does not write over its input unless asked to");
    if (!isInput && fs::exists(output, ec) && !overwrite)
        throw Error(output + ": already exists; choose another name or allow overwriting");
    const auto dir = fs::path(output).parent_path();
    if (!dir.empty() && !fs::is_directory(dir, ec))
        throw Error(output + ": the folder " + dir.string() + " does not exist");
}

}   // namespace nym
