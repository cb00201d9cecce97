#pragma once
// Which BLAS LibTorch runs on. Debian's LibTorch calls whatever the libblas.so.3 alternative points at, and that
// decides training speed (TOOLCHAIN.md, pitfall 1): OpenBLAS built with OpenMP is right; OpenBLAS with pthreads
// fights LibTorch's OpenMP threads (erratic 5–20× slower steps) and the reference BLAS is ~45× slower. A package
// cannot set the alternative for the user, so the programs say so when it is wrong.

#include <string>

namespace nym {

enum class BlasKind { OpenBlasOpenMp, OpenBlasPthread, Reference, Other, NotLoaded };

// Classifies the resolved path of a libblas.so.3 ("/usr/lib/x86_64-linux-gnu/openblas-openmp/libblas.so.3", ...).
BlasKind classifyBlas(const std::string &resolvedPath);

struct BlasCheck
{
    BlasKind kind = BlasKind::NotLoaded;
    std::string path;      // the loaded libblas.so.3, symlinks resolved; empty when none is loaded
    std::string warning;   // a sentence with the fix, empty when the BLAS is right (or unknown: MKL, BLIS...)
};

// What to do about a BLAS at this resolved path.
BlasCheck describeBlas(const std::string &resolvedPath);
// The libblas.so.3 loaded in this process (LibTorch's), and what to do about it.
BlasCheck checkBlas();

}   // namespace nym
