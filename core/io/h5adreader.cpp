#include "core/io/h5adreader.h"

#include "core/common/error.h"
#include "core/io/h5_p.h"
#include "core/io/matrixread_p.h"

#include <algorithm>
#include <cmath>
#include <regex>
#include <set>

namespace nym {

namespace {

using h5::Node;

enum class Generation { Modern, V07, Legacy };

std::string describe(Generation g)
{
    switch (g) {
    case Generation::Modern: return "anndata >= 0.8";
    case Generation::V07: return "anndata 0.7";
    case Generation::Legacy: return "anndata < 0.7";
    }
    return "";
}

struct Frame
{
    std::vector<std::string> index;
    std::vector<ObsColumn> columns;
};

void checkLength(const Node &node, std::uint64_t len, std::size_t expected)
{
    if (len != expected)
        node.fail("has " + std::to_string(len) + " values but the table has " + std::to_string(expected) + " rows");
}

// Mask arrays are stored as HDF5 booleans (enums) or small integers.
std::vector<double> readMask(const Node &node)
{
    return node.typeClass() == H5T_ENUM ? node.readEnumBools() : node.readDoubles();
}

std::optional<ObsColumn> readGroupColumn(
    const Node &node, const std::string &name, std::size_t n, std::vector<std::string> &notes)
{
    const auto enc = node.attrString("encoding-type").value_or("");
    ObsColumn col;
    col.name = name;
    if (enc == "categorical") {
        const Node codesNode = node.open("codes");
        const Node catNode = node.open("categories");
        checkLength(codesNode, codesNode.length(), n);
        const auto codes = codesNode.readInt64();
        col.kind = ObsColumn::Kind::Categorical;
        col.categories = catNode.readStrings();
        const auto ordered = node.attrStrings("ordered");
        col.ordered = !ordered.empty()
            && (ordered[0] == "1" || ordered[0] == "True" || ordered[0] == "TRUE" || ordered[0] == "true");
        col.codes.reserve(n);
        for (std::size_t i = 0; i < codes.size(); ++i) {
            if (codes[i] < -1 || codes[i] >= static_cast<std::int64_t>(col.categories.size()))
                codesNode.fail("code " + std::to_string(codes[i]) + " at row " + std::to_string(i) + " is outside its "
                    + std::to_string(col.categories.size()) + " categories");
            col.codes.push_back(static_cast<std::int32_t>(codes[i]));
        }
        return col;
    }
    if (enc == "nullable-integer" || enc == "nullable-boolean" || enc == "nullable-string-array") {
        const Node values = node.open("values");
        const Node maskNode = node.open("mask");
        checkLength(values, values.length(), n);
        checkLength(maskNode, maskNode.length(), n);
        const auto mask = readMask(maskNode);
        if (enc == "nullable-string-array") {
            col.kind = ObsColumn::Kind::String;
            col.strings = values.readStrings();
            for (std::size_t i = 0; i < n; ++i)
                if (mask[i] != 0)
                    col.strings[i].clear();
            return col;
        }
        col.kind = enc == "nullable-boolean" ? ObsColumn::Kind::Boolean : ObsColumn::Kind::Numeric;
        col.numbers = values.typeClass() == H5T_ENUM ? values.readEnumBools() : values.readDoubles();
        for (std::size_t i = 0; i < n; ++i)
            if (mask[i] != 0)
                col.numbers[i] = std::nan("");
        return col;
    }
    notes.push_back(
        "Skipped column '" + name + "' (" + node.path() + "): encoding '" + enc + "' is not a per-cell value.");
    return std::nullopt;
}

std::optional<ObsColumn> readDatasetColumn(
    const Node &node, const std::string &name, std::size_t n, std::vector<std::string> &notes)
{
    const auto shape = node.shape();
    if (shape.size() != 1) {
        notes.push_back("Skipped column '" + name + "' (" + node.path() + "): it is not one-dimensional.");
        return std::nullopt;
    }
    checkLength(node, shape[0], n);
    ObsColumn col;
    col.name = name;
    // anndata 0.7: integer codes with an object reference to their categories.
    if (auto cats = node.attrReference("categories")) {
        const auto codes = node.readInt64();
        col.kind = ObsColumn::Kind::Categorical;
        col.categories = cats->readStrings();
        for (std::size_t i = 0; i < codes.size(); ++i) {
            if (codes[i] < -1 || codes[i] >= static_cast<std::int64_t>(col.categories.size()))
                node.fail("code " + std::to_string(codes[i]) + " at row " + std::to_string(i) + " is outside its "
                    + std::to_string(col.categories.size()) + " categories");
            col.codes.push_back(static_cast<std::int32_t>(codes[i]));
        }
        return col;
    }
    switch (node.typeClass()) {
    case H5T_STRING:
        col.kind = ObsColumn::Kind::String;
        col.strings = node.readStrings();
        return col;
    case H5T_INTEGER:
    case H5T_FLOAT:
        col.kind = ObsColumn::Kind::Numeric;
        col.numbers = node.readDoubles();
        return col;
    case H5T_ENUM:
        col.kind = ObsColumn::Kind::Boolean;
        col.numbers = node.readEnumBools();
        return col;
    default:
        notes.push_back("Skipped column '" + name + "' (" + node.path() + "): " + node.describeType() + " data.");
        return std::nullopt;
    }
}

// obs/var as an anndata dataframe group (0.7 and later).
Frame readFrameGroup(const Node &df, std::vector<std::string> &notes)
{
    Frame f;
    const auto indexName = df.attrString("_index").value_or("_index");
    const Node indexNode = df.open(indexName);
    f.index = indexNode.readStrings();
    std::vector<std::string> order = df.attrStrings("column-order");
    if (!df.hasAttr("column-order")) {
        for (const auto &c : df.children())
            if (c != indexName && c != "__categories")
                order.push_back(c);
    }
    for (const auto &name : order) {
        if (name == indexName)
            continue;
        const Node node = df.open(name);
        auto col = node.isGroup() ? readGroupColumn(node, name, f.index.size(), notes)
                                  : readDatasetColumn(node, name, f.index.size(), notes);
        if (col)
            f.columns.push_back(std::move(*col));
    }
    return f;
}

// obs/var as an HDF5 compound dataset (anndata < 0.7); categories in uns/<column>_categories.
Frame readFrameCompound(const Node &df, const Node &root, std::vector<std::string> &notes)
{
    Frame f;
    const auto fields = df.fieldNames();
    if (std::find(fields.begin(), fields.end(), "index") == fields.end())
        df.fail("this old-style table has no 'index' field");
    f.index = df.readFieldStrings("index");
    for (const auto &field : fields) {
        if (field == "index")
            continue;
        ObsColumn col;
        col.name = field;
        const auto cls = df.fieldClass(field);
        if (cls == H5T_STRING) {
            col.kind = ObsColumn::Kind::String;
            col.strings = df.readFieldStrings(field);
        } else if (cls == H5T_INTEGER || cls == H5T_FLOAT) {
            const auto values = df.readFieldDoubles(field);
            const std::string catPath = "uns/" + field + "_categories";
            if (cls == H5T_INTEGER && root.has(catPath)) {
                col.kind = ObsColumn::Kind::Categorical;
                col.categories = root.open(catPath).readStrings();
                for (std::size_t i = 0; i < values.size(); ++i) {
                    if (values[i] < -1 || values[i] >= static_cast<double>(col.categories.size()))
                        df.fail("field '" + field + "': code " + std::to_string(static_cast<long long>(values[i]))
                            + " at row " + std::to_string(i) + " is outside its "
                            + std::to_string(col.categories.size()) + " categories");
                    col.codes.push_back(static_cast<std::int32_t>(values[i]));
                }
            } else {
                col.kind = ObsColumn::Kind::Numeric;
                col.numbers = values;
            }
        } else if (cls == H5T_ENUM) {
            notes.push_back("Skipped column '" + field + "' of " + df.path() + ": enumeration field.");
            continue;
        } else {
            notes.push_back("Skipped column '" + field + "' of " + df.path() + ": unsupported field type.");
            continue;
        }
        f.columns.push_back(std::move(col));
    }
    return f;
}

Frame readFrame(const Node &df, const Node &root, std::vector<std::string> &notes)
{
    if (df.isGroup())
        return readFrameGroup(df, notes);
    if (df.typeClass() == H5T_COMPOUND)
        return readFrameCompound(df, root, notes);
    df.fail("is neither a dataframe group nor an old-style table");
}

std::vector<std::string> textColumns(const Frame &f)
{
    std::vector<std::string> out;
    for (const auto &c : f.columns)
        if (c.kind == ObsColumn::Kind::String || c.kind == ObsColumn::Kind::Categorical)
            out.push_back(c.name);
    return out;
}

bool looksLikeEnsembl(const std::vector<std::string> &names)
{
    static const std::regex re("^ENS[A-Z]*G[0-9]{6,}(\\.[0-9]+)?$");
    std::size_t hits = 0, n = std::min<std::size_t>(names.size(), 200);
    for (std::size_t i = 0; i < n; ++i)
        hits += std::regex_match(names[i * names.size() / std::max<std::size_t>(n, 1)], re) ? 1 : 0;
    return n > 0 && hits * 2 > n;
}

// The matrix element for the chosen source, and where its genes are described.
struct Source
{
    std::optional<Node> matrix;
    std::string varPath;
    std::string label;
};

Source resolveSource(const Node &root, const std::string &choice, Generation gen)
{
    Source s;
    s.label = choice;
    if (choice == "X") {
        s.matrix = root.tryOpen("X");
        s.varPath = "var";
    } else if (choice == "raw/X" || choice == "raw.X" || choice == "raw") {
        s.label = "raw/X";
        if (root.has("raw/X")) {
            s.matrix = root.open("raw/X");
            s.varPath = "raw/var";
        } else if (root.has("raw.X")) {
            s.matrix = root.open("raw.X");
            s.varPath = "raw.var";
        } else {
            throw Error(root.file() + ": has no raw/X matrix");
        }
    } else if (choice.rfind("layers/", 0) == 0 && choice.size() > 7) {
        if (!root.has(choice))
            throw Error(root.file() + ": has no matrix '" + choice + "'");
        s.matrix = root.open(choice);
        s.varPath = "var";
    } else {
        throw Error("unknown matrix '" + choice + "': choose X, raw/X or layers/NAME");
    }
    (void)gen;
    return s;
}

std::vector<std::string> listMatrices(const Node &root)
{
    std::vector<std::string> out;
    if (root.has("X"))
        out.push_back("X");
    if (auto layers = root.tryOpen("layers"); layers && layers->isGroup())
        for (const auto &l : layers->children())
            out.push_back("layers/" + l);
    if (root.has("raw/X") || root.has("raw.X"))
        out.push_back("raw/X");
    return out;
}

CellMatrix readMatrix(const Node &m, std::int64_t rows, std::int64_t cols, const io::MatrixNames &names)
{
    if (m.isDataset()) {
        const auto s = m.shape();
        if (s.size() != 2)
            m.fail("expected a two-dimensional matrix but found " + std::to_string(s.size()) + " dimensions");
        if (static_cast<std::int64_t>(s[0]) != rows || static_cast<std::int64_t>(s[1]) != cols)
            m.fail("shape [" + std::to_string(s[0]) + ", " + std::to_string(s[1]) + "] does not match the "
                + std::to_string(rows) + " cells × " + std::to_string(cols) + " genes of obs and var");
        return io::readDense(m, rows, cols, names);
    }
    auto enc = m.attrString("encoding-type").value_or("");
    std::vector<std::int64_t> shape = m.attrInts("shape");
    if (enc.empty()) {
        enc = m.attrString("h5sparse_format").value_or("");
        if (!enc.empty())
            enc += "_matrix";
        shape = m.attrInts("h5sparse_shape");
    }
    if (enc != "csr_matrix" && enc != "csc_matrix")
        m.fail(enc.empty() ? "is a group but not a sparse matrix (no encoding-type)"
                           : "encoding '" + enc + "' is not a matrix Nym Studio can read");
    if (shape.size() != 2)
        m.fail("the 'shape' attribute should hold two numbers");
    if (shape[0] != rows || shape[1] != cols)
        m.fail("shape [" + std::to_string(shape[0]) + ", " + std::to_string(shape[1]) + "] does not match the "
            + std::to_string(rows) + " cells × " + std::to_string(cols) + " genes of obs and var");
    return enc == "csr_matrix" ? io::readCompressedRows(m, rows, cols, names)
                               : io::readCompressedColumns(m, rows, cols, names);
}

void readObsm(const Node &root, Generation gen, std::size_t nCells, Dataset &ds)
{
    auto obsm = root.tryOpen("obsm");
    if (!obsm)
        return;
    if (gen == Generation::Legacy && obsm->isDataset()) {
        if (obsm->typeClass() != H5T_COMPOUND)
            return;
        checkLength(*obsm, obsm->length(), nCells);
        for (const auto &field : obsm->fieldNames()) {
            if (obsm->fieldClass(field) != H5T_ARRAY)
                continue;
            std::uint64_t k = 0;
            DenseArray a;
            a.name = field;
            a.values = obsm->readFieldArray(field, k);
            a.rows = static_cast<std::int64_t>(nCells);
            a.cols = static_cast<std::int64_t>(k);
            ds.obsm.push_back(std::move(a));
        }
        return;
    }
    if (!obsm->isGroup())
        return;
    for (const auto &name : obsm->children()) {
        const Node node = obsm->open(name);
        if (!node.isDataset() || !node.isNumeric() || node.shape().size() != 2) {
            ds.notes.push_back("Skipped obsm '" + name + "': not a two-dimensional numeric array.");
            continue;
        }
        const auto s = node.shape();
        if (s[0] != nCells)
            node.fail("has " + std::to_string(s[0]) + " rows but there are " + std::to_string(nCells) + " cells");
        DenseArray a;
        a.name = name;
        a.rows = static_cast<std::int64_t>(s[0]);
        a.cols = static_cast<std::int64_t>(s[1]);
        if (s[1] > 0 && s[0] > h5::maxReadBytes() / 4 / s[1])
            node.fail("is too large for this machine's memory");
        a.values.resize(s[0] * s[1]);
        node.readRows(0, s[0], a.values.data());
        for (float v : a.values)
            if (!std::isfinite(v)) {
                ds.notes.push_back("obsm '" + name + "' holds NaN or infinite values.");
                break;
            }
        ds.obsm.push_back(std::move(a));
    }
}

}   // namespace

Dataset readH5ad(const std::string &path, const H5adReadOptions &options)
{
    std::lock_guard lock(h5::libraryMutex());
    const Node root = h5::openFile(path);
    Dataset ds;
    ds.source.path = path;
    ds.source.format = "h5ad";

    auto obsNode = root.tryOpen("obs");
    if (!obsNode)
        throw Error(path + ": has no obs table, so it is not an AnnData (.h5ad) file"
            + std::string(root.has("matrix") ? "; it looks like a 10x .h5 file" : ""));
    Generation gen = Generation::Modern;
    if (root.attrString("encoding-type").value_or("") != "anndata")
        gen = obsNode->isGroup() ? Generation::V07 : Generation::Legacy;
    ds.source.generation = describe(gen);

    Frame obs = readFrame(*obsNode, root, ds.notes);
    ds.cellIds = std::move(obs.index);
    ds.obs = std::move(obs.columns);
    // scanpy keeps a categorical column's colours in uns/<column>_colors (one "#rrggbb" per category); kept when
    // the count matches, ignored otherwise (a stale palette must not colour the wrong categories).
    for (ObsColumn &col : ds.obs) {
        if (col.kind != ObsColumn::Kind::Categorical || !root.has("uns/" + col.name + "_colors"))
            continue;
        try {
            auto colors = root.open("uns/" + col.name + "_colors").readStrings();
            if (colors.size() == col.categories.size())
                col.colors = std::move(colors);
        } catch (const Error &) {
            ds.notes.push_back("Ignored uns/" + col.name + "_colors: not a list of colours.");
        }
    }

    Source src = resolveSource(root, options.matrix, gen);
    ds.source.matrixElement = src.label;
    ds.source.matrices = listMatrices(root);
    auto varNode = root.tryOpen(src.varPath);
    if (!varNode)
        throw Error(path + ": has no " + src.varPath + " table describing the genes");
    Frame var = readFrame(*varNode, root, ds.notes);
    ds.geneIds = var.index;
    ds.source.varColumns = textColumns(var);

    // Gene names: an explicit column, a symbol column next to an Ensembl index, or the index.
    const ObsColumn *nameCol = nullptr;
    if (options.geneNameColumn && !options.geneNameColumn->empty() && *options.geneNameColumn != "_index"
        && *options.geneNameColumn != "index") {
        for (const auto &c : var.columns)
            if (c.name == *options.geneNameColumn)
                nameCol = &c;
        if (!nameCol) {
            std::string avail;
            for (const auto &c : ds.source.varColumns)
                avail += (avail.empty() ? "" : ", ") + c;
            throw Error(path + ": " + src.varPath + " has no column '" + *options.geneNameColumn
                + "' (text columns: " + (avail.empty() ? "none" : avail) + ")");
        }
    } else if (!options.geneNameColumn && looksLikeEnsembl(var.index)) {
        for (const char *cand : {"feature_name", "gene_symbols", "gene_symbol", "gene_name", "gene_names", "symbol"})
            for (const auto &c : var.columns)
                if (!nameCol && c.name == cand
                    && (c.kind == ObsColumn::Kind::String || c.kind == ObsColumn::Kind::Categorical))
                    nameCol = &c;
    }
    if (nameCol) {
        ds.geneNames.resize(var.index.size());
        for (std::size_t i = 0; i < var.index.size(); ++i)
            ds.geneNames[i] = nameCol->text(static_cast<std::int64_t>(i));
        ds.geneNameSource = src.varPath + "/" + nameCol->name;
    } else {
        ds.geneNames = var.index;
        ds.geneNameSource = src.varPath + " index";
    }

    const auto rows = static_cast<std::int64_t>(ds.cellIds.size());
    const auto cols = static_cast<std::int64_t>(ds.geneIds.size());
    if (!options.loadMatrix) {
        if (src.matrix)
            io::checkMatrixStructure(*src.matrix);
        ds.matrix = CellMatrix(rows, cols);
    } else if (!src.matrix) {
        ds.matrix = CellMatrix(rows, cols);
        ds.notes.push_back(
            "The file holds no X matrix" + std::string(ds.source.matrices.empty() ? "." : "; it offers: ") + [&] {
                std::string s;
                for (const auto &m : ds.source.matrices)
                    s += (s.empty() ? "" : ", ") + m;
                return s;
            }());
        ds.source.matrixElement.clear();
    } else {
        ds.matrix = readMatrix(*src.matrix, rows, cols, io::MatrixNames {&ds.cellIds, &ds.geneNames});
    }
    if (options.loadObsm)
        readObsm(root, gen, ds.cellIds.size(), ds);
    ds.validate();
    return ds;
}

}   // namespace nym
