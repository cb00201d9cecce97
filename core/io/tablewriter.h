#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nym {

enum class TableFormat { Csv, Tsv };

// One column of a per-cell table: text or numbers (NaN is written as an empty field).
struct TableColumn
{
    std::string name;
    bool numeric = false;
    std::vector<std::string> text;
    std::vector<double> numbers;

    std::size_t size() const { return numeric ? numbers.size() : text.size(); }
    static TableColumn ofText(std::string name, std::vector<std::string> values);
    static TableColumn ofNumbers(std::string name, std::vector<double> values);
};

struct TableWriteOptions
{
    // CSV or TSV. Default: from the file name (".tsv"/".tab"/".txt" → TSV, anything else CSV).
    std::optional<TableFormat> format;
    // Replace an existing file. Default false.
    bool overwrite = false;
};

// Quotes one field for the given delimiter (RFC 4180: fields holding the delimiter, a quote, CR or LF, or leading
// or trailing spaces are wrapped in double quotes with inner quotes doubled). UTF-8 passes through unchanged.
std::string quoteField(std::string_view field, char delimiter);

TableFormat tableFormatForPath(const std::string &path);

// Writes the columns (all the same length) as a table with a header row, atomically (temporary file + rename).
// Numbers use the shortest text that reads back to the same double. Throws nym::Error on any problem.
void writeTable(
    const std::string &path, const std::vector<TableColumn> &columns, const TableWriteOptions &options = {});

}   // namespace nym
