#include "core/io/tablewriter.h"

#include "core/common/atomicfile.h"
#include "core/common/error.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <memory>

namespace nym {

TableColumn TableColumn::ofText(std::string name, std::vector<std::string> values)
{
    TableColumn c;
    c.name = std::move(name);
    c.text = std::move(values);
    return c;
}

TableColumn TableColumn::ofNumbers(std::string name, std::vector<double> values)
{
    TableColumn c;
    c.name = std::move(name);
    c.numeric = true;
    c.numbers = std::move(values);
    return c;
}

std::string quoteField(std::string_view field, char delimiter)
{
    const bool needs = field.find_first_of(std::string {delimiter, '"', '\r', '\n'}) != std::string_view::npos
        || (!field.empty() && (field.front() == ' ' || field.back() == ' '));
    if (!needs)
        return std::string(field);
    std::string out = "\"";
    for (char ch : field) {
        if (ch == '"')
            out += '"';
        out += ch;
    }
    out += '"';
    return out;
}

TableFormat tableFormatForPath(const std::string &path)
{
    auto lower = path;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    for (const char *ext : {".tsv", ".tab", ".txt"})
        if (lower.size() >= 4 && lower.compare(lower.size() - 4, 4, ext) == 0)
            return TableFormat::Tsv;
    return TableFormat::Csv;
}

void writeTable(const std::string &path, const std::vector<TableColumn> &columns, const TableWriteOptions &options)
{
    checkOutputPath({}, path, options.overwrite, false);
    if (columns.empty())
        throw Error(path + ": no columns to write");
    const auto rows = columns.front().size();
    for (const auto &c : columns)
        if (c.size() != rows)
            throw Error(path + ": column '" + c.name + "' has " + std::to_string(c.size()) + " values, the first has "
                + std::to_string(rows));
    const char delim = options.format.value_or(tableFormatForPath(path)) == TableFormat::Tsv ? '\t' : ',';

    AtomicFile tmp(path);
    std::unique_ptr<FILE, int (*)(FILE *)> f(std::fopen(tmp.path().c_str(), "wb"), &std::fclose);
    if (!f)
        throw Error(path + ": cannot create the file (check the folder and permissions)");
    std::string line;
    for (std::size_t j = 0; j < columns.size(); ++j) {
        if (j)
            line += delim;
        line += quoteField(columns[j].name, delim);
    }
    line += '\n';
    char buf[64];
    for (std::size_t i = 0; i <= rows; ++i) {
        if (i > 0) {
            line.clear();
            for (std::size_t j = 0; j < columns.size(); ++j) {
                if (j)
                    line += delim;
                const auto &c = columns[j];
                if (c.numeric) {
                    const double v = c.numbers[i - 1];
                    if (!std::isnan(v)) {
                        auto r = std::to_chars(buf, buf + sizeof buf, v);
                        line.append(buf, r.ptr);
                    }
                } else {
                    line += quoteField(c.text[i - 1], delim);
                }
            }
            line += '\n';
        }
        if (std::fwrite(line.data(), 1, line.size(), f.get()) != line.size())
            throw Error(path + ": write failed (disk full?)");
    }
    if (std::fflush(f.get()) != 0 || std::fclose(f.release()) != 0)
        throw Error(path + ": write failed (disk full?)");
    tmp.commit();
}

}   // namespace nym
