#include "core/io/h5write_p.h"

#include <algorithm>

namespace nym::h5w {


Handle stringType()
{
    Handle t(H5Tcopy(H5T_C_S1), H5Tclose);
    H5Tset_size(t.get(), H5T_VARIABLE);
    H5Tset_cset(t.get(), H5T_CSET_UTF8);
    return t;
}

// h5py's boolean: an int8 enum {FALSE = 0, TRUE = 1}.
Handle boolType()
{
    Handle t(H5Tenum_create(H5T_NATIVE_INT8), H5Tclose);
    signed char f = 0, tr = 1;
    H5Tenum_insert(t.get(), "FALSE", &f);
    H5Tenum_insert(t.get(), "TRUE", &tr);
    return t;
}

void setAttr(const Out &out, hid_t obj, const std::string &name, const std::string &value)
{
    if (H5Aexists(obj, name.c_str()) > 0)
        H5Adelete(obj, name.c_str());
    Handle type = stringType();
    Handle space(H5Screate(H5S_SCALAR), H5Sclose);
    Handle attr(H5Acreate2(obj, name.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
    const char *p = value.c_str();
    if (!attr || H5Awrite(attr.get(), type.get(), &p) < 0)
        out.fail("attribute " + name);
}

void setAttrStrings(const Out &out, hid_t obj, const std::string &name, const std::vector<std::string> &values)
{
    if (H5Aexists(obj, name.c_str()) > 0)
        H5Adelete(obj, name.c_str());
    if (values.empty()) {
        // anndata writes an empty column-order as a zero-length float64 array (FORMATS.md).
        hsize_t zero = 0;
        Handle space(H5Screate_simple(1, &zero, nullptr), H5Sclose);
        Handle attr(H5Acreate2(obj, name.c_str(), H5T_IEEE_F64LE, space.get(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
        if (!attr)
            out.fail("attribute " + name);
        return;
    }
    Handle type = stringType();
    hsize_t n = values.size();
    Handle space(H5Screate_simple(1, &n, nullptr), H5Sclose);
    Handle attr(H5Acreate2(obj, name.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
    std::vector<const char *> ptrs;
    for (const auto &v : values)
        ptrs.push_back(v.c_str());
    if (!attr || H5Awrite(attr.get(), type.get(), ptrs.data()) < 0)
        out.fail("attribute " + name);
}

void setAttrInts(const Out &out, hid_t obj, const std::string &name, const std::vector<std::int64_t> &values)
{
    if (H5Aexists(obj, name.c_str()) > 0)
        H5Adelete(obj, name.c_str());
    hsize_t n = values.size();
    Handle space(H5Screate_simple(1, &n, nullptr), H5Sclose);
    Handle attr(H5Acreate2(obj, name.c_str(), H5T_STD_I64LE, space.get(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
    if (!attr || H5Awrite(attr.get(), H5T_NATIVE_INT64, values.data()) < 0)
        out.fail("attribute " + name);
}

void setBoolAttr(const Out &out, hid_t obj, const std::string &name, bool value)
{
    if (H5Aexists(obj, name.c_str()) > 0)
        H5Adelete(obj, name.c_str());
    Handle type = boolType();
    Handle space(H5Screate(H5S_SCALAR), H5Sclose);
    Handle attr(H5Acreate2(obj, name.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
    signed char v = value ? 1 : 0;
    if (!attr || H5Awrite(attr.get(), type.get(), &v) < 0)
        out.fail("attribute " + name);
}

void encode(const Out &out, hid_t obj, const std::string &type, const std::string &version)
{
    setAttr(out, obj, "encoding-type", type);
    setAttr(out, obj, "encoding-version", version);
}

Handle createGroup(const Out &out, hid_t loc, const std::string &name, const char *encoding)
{
    Handle g(H5Gcreate2(loc, name.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose);
    if (!g)
        out.fail("group " + name);
    if (encoding)
        encode(out, g.get(), encoding, "0.1.0");
    return g;
}

void removeIfPresent(hid_t loc, const std::string &name)
{
    if (H5Lexists(loc, name.c_str(), H5P_DEFAULT) > 0)
        H5Ldelete(loc, name.c_str(), H5P_DEFAULT);
}

// A dataset of `dims`, chunked and compressed when large enough.
Handle createDataset(const Out &out, hid_t loc, const std::string &name, hid_t fileType, std::vector<hsize_t> dims)
{
    Handle space(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), H5Sclose);
    Handle dcpl(H5Pcreate(H5P_DATASET_CREATE), H5Pclose);
    hsize_t total = 1;
    for (auto d : dims)
        total *= d;
    if (out.level > 0 && total >= 4096) {
        std::vector<hsize_t> chunk = dims;
        // About 256k elements per chunk, whole rows for 2-D arrays.
        const hsize_t target = hsize_t(1) << 18;
        if (chunk.size() == 1)
            chunk[0] = std::min(chunk[0], target);
        else
            chunk[0] = std::max<hsize_t>(1, std::min(chunk[0], target / std::max<hsize_t>(1, chunk[1])));
        H5Pset_chunk(dcpl.get(), static_cast<int>(chunk.size()), chunk.data());
        H5Pset_deflate(dcpl.get(), static_cast<unsigned>(out.level));
    }
    Handle ds(H5Dcreate2(loc, name.c_str(), fileType, space.get(), H5P_DEFAULT, dcpl.get(), H5P_DEFAULT), H5Dclose);
    if (!ds)
        out.fail("array " + name);
    return ds;
}

void writeStringArray(const Out &out, hid_t loc, const std::string &name, const std::vector<std::string> &values)
{
    Handle type = stringType();
    Handle ds = createDataset(out, loc, name, type.get(), {values.size()});
    std::vector<const char *> ptrs;
    ptrs.reserve(values.size());
    for (const auto &v : values)
        ptrs.push_back(v.c_str());
    if (!values.empty() && H5Dwrite(ds.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, ptrs.data()) < 0)
        out.fail("text array " + name);
    encode(out, ds.get(), "string-array", "0.2.0");
}

void writeStringScalar(const Out &out, hid_t loc, const std::string &name, const std::string &value)
{
    Handle type = stringType();
    Handle space(H5Screate(H5S_SCALAR), H5Sclose);
    Handle ds(H5Dcreate2(loc, name.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Dclose);
    const char *p = value.c_str();
    if (!ds || H5Dwrite(ds.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, &p) < 0)
        out.fail("text " + name);
    encode(out, ds.get(), "string", "0.2.0");
}

}   // namespace nym::h5w
