#pragma once

#include <string>

namespace nym {

// A temporary file beside `target` ("<dir>/.<name>.tmp-<random>") that replaces the target only when
// commit() is called, and is removed otherwise: a crash or an error never leaves a half-written output and
// never touches an existing file. Single-threaded use.
class AtomicFile
{
public:
    explicit AtomicFile(const std::string &target);
    ~AtomicFile();
    AtomicFile(const AtomicFile &) = delete;
    AtomicFile &operator=(const AtomicFile &) = delete;

    const std::string &path() const { return m_path; }
    // Renames the temporary file onto the target; throws nym::Error on failure.
    void commit();

private:
    std::string m_target;
    std::string m_path;
    bool m_committed = false;
};

// Checks that `output` may be written: not a folder, its folder exists, not the same file as `input` (when given)
// unless allowInput, and not an existing file unless overwrite. Throws nym::Error with the reason.
void checkOutputPath(const std::string &input, const std::string &output, bool overwrite, bool allowInput);

}   // namespace nym
