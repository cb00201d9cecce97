// libFuzzer targets for the h5ad and 10x readers (build with -DNYM_FUZZ=ON and clang).
//
// Structure-aware mode (default): the fuzz input drives the construction of a well-formed HDF5 container whose
// *contents* are hostile — wrong shapes, decreasing pointers, out-of-range indices, odd dtypes, NaN, codes
// outside categories, missing or mistyped elements — so the fuzzer exercises our validation rather than
// libhdf5's parser. Raw mode (NYM_FUZZ_RAW defined): the input bytes are the file.
//
// Contract checked: reading + preflight + normalisation either succeed or throw nym::Error. Any other exception,
// crash, sanitizer report, hang or huge allocation is a bug.
#include "core/common/error.h"
#include "core/data/normalize.h"
#include "core/data/preflight.h"
#include "core/io/datasetreader.h"

#include <fuzzer/FuzzedDataProvider.h>
#include <hdf5.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <unistd.h>
#include <vector>

namespace {

std::string tempPath()
{
    return "/dev/shm/nymfuzz-" + std::to_string(getpid()) + ".h5";
}

void exercise(const std::string &path)
{
    try {
        // In-process, so the fuzzer sees inside the readers (the app isolates the structure parse in a child).
        nym::DatasetReadOptions options;
        options.isolateParsing = false;
        const nym::Dataset ds = nym::readDataset(path, options);
        nym::preflight(ds);
        try {
            nym::normalizeToLog1pCpm(ds.matrix);
        } catch (const nym::Error &) { }
    } catch (const nym::Error &) { }
    // Anything else propagates and libFuzzer reports it as a crash.
}

#ifndef NYM_FUZZ_RAW

hid_t pickIntType(FuzzedDataProvider &f)
{
    switch (f.ConsumeIntegralInRange(0, 4)) {
    case 0: return H5T_STD_I32LE;
    case 1: return H5T_STD_I64LE;
    case 2: return H5T_STD_U64LE;
    case 3: return H5T_STD_I8LE;
    default: return H5T_IEEE_F64LE;   // wrong: floats where integers belong
    }
}

hid_t pickValueType(FuzzedDataProvider &f)
{
    switch (f.ConsumeIntegralInRange(0, 3)) {
    case 0: return H5T_IEEE_F32LE;
    case 1: return H5T_IEEE_F64LE;
    case 2: return H5T_STD_I32LE;
    default: return H5T_STD_I64LE;
    }
}

void writeNumbers(hid_t loc, const char *name, hid_t type, const std::vector<double> &v)
{
    hsize_t n = v.size();
    hid_t space = H5Screate_simple(1, &n, nullptr);
    hid_t ds = H5Dcreate2(loc, name, type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (ds >= 0 && n > 0)
        H5Dwrite(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data());
    if (ds >= 0)
        H5Dclose(ds);
    H5Sclose(space);
}

void writeStrings(hid_t loc, const char *name, const std::vector<std::string> &v, bool fixed)
{
    hid_t type = H5Tcopy(H5T_C_S1);
    std::size_t width = 1;
    for (const auto &s : v)
        width = std::max(width, s.size() + 1);
    H5Tset_size(type, fixed ? width : H5T_VARIABLE);
    hsize_t n = v.size();
    hid_t space = H5Screate_simple(1, &n, nullptr);
    hid_t ds = H5Dcreate2(loc, name, type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (ds >= 0 && n > 0) {
        if (fixed) {
            std::vector<char> buf(n * width, 0);
            for (std::size_t i = 0; i < v.size(); ++i)
                v[i].copy(buf.data() + i * width, width - 1);
            H5Dwrite(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf.data());
        } else {
            std::vector<const char *> p;
            for (const auto &s : v)
                p.push_back(s.c_str());
            H5Dwrite(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, p.data());
        }
    }
    if (ds >= 0)
        H5Dclose(ds);
    H5Sclose(space);
    H5Tclose(type);
}

void strAttr(hid_t obj, const char *name, const std::string &value)
{
    hid_t type = H5Tcopy(H5T_C_S1);
    H5Tset_size(type, H5T_VARIABLE);
    hid_t space = H5Screate(H5S_SCALAR);
    hid_t a = H5Acreate2(obj, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
    const char *p = value.c_str();
    if (a >= 0) {
        H5Awrite(a, type, &p);
        H5Aclose(a);
    }
    H5Sclose(space);
    H5Tclose(type);
}

void intAttr(hid_t obj, const char *name, const std::vector<long long> &v)
{
    hsize_t n = v.size();
    hid_t space = H5Screate_simple(1, &n, nullptr);
    hid_t a = H5Acreate2(obj, name, H5T_STD_I64LE, space, H5P_DEFAULT, H5P_DEFAULT);
    if (a >= 0) {
        if (n)
            H5Awrite(a, H5T_NATIVE_LLONG, v.data());
        H5Aclose(a);
    }
    H5Sclose(space);
}

std::vector<double> pointers(FuzzedDataProvider &f, int outer, int nnz)
{
    std::vector<double> p;
    const int len = outer + 1 + (f.ConsumeIntegralInRange(0, 9) == 0 ? f.ConsumeIntegralInRange(-2, 2) : 0);
    const bool monotone = f.ConsumeIntegralInRange(0, 5) != 0;
    double cur = 0;
    for (int i = 0; i < std::max(0, len); ++i) {
        if (i == len - 1 && f.ConsumeBool())
            cur = nnz;
        p.push_back(cur);
        cur += monotone ? f.ConsumeIntegralInRange(0, 3) : f.ConsumeIntegralInRange(-2, 3);
    }
    return p;
}

std::vector<double> valuesFor(FuzzedDataProvider &f, int n, int lo, int hi)
{
    std::vector<double> v;
    for (int i = 0; i < n; ++i) {
        switch (f.ConsumeIntegralInRange(0, 15)) {
        case 0: v.push_back(std::nan("")); break;
        case 1: v.push_back(1.0 / 0.0); break;
        case 2: v.push_back(-3.5); break;
        case 3: v.push_back(1e30); break;
        default: v.push_back(f.ConsumeIntegralInRange(lo, hi)); break;
        }
    }
    return v;
}

void buildH5ad(FuzzedDataProvider &f, hid_t file)
{
    const int nObs = f.ConsumeIntegralInRange(0, 12), nVar = f.ConsumeIntegralInRange(0, 12);
    if (f.ConsumeBool()) {
        strAttr(file, "encoding-type", "anndata");
        strAttr(file, "encoding-version", "0.1.0");
    }
    hid_t obs = H5Gcreate2(file, "obs", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    strAttr(obs, "encoding-type", "dataframe");
    strAttr(obs, "_index", f.ConsumeIntegralInRange(0, 7) == 0 ? "missing" : "_index");
    std::vector<std::string> cells;
    for (int i = 0; i < nObs + (f.ConsumeIntegralInRange(0, 9) == 0 ? 1 : 0); ++i)
        cells.push_back("c" + std::to_string(i));
    writeStrings(obs, "_index", cells, f.ConsumeBool());
    if (f.ConsumeBool()) {
        hid_t cat = H5Gcreate2(obs, "cell_type", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        strAttr(cat, "encoding-type", f.ConsumeIntegralInRange(0, 5) == 0 ? "weird" : "categorical");
        const int k = f.ConsumeIntegralInRange(0, 4);
        std::vector<std::string> cats;
        for (int i = 0; i < k; ++i)
            cats.push_back("T" + std::to_string(i));
        writeStrings(cat, "categories", cats, f.ConsumeBool());
        writeNumbers(cat, "codes", pickIntType(f), valuesFor(f, nObs + f.ConsumeIntegralInRange(-1, 1), -2, k + 1));
        H5Gclose(cat);
    }
    if (f.ConsumeBool())
        writeNumbers(obs, "score", pickValueType(f), valuesFor(f, nObs + f.ConsumeIntegralInRange(-1, 1), 0, 9));
    H5Gclose(obs);
    hid_t var = H5Gcreate2(file, "var", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    strAttr(var, "_index", "_index");
    std::vector<std::string> genes;
    for (int i = 0; i < nVar; ++i)
        genes.push_back(f.ConsumeBool() ? "ENSG0000000000" + std::to_string(i) : "G" + std::to_string(i % 5));
    writeStrings(var, "_index", genes, f.ConsumeBool());
    H5Gclose(var);

    const int kind = f.ConsumeIntegralInRange(0, 4);
    if (kind == 4)
        return;   // no X
    if (kind == 3) {
        hsize_t dims[2] = {static_cast<hsize_t>(nObs + f.ConsumeIntegralInRange(0, 1)), static_cast<hsize_t>(nVar)};
        hid_t space = H5Screate_simple(f.ConsumeIntegralInRange(0, 6) == 0 ? 1 : 2, dims, nullptr);
        hid_t ds = H5Dcreate2(file, "X", pickValueType(f), space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        const auto v = valuesFor(f, static_cast<int>(dims[0] * dims[1]), 0, 3);
        if (ds >= 0 && !v.empty())
            H5Dwrite(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data());
        if (ds >= 0)
            H5Dclose(ds);
        H5Sclose(space);
        return;
    }
    const bool csr = kind != 1;
    hid_t x = H5Gcreate2(file, "X", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    strAttr(x, "encoding-type", kind == 2 ? "coo_matrix" : (csr ? "csr_matrix" : "csc_matrix"));
    intAttr(x, "shape", {nObs + f.ConsumeIntegralInRange(0, 9) / 8, nVar - f.ConsumeIntegralInRange(0, 9) / 8});
    const int outer = csr ? nObs : nVar, inner = csr ? nVar : nObs;
    const int nnz = f.ConsumeIntegralInRange(0, 40);
    writeNumbers(x, "indptr", pickIntType(f), pointers(f, outer, nnz));
    writeNumbers(
        x, "indices", pickIntType(f), valuesFor(f, nnz + (f.ConsumeIntegralInRange(0, 9) == 0 ? 1 : 0), -1, inner));
    if (f.ConsumeIntegralInRange(0, 9) == 0)
        writeStrings(x, "data", std::vector<std::string>(static_cast<std::size_t>(nnz), "x"), false);
    else
        writeNumbers(x, "data", pickValueType(f), valuesFor(f, nnz, 0, 50));
    H5Gclose(x);
}

void buildTenx(FuzzedDataProvider &f, hid_t file)
{
    const int nBc = f.ConsumeIntegralInRange(0, 10), nFeat = f.ConsumeIntegralInRange(0, 10);
    hid_t m = H5Gcreate2(
        file, f.ConsumeIntegralInRange(0, 4) == 0 ? "hg19" : "matrix", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    writeNumbers(m, "shape", pickIntType(f),
        {static_cast<double>(nFeat), static_cast<double>(nBc + f.ConsumeIntegralInRange(0, 9) / 8)});
    std::vector<std::string> bcs, ids, types;
    for (int i = 0; i < nBc; ++i)
        bcs.push_back("AAAC-" + std::to_string(i));
    for (int i = 0; i < nFeat; ++i) {
        ids.push_back("ENSG" + std::to_string(i));
        types.push_back(f.ConsumeIntegralInRange(0, 3) == 0 ? "Antibody Capture" : "Gene Expression");
    }
    writeStrings(m, "barcodes", bcs, true);
    writeStrings(m, "genes", ids, true);
    hid_t feats = H5Gcreate2(m, "features", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (f.ConsumeIntegralInRange(0, 9) != 0)
        writeStrings(feats, "id", ids, true);
    writeStrings(feats, "name", ids, true);
    writeStrings(feats, "feature_type", types, true);
    if (f.ConsumeBool()) {
        writeStrings(feats, "gene_id", ids, true);
        writeStrings(feats, "probe_region", ids, true);
        writeNumbers(feats, "filtered_probes", H5T_STD_I8LE, valuesFor(f, nFeat, 0, 1));
    }
    H5Gclose(feats);
    const int nnz = f.ConsumeIntegralInRange(0, 30);
    writeNumbers(m, "indptr", pickIntType(f), pointers(f, nBc, nnz));
    writeNumbers(m, "indices", pickIntType(f), valuesFor(f, nnz, -1, nFeat));
    writeNumbers(m, "data", pickValueType(f), valuesFor(f, nnz, 0, 9));
    H5Gclose(m);
}

#endif

}   // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const bool init = [] {
        H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
        // Keep allocations far below libFuzzer's RSS limit: a declared huge array must be refused, not allocated.
        setenv("NYM_MAX_READ_BYTES", "268435456", 1);
        return true;
    }();
    (void)init;
    const std::string path = tempPath();
#ifdef NYM_FUZZ_RAW
    FILE *out = std::fopen(path.c_str(), "wb");
    if (!out)
        return 0;
    std::fwrite(data, 1, size, out);
    std::fclose(out);
#else
    FuzzedDataProvider f(data, size);
    const bool tenx = f.ConsumeBool();
    hid_t file = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    if (file < 0)
        return 0;
    if (tenx)
        buildTenx(f, file);
    else
        buildH5ad(f, file);
    H5Fclose(file);
#endif
    exercise(path);
    std::remove(path.c_str());
    return 0;
}
