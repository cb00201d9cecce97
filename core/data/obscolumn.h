#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace nym {

// One per-cell (obs) or per-gene (var) annotation column as read from a file, whatever its on-disk encoding.
// Plain value type; any thread.
struct ObsColumn
{
    enum class Kind { Categorical, Numeric, Boolean, String };

    std::string name;
    Kind kind = Kind::Numeric;
    bool ordered = false;                  // Categorical: the categories carry an order
    std::vector<std::string> categories;   // Categorical: the category names
    std::vector<std::int32_t> codes;       // Categorical: index into categories, -1 = missing
    std::vector<double> numbers;           // Numeric and Boolean (0/1): NaN = missing
    std::vector<std::string> strings;      // String
    std::vector<std::string> colors;       // Categorical: the file's colour per category ("#rrggbb"), or empty

    std::int64_t size() const;
    // The value of one entry as text ("" when missing).
    std::string text(std::int64_t i) const;
    // A categorical view: Categorical returns itself; String and Boolean are turned into categories
    // (sorted, missing = -1); Numeric ones too, each distinct value a category.
    ObsColumn asCategorical() const;
    // Number of distinct non-missing values.
    std::int64_t distinctCount() const;

    static ObsColumn categorical(
        std::string name, std::vector<std::string> categories, std::vector<std::int32_t> codes);
    static ObsColumn numeric(std::string name, std::vector<double> values);
    // Builds a categorical column from labels (categories in first-seen order unless `sorted`).
    static ObsColumn fromLabels(std::string name, const std::vector<std::string> &labels, bool sorted = false);
};

}   // namespace nym
