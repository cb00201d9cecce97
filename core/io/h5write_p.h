#pragma once
// Private to core/io: small HDF5 writing helpers shared by the h5ad writer and the model file.

#include "core/common/error.h"
#include "core/io/h5_p.h"

#include <string>
#include <vector>

namespace nym::h5w {

using h5::Handle;

// Writing context: the file being written, for messages.
struct Out
{
    std::string file;
    int level = 4;
    [[noreturn]] void fail(const std::string &what) const
    {
        const auto lib = h5::lastLibraryError();
        throw Error(file + ": cannot write " + what + (lib.empty() ? "" : " (" + lib + ")"));
    }
};

Handle stringType();
Handle boolType();
void setAttr(const Out &out, hid_t obj, const std::string &name, const std::string &value);
void setAttrStrings(const Out &out, hid_t obj, const std::string &name, const std::vector<std::string> &values);
void setAttrInts(const Out &out, hid_t obj, const std::string &name, const std::vector<std::int64_t> &values);
void setBoolAttr(const Out &out, hid_t obj, const std::string &name, bool value);
void encode(const Out &out, hid_t obj, const std::string &type, const std::string &version);
Handle createGroup(const Out &out, hid_t loc, const std::string &name, const char *encoding = "dict");
void removeIfPresent(hid_t loc, const std::string &name);
Handle createDataset(const Out &out, hid_t loc, const std::string &name, hid_t fileType, std::vector<hsize_t> dims);
void writeStringArray(const Out &out, hid_t loc, const std::string &name, const std::vector<std::string> &values);
void writeStringScalar(const Out &out, hid_t loc, const std::string &name, const std::string &value);

// A dataset of `dims` holding `values` (1-D when dims is empty), anndata-encoded as an array.
template<class T>
void writeArray(const Out &out, hid_t loc, const std::string &name, hid_t fileType, hid_t memType,
    const std::vector<T> &values, std::vector<hsize_t> dims = {})
{
    if (dims.empty())
        dims = {values.size()};
    Handle ds = createDataset(out, loc, name, fileType, dims);
    if (!values.empty() && H5Dwrite(ds.get(), memType, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()) < 0)
        out.fail("array " + name);
    encode(out, ds.get(), "array", "0.2.0");
}

}   // namespace nym::h5w
