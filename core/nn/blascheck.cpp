#include "core/nn/blascheck.h"

#include <cstring>
#include <filesystem>
#include <link.h>

namespace nym {

BlasKind classifyBlas(const std::string &p)
{
    if (p.empty())
        return BlasKind::NotLoaded;
    if (p.find("/openblas-openmp/") != std::string::npos)
        return BlasKind::OpenBlasOpenMp;
    if (p.find("/openblas-pthread/") != std::string::npos)
        return BlasKind::OpenBlasPthread;
    if (p.find("/blas/libblas.so") != std::string::npos)
        return BlasKind::Reference;
    return BlasKind::Other;
}

BlasCheck describeBlas(const std::string &resolvedPath)
{
    BlasCheck c;
    c.path = resolvedPath;
    c.kind = classifyBlas(c.path);
    // The multiarch folder ("x86_64-linux-gnu") from the library's path.
    std::string multiarch = "x86_64-linux-gnu";
    for (const auto &part : std::filesystem::path(c.path))
        if (const std::string name = part.string(); name.size() > 10 && name.ends_with("-linux-gnu"))
            multiarch = name;
    const std::string fix = " Install libopenblas0-openmp and run: sudo update-alternatives --set libblas.so.3-"
        + multiarch + " /usr/lib/" + multiarch + "/openblas-openmp/libblas.so.3";
    if (c.kind == BlasKind::OpenBlasPthread)
        c.warning = "Training will be slow: LibTorch runs on OpenBLAS with pthreads (" + c.path
            + "), whose threads fight LibTorch's OpenMP threads (5-20x slower steps)." + fix;
    else if (c.kind == BlasKind::Reference)
        c.warning = "Training will be slow: LibTorch runs on the reference BLAS (" + c.path
            + "), about 45x slower than OpenBLAS." + fix;
    return c;
}

BlasCheck checkBlas()
{
    std::string loaded;
    dl_iterate_phdr(
        [](dl_phdr_info *info, std::size_t, void *data) -> int {
            const char *name = info->dlpi_name;
            if (name && std::strstr(name, "/libblas.so")) {
                *static_cast<std::string *>(data) = name;
                return 1;
            }
            return 0;
        },
        &loaded);
    if (loaded.empty())
        return {};
    std::error_code ec;
    const std::filesystem::path resolved = std::filesystem::canonical(loaded, ec);
    return describeBlas(ec ? loaded : resolved.string());
}

}   // namespace nym
