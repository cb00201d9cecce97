#include "core/io/modelfile.h"

#include "core/common/atomicfile.h"
#include "core/common/error.h"
#include "core/io/h5_p.h"
#include "core/io/h5write_p.h"

#include <mutex>

// Layout (all arrays 1-D):
//   /                    attrs nym_model_format (int64), created_by (string)
//   /genes /classes /domains /training_files            string arrays
//   /normalization /label_column /options_json          string arrays of length 1
//   /temperature                                         float64 [1]
//   /class_prior                                         float64 [classes] (optional: training class shares)
//   /linear_member                                       float64 [2]: share, temperature (optional, format 2)
//   /metric_names (strings) /metric_values (float64)
//   /weights/<name>      float32, flattened row-major, attr shape (int64 array)

namespace nym {

namespace {

using namespace h5w;

std::string readOne(const h5::Node &root, const std::string &name)
{
    const auto v = root.open(name).readStrings();
    if (v.size() != 1)
        root.open(name).fail("should hold exactly one text value");
    return v[0];
}

}   // namespace

void saveModel(const Model &model, const std::string &path, bool overwrite)
{
    checkOutputPath("", path, overwrite, false);
    const auto &c = model.contents();
    std::lock_guard lock(h5::libraryMutex());
    AtomicFile tmp(path);
    {
        h5::Node file = h5::createFile(tmp.path());
        const Out out {path, 4};
        const hid_t root = file.id();
        setAttrInts(out, root, "nym_model_format", {Model::kFormatVersion});
        setAttr(out, root, "created_by", c.createdBy);
        writeStringArray(out, root, "genes", c.genes);
        writeStringArray(out, root, "classes", c.classes);
        writeStringArray(out, root, "domains", c.domains);
        writeStringArray(out, root, "training_files", c.trainingFiles);
        writeStringArray(out, root, "normalization", {c.normalization});
        writeStringArray(out, root, "label_column", {c.labelColumn});
        writeStringArray(out, root, "options_json", {trainOptionsToJson(c.options)});
        writeArray(out, root, "temperature", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, std::vector<double> {c.temperature});
        if (!c.classPrior.empty())
            writeArray(out, root, "class_prior", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, c.classPrior);
        if (c.linearShare > 0)
            writeArray(out, root, "linear_member", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE,
                std::vector<double> {c.linearShare, c.linearTemperature});
        std::vector<std::string> names;
        std::vector<double> values;
        for (const auto &[k, v] : c.metrics) {
            names.push_back(k);
            values.push_back(v);
        }
        writeStringArray(out, root, "metric_names", names);
        writeArray(out, root, "metric_values", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, values);
        Handle weights = createGroup(out, root, "weights", nullptr);
        for (const auto &w : c.weights) {
            writeArray(out, weights.get(), w.name, H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, w.values);
            Handle ds(H5Dopen2(weights.get(), w.name.c_str(), H5P_DEFAULT), H5Dclose);
            setAttrInts(out, ds.get(), "shape", w.shape);
        }
        if (H5Fflush(root, H5F_SCOPE_GLOBAL) < 0 || !file.close())
            out.fail("the model (writing it to disk failed; is the disk full?)");
    }
    tmp.commit();
}

Model loadModel(const std::string &path)
{
    std::lock_guard lock(h5::libraryMutex());
    h5::Node root = h5::openFile(path);
    const auto format = root.attrInts("nym_model_format");
    if (format.size() != 1)
        throw Error(path + ": not a Nym Studio model file (no nym_model_format attribute).");
    if (format[0] > Model::kFormatVersion || format[0] < 1)
        throw Error(path + ": model format " + std::to_string(format[0]) + " is newer than this Nym Studio reads ("
            + std::to_string(Model::kFormatVersion) + "); update Nym Studio.");
    Model::Contents c;
    try {
        c.createdBy = root.attrString("created_by").value_or("");
        c.genes = root.open("genes").readStrings();
        c.classes = root.open("classes").readStrings();
        c.domains = root.open("domains").readStrings();
        c.trainingFiles = root.open("training_files").readStrings();
        c.normalization = readOne(root, "normalization");
        c.labelColumn = readOne(root, "label_column");
        const std::string optionsJson = readOne(root, "options_json");
        c.options = trainOptionsFromJson(optionsJson);
        if (optionsJson.find("\"weightAveraging\"") == std::string::npos)
            c.options.weightAveraging = false;   // written before the option existed: the best epoch was kept
        if (optionsJson.find("\"targetPartnerRamp\"") == std::string::npos)
            c.options.targetPartnerRamp = false;   // written before the option existed: no ramp
        const auto t = root.open("temperature").readDoubles();
        if (t.size() != 1)
            root.open("temperature").fail("should hold one number");
        c.temperature = t[0];
        if (const auto prior = root.tryOpen("class_prior"))
            c.classPrior = prior->readDoubles();
        if (const auto linear = root.tryOpen("linear_member")) {
            const auto v = linear->readDoubles();
            if (v.size() != 2)
                linear->fail("should hold two numbers (share, temperature)");
            c.linearShare = v[0];
            c.linearTemperature = v[1];
        }
        const auto names = root.open("metric_names").readStrings();
        const auto values = root.open("metric_values").readDoubles();
        if (names.size() != values.size())
            root.open("metric_values").fail("does not match metric_names in length");
        for (std::size_t i = 0; i < names.size(); ++i)
            c.metrics.emplace_back(names[i], values[i]);
        const h5::Node weights = root.open("weights");
        for (const auto &name : weights.children()) {
            const h5::Node ds = weights.open(name);
            NamedArray w;
            w.name = name;
            w.shape = ds.attrInts("shape");
            const auto n = ds.length();
            w.values.resize(n);
            ds.readRange(0, n, w.values.data());
            c.weights.push_back(std::move(w));
        }
    } catch (const Error &e) {
        throw Error(std::string(e.what()) + " (in the model file)");
    }
    if (c.normalization != "log1p(CPM)")
        throw Error(path + ": the model expects '" + c.normalization + "' input, which this version cannot produce.");
    try {
        return Model(std::move(c));
    } catch (const Error &e) {
        throw Error(path + ": " + e.what());
    }
}

}   // namespace nym
