#include "core/io/h5adwriter.h"

#include "core/common/atomicfile.h"
#include "core/common/error.h"
#include "core/io/datasetreader.h"
#include "core/io/h5_p.h"
#include "core/io/h5write_p.h"
#include "core/io/h5adreader.h"
#include "core/io/isolation_p.h"

#include <filesystem>

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

namespace nym {

namespace {

namespace fs = std::filesystem;
using h5::Handle;
using namespace h5w;

void writeColumn(const Out &out, hid_t loc, const ObsColumn &col)
{
    switch (col.kind) {
    case ObsColumn::Kind::Categorical: {
        Handle g = createGroup(out, loc, col.name, nullptr);
        encode(out, g.get(), "categorical", "0.2.0");
        setBoolAttr(out, g.get(), "ordered", col.ordered);
        const auto nCat = col.categories.size();
        if (nCat < 128) {
            std::vector<std::int8_t> codes(col.codes.begin(), col.codes.end());
            writeArray(out, g.get(), "codes", H5T_STD_I8LE, H5T_NATIVE_INT8, codes);
        } else if (nCat < 32768) {
            std::vector<std::int16_t> codes(col.codes.begin(), col.codes.end());
            writeArray(out, g.get(), "codes", H5T_STD_I16LE, H5T_NATIVE_INT16, codes);
        } else {
            writeArray(out, g.get(), "codes", H5T_STD_I32LE, H5T_NATIVE_INT32, col.codes);
        }
        writeStringArray(out, g.get(), "categories", col.categories);
        return;
    }
    case ObsColumn::Kind::Numeric:
        writeArray(out, loc, col.name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, col.numbers);
        return;
    case ObsColumn::Kind::Boolean: {
        bool missing = false;
        for (double v : col.numbers)
            missing = missing || std::isnan(v);
        std::vector<std::int8_t> values;
        for (double v : col.numbers)
            values.push_back(!std::isnan(v) && v != 0 ? 1 : 0);
        Handle type = boolType();
        if (!missing) {
            writeArray(out, loc, col.name, type.get(), type.get(), values);
            return;
        }
        Handle g = createGroup(out, loc, col.name, nullptr);
        encode(out, g.get(), "nullable-boolean", "0.1.0");
        writeArray(out, g.get(), "values", type.get(), type.get(), values);
        std::vector<std::int8_t> mask;
        for (double v : col.numbers)
            mask.push_back(std::isnan(v) ? 1 : 0);
        writeArray(out, g.get(), "mask", type.get(), type.get(), mask);
        return;
    }
    case ObsColumn::Kind::String: writeStringArray(out, loc, col.name, col.strings); return;
    }
}

void writeDense(const Out &out, hid_t loc, const DenseArray &a)
{
    writeArray(out, loc, a.name, H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, a.values,
        {static_cast<hsize_t>(a.rows), static_cast<hsize_t>(a.cols)});
}

void writeCsr(const Out &out, hid_t loc, const std::string &name, const CellMatrix &m)
{
    Handle g = createGroup(out, loc, name, nullptr);
    encode(out, g.get(), "csr_matrix", "0.1.0");
    setAttrInts(out, g.get(), "shape", {m.rows(), m.cols()});
    const auto values = m.values();
    const auto indices = m.indices();
    const auto indptr = m.indptr();
    std::vector<float> v(values.begin(), values.end());
    Handle d = createDataset(out, g.get(), "data", H5T_IEEE_F32LE, {v.size()});
    if (!v.empty() && H5Dwrite(d.get(), H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()) < 0)
        out.fail(name + "/data");
    Handle i = createDataset(out, g.get(), "indices", H5T_STD_I32LE, {indices.size()});
    if (!indices.empty() && H5Dwrite(i.get(), H5T_NATIVE_INT32, H5S_ALL, H5S_ALL, H5P_DEFAULT, indices.data()) < 0)
        out.fail(name + "/indices");
    const bool big = m.nnz() > std::numeric_limits<std::int32_t>::max();
    Handle p = createDataset(out, g.get(), "indptr", big ? H5T_STD_I64LE : H5T_STD_I32LE, {indptr.size()});
    if (H5Dwrite(p.get(), H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, indptr.data()) < 0)
        out.fail(name + "/indptr");
}

void writeFrame(const Out &out, hid_t loc, const std::string &name, const std::vector<std::string> &index,
    const std::vector<ObsColumn> &columns)
{
    Handle g = createGroup(out, loc, name, nullptr);
    encode(out, g.get(), "dataframe", "0.2.0");
    setAttr(out, g.get(), "_index", "_index");
    writeStringArray(out, g.get(), "_index", index);
    std::vector<std::string> order;
    for (const auto &c : columns) {
        writeColumn(out, g.get(), c);
        order.push_back(c.name);
    }
    setAttrStrings(out, g.get(), "column-order", order);
}

void writeUns(const Out &out, hid_t root, const H5adAdditions &add)
{
    if (add.uns.empty() && add.unsLists.empty())
        return;
    if (H5Lexists(root, "uns", H5P_DEFAULT) <= 0)
        createGroup(out, root, "uns");
    Handle uns(H5Gopen2(root, "uns", H5P_DEFAULT), H5Gclose);
    if (!uns)
        out.fail("uns (it exists but is not a group)");
    for (const auto &[k, values] : add.unsLists) {
        removeIfPresent(uns.get(), k);
        writeStringArray(out, uns.get(), k, values);
    }
    if (add.uns.empty())
        return;
    if (add.unsGroup.empty()) {
        for (const auto &[k, v] : add.uns) {
            removeIfPresent(uns.get(), k);
            writeStringScalar(out, uns.get(), k, v);
        }
        return;
    }
    removeIfPresent(uns.get(), add.unsGroup);
    Handle g = createGroup(out, uns.get(), add.unsGroup);
    for (const auto &[k, v] : add.uns)
        writeStringScalar(out, g.get(), k, v);
}

void checkAdditions(const H5adAdditions &add, std::int64_t cells, const std::string &input)
{
    std::set<std::string> seen;
    for (const auto &c : add.obs) {
        if (c.name.empty() || c.name.find('/') != std::string::npos || c.name == "_index" || c.name == "__categories")
            throw Error("obs column name '" + c.name + "' cannot be written");
        if (!seen.insert(c.name).second)
            throw Error("obs column '" + c.name + "' is given twice");
        if (c.size() != cells)
            throw Error("obs column '" + c.name + "' has " + std::to_string(c.size()) + " values but " + input + " has "
                + std::to_string(cells) + " cells");
    }
    for (const auto &[k, v] : add.unsLists)
        if (k.empty() || k.find('/') != std::string::npos || k == add.unsGroup)
            throw Error("uns name '" + k + "' cannot be written");
    for (const auto &a : add.obsm) {
        if (a.name.empty() || a.name.find('/') != std::string::npos)
            throw Error("obsm name '" + a.name + "' cannot be written");
        if (a.rows != cells || static_cast<std::int64_t>(a.values.size()) != a.rows * a.cols)
            throw Error("obsm '" + a.name + "' has " + std::to_string(a.rows) + " rows but " + input + " has "
                + std::to_string(cells) + " cells");
    }
}

void copyAttributes(hid_t src, hid_t dst)
{
    H5O_info_t info {};
    if (H5Oget_info2(src, &info, H5O_INFO_NUM_ATTRS) < 0)
        return;
    for (hsize_t i = 0; i < info.num_attrs; ++i) {
        Handle a(H5Aopen_by_idx(src, ".", H5_INDEX_CRT_ORDER, H5_ITER_INC, i, H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
        if (!a)
            a = Handle(H5Aopen_by_idx(src, ".", H5_INDEX_NAME, H5_ITER_INC, i, H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
        if (!a)
            continue;
        char name[1024];
        if (H5Aget_name(a.get(), sizeof name, name) < 0)
            continue;
        Handle type(H5Aget_type(a.get()), H5Tclose);
        Handle space(H5Aget_space(a.get()), H5Sclose);
        const auto size = H5Tget_size(type.get());
        const auto n = H5Sget_select_npoints(space.get());
        if (n < 0 || H5Tdetect_class(type.get(), H5T_VLEN) > 0 || H5Tis_variable_str(type.get()) > 0) {
            // Variable-length data must be read through a memory type that owns the pointers.
            if (H5Tis_variable_str(type.get()) > 0) {
                std::vector<char *> buf(static_cast<std::size_t>(std::max<hssize_t>(n, 1)));
                if (H5Aread(a.get(), type.get(), buf.data()) < 0)
                    continue;
                if (H5Aexists(dst, name) > 0)
                    H5Adelete(dst, name);
                Handle b(H5Acreate2(dst, name, type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
                if (b)
                    H5Awrite(b.get(), type.get(), buf.data());
                H5Dvlen_reclaim(type.get(), space.get(), H5P_DEFAULT, buf.data());
            }
            continue;
        }
        std::vector<unsigned char> buf(size * static_cast<std::size_t>(std::max<hssize_t>(n, 1)));
        if (H5Aread(a.get(), type.get(), buf.data()) < 0)
            continue;
        if (H5Aexists(dst, name) > 0)
            H5Adelete(dst, name);
        Handle b(H5Acreate2(dst, name, type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
        if (b)
            H5Awrite(b.get(), type.get(), buf.data());
    }
}

// Copies one element with everything below it. References inside it (anndata 0.7 categoricals point at
// obs/__categories) are re-pointed at the copies.
void copyObject(const Out &out, hid_t src, const std::string &name, hid_t dst)
{
    Handle ocpypl(H5Pcreate(H5P_OBJECT_COPY), H5Pclose);
    H5Pset_copy_object(ocpypl.get(), H5O_COPY_EXPAND_REFERENCE_FLAG);
    if (H5Ocopy(src, name.c_str(), dst, name.c_str(), ocpypl.get(), H5P_DEFAULT) < 0)
        out.fail("a copy of " + name);
}

std::vector<std::string> childNames(hid_t group)
{
    std::vector<std::string> names;
    H5G_info_t info {};
    if (H5Gget_info(group, &info) < 0)
        return names;
    for (hsize_t i = 0; i < info.nlinks; ++i) {
        const ssize_t len = H5Lget_name_by_idx(group, ".", H5_INDEX_NAME, H5_ITER_INC, i, nullptr, 0, H5P_DEFAULT);
        if (len < 0)
            continue;
        std::string s(static_cast<std::size_t>(len), '\0');
        H5Lget_name_by_idx(group, ".", H5_INDEX_NAME, H5_ITER_INC, i, s.data(), s.size() + 1, H5P_DEFAULT);
        names.push_back(s);
    }
    return names;
}

}   // namespace

void writeH5ad(
    const Dataset &dataset, const std::string &path, const H5adAdditions &additions, const H5adWriteOptions &options)
{
    dataset.validate();
    checkOutputPath(dataset.source.path, path, options.overwrite, options.allowInputOverwrite);
    checkAdditions(additions, dataset.cells(), "the dataset");
    std::lock_guard lock(h5::libraryMutex());
    AtomicFile tmp(path);
    {
        h5::Node file = h5::createFile(tmp.path());
        const Out out {path, options.compressionLevel};
        const hid_t root = file.id();
        encode(out, root, "anndata", "0.1.0");
        writeCsr(out, root, "X", dataset.matrix);
        std::vector<ObsColumn> obs = dataset.obs;
        for (const auto &c : additions.obs) {
            auto it = std::find_if(obs.begin(), obs.end(), [&](const ObsColumn &o) { return o.name == c.name; });
            if (it != obs.end())
                *it = c;
            else
                obs.push_back(c);
        }
        writeFrame(out, root, "obs", dataset.cellIds, obs);
        // scanpy's convention: genes indexed by symbol, ids in var/gene_ids when they differ.
        std::vector<ObsColumn> varCols;
        if (dataset.geneIds != dataset.geneNames) {
            ObsColumn ids;
            ids.name = "gene_ids";
            ids.kind = ObsColumn::Kind::String;
            ids.strings = dataset.geneIds;
            varCols.push_back(std::move(ids));
        }
        writeFrame(out, root, "var", dataset.geneNames, varCols);
        {
            // Closed before the file is (a group left open makes the file's close fail).
            Handle obsm = createGroup(out, root, "obsm");
            std::set<std::string> added;
            for (const auto &a : additions.obsm) {
                writeDense(out, obsm.get(), a);
                added.insert(a.name);
            }
            for (const auto &a : dataset.obsm)
                if (!added.count(a.name))
                    writeDense(out, obsm.get(), a);
        }
        for (const char *g : {"layers", "obsp", "varm", "varp", "uns"})
            createGroup(out, root, g);
        writeUns(out, root, additions);
        // Only a file that reached the disk completely replaces anything.
        if (H5Fflush(root, H5F_SCOPE_GLOBAL) < 0 || !file.close())
            out.fail("the file (writing it to disk failed; is the disk full?)");
    }
    tmp.commit();
}

namespace io {

// The part of writeAnnotatedCopy that reads the untrusted input: every element of `input` copied into the new file
// `tmp` (errors name `output`, the file the user asked for), with the modern root encoding.
void isolatedCopyJob(const std::vector<std::string> &args)
{
    if (args.size() != 4)
        throw BadJob("copy: expected input, temporary file, output and compression level");
    const std::string &input = args[0], &tmpPath = args[1], &output = args[2];
    int level = 0;
    try {
        level = std::stoi(args[3]);
    } catch (const std::exception &) {
        throw BadJob("copy: compression level '" + args[3] + "'");
    }
    const h5::Node in = h5::openFile(input);
    h5::Node file = h5::createFile(tmpPath);
    const Out out {output, level};
    const hid_t root = file.id();
    copyAttributes(in.id(), root);
    // FORMATS.md: modern root attributes. anndata 0.7 files keep reading: their elements carry their own encodings.
    encode(out, root, "anndata", "0.1.0");
    for (const auto &child : childNames(in.id()))
        copyObject(out, in.id(), child, root);
    if (H5Fflush(root, H5F_SCOPE_GLOBAL) < 0 || !file.close())
        out.fail("the file (writing it to disk failed; is the disk full?)");
}

}   // namespace io

void writeAnnotatedCopy(const std::string &input, const std::string &output, const H5adAdditions &additions,
    const H5adWriteOptions &options)
{
    checkOutputPath(input, output, options.overwrite, options.allowInputOverwrite);
    std::lock_guard lock(h5::libraryMutex());
    H5adReadOptions peek;
    peek.loadMatrix = false;
    peek.loadObsm = false;
    // The input is untrusted: read through the isolated structure check (a damaged file cannot crash us).
    DatasetReadOptions peekOptions;
    peekOptions.h5ad = peek;
    const Dataset meta = readDataset(input, peekOptions);
    if (meta.source.format != "h5ad")
        throw Error(input + ": is not an .h5ad file; only .h5ad files can be copied with annotations");
    checkAdditions(additions, static_cast<std::int64_t>(meta.cellIds.size()), input);
    if (meta.source.generation == "anndata < 0.7") {
        // Compound tables cannot take modern columns: rewrite in the modern layout.
        Dataset full = readDataset(input);
        full.source.path.clear();
        H5adWriteOptions o = options;
        o.overwrite = true;
        writeH5ad(full, output, additions, o);
        return;
    }

    AtomicFile tmp(output);
    // The copy walks every element of the untrusted input through libhdf5, so it runs in another process too (60 s
    // + 1 s per 20 MB). The additions are then written here, into the copy our library has just written (fresh
    // headers and heaps), and the finished file replaces the output only when both succeeded.
    const int timeout = io::isolationTimeout(input, 60, std::uint64_t(20) << 20);
    io::runIsolated(input, {"copy", input, tmp.path(), output, std::to_string(options.compressionLevel)}, timeout);
    {
        h5::Node file = h5::openFileForWriting(tmp.path());
        const Out out {output, options.compressionLevel};
        const hid_t root = file.id();
        // obs: drop the replaced columns (and their 0.7 category lists), write ours, extend column-order.
        {
            Handle obs(H5Gopen2(root, "obs", H5P_DEFAULT), H5Gclose);
            if (!obs)
                out.fail("obs (not a group)");
            const bool hasCats = H5Lexists(obs.get(), "__categories", H5P_DEFAULT) > 0;
            for (const auto &c : additions.obs) {
                removeIfPresent(obs.get(), c.name);
                if (hasCats) {
                    Handle cats(H5Gopen2(obs.get(), "__categories", H5P_DEFAULT), H5Gclose);
                    removeIfPresent(cats.get(), c.name);
                }
                writeColumn(out, obs.get(), c);
            }
            std::vector<std::string> order = file.open("obs").attrStrings("column-order");
            for (const auto &c : additions.obs)
                if (std::find(order.begin(), order.end(), c.name) == order.end())
                    order.push_back(c.name);
            setAttrStrings(out, obs.get(), "column-order", order);
        }
        {
            if (H5Lexists(root, "obsm", H5P_DEFAULT) <= 0)
                createGroup(out, root, "obsm");
            Handle obsm(H5Gopen2(root, "obsm", H5P_DEFAULT), H5Gclose);
            if (!obsm)
                out.fail("obsm (not a group)");
            for (const auto &a : additions.obsm) {
                removeIfPresent(obsm.get(), a.name);
                writeDense(out, obsm.get(), a);
            }
        }
        writeUns(out, root, additions);
        // Only a file that reached the disk completely replaces anything.
        if (H5Fflush(root, H5F_SCOPE_GLOBAL) < 0 || !file.close())
            out.fail("the file (writing it to disk failed; is the disk full?)");
    }
    tmp.commit();
}

}   // namespace nym
