#include "core/data/obscolumn.h"

#include "core/common/error.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <set>

namespace nym {

std::int64_t ObsColumn::size() const
{
    switch (kind) {
    case Kind::Categorical: return static_cast<std::int64_t>(codes.size());
    case Kind::String: return static_cast<std::int64_t>(strings.size());
    case Kind::Numeric:
    case Kind::Boolean: break;
    }
    return static_cast<std::int64_t>(numbers.size());
}

static std::string formatNumber(double v)
{
    if (std::isnan(v))
        return {};
    char buf[64];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    return std::string(buf, r.ptr);
}

std::string ObsColumn::text(std::int64_t i) const
{
    switch (kind) {
    case Kind::Categorical: {
        const auto c = codes.at(static_cast<std::size_t>(i));
        return c < 0 ? std::string() : categories.at(static_cast<std::size_t>(c));
    }
    case Kind::String: return strings.at(static_cast<std::size_t>(i));
    case Kind::Boolean: {
        const double v = numbers.at(static_cast<std::size_t>(i));
        return std::isnan(v) ? std::string() : (v != 0 ? "True" : "False");
    }
    case Kind::Numeric: break;
    }
    return formatNumber(numbers.at(static_cast<std::size_t>(i)));
}

ObsColumn ObsColumn::asCategorical() const
{
    if (kind == Kind::Categorical)
        return *this;
    const auto n = size();
    std::vector<std::string> labels(static_cast<std::size_t>(n));
    std::vector<bool> missing(static_cast<std::size_t>(n), false);
    for (std::int64_t i = 0; i < n; ++i) {
        labels[i] = text(i);
        missing[i] = (kind != Kind::String && std::isnan(numbers[i]));
    }
    ObsColumn out;
    out.name = name;
    out.kind = Kind::Categorical;
    if (kind == Kind::Numeric) {
        std::map<double, std::int32_t> index;
        for (std::int64_t i = 0; i < n; ++i)
            if (!missing[i])
                index.emplace(numbers[i], 0);
        std::int32_t k = 0;
        for (auto &[v, code] : index) {
            code = k++;
            out.categories.push_back(formatNumber(v));
        }
        out.codes.resize(static_cast<std::size_t>(n));
        for (std::int64_t i = 0; i < n; ++i)
            out.codes[i] = missing[i] ? -1 : index[numbers[i]];
        return out;
    }
    std::set<std::string> distinct;
    for (std::int64_t i = 0; i < n; ++i)
        if (!missing[i])
            distinct.insert(labels[i]);
    out.categories.assign(distinct.begin(), distinct.end());
    out.codes.resize(static_cast<std::size_t>(n));
    for (std::int64_t i = 0; i < n; ++i) {
        if (missing[i]) {
            out.codes[i] = -1;
            continue;
        }
        auto it = std::lower_bound(out.categories.begin(), out.categories.end(), labels[i]);
        out.codes[i] = static_cast<std::int32_t>(it - out.categories.begin());
    }
    return out;
}

std::int64_t ObsColumn::distinctCount() const
{
    if (kind == Kind::Categorical) {
        std::vector<bool> used(categories.size(), false);
        for (auto c : codes)
            if (c >= 0)
                used[static_cast<std::size_t>(c)] = true;
        return std::count(used.begin(), used.end(), true);
    }
    if (kind == Kind::String)
        return static_cast<std::int64_t>(std::set<std::string>(strings.begin(), strings.end()).size());
    std::set<double> s;
    for (double v : numbers)
        if (!std::isnan(v))
            s.insert(v);
    return static_cast<std::int64_t>(s.size());
}

ObsColumn ObsColumn::categorical(std::string name, std::vector<std::string> categories, std::vector<std::int32_t> codes)
{
    for (auto c : codes)
        if (c < -1 || c >= static_cast<std::int64_t>(categories.size()))
            throw Error("column '" + name + "': code " + std::to_string(c) + " outside its "
                + std::to_string(categories.size()) + " categories");
    ObsColumn col;
    col.name = std::move(name);
    col.kind = Kind::Categorical;
    col.categories = std::move(categories);
    col.codes = std::move(codes);
    return col;
}

ObsColumn ObsColumn::numeric(std::string name, std::vector<double> values)
{
    ObsColumn col;
    col.name = std::move(name);
    col.kind = Kind::Numeric;
    col.numbers = std::move(values);
    return col;
}

ObsColumn ObsColumn::fromLabels(std::string name, const std::vector<std::string> &labels, bool sorted)
{
    ObsColumn col;
    col.name = std::move(name);
    col.kind = Kind::Categorical;
    std::map<std::string, std::int32_t> index;
    if (sorted) {
        for (const auto &l : labels)
            index.emplace(l, 0);
        for (auto &[l, c] : index) {
            c = static_cast<std::int32_t>(col.categories.size());
            col.categories.push_back(l);
        }
    }
    col.codes.reserve(labels.size());
    for (const auto &l : labels) {
        auto [it, inserted] = index.emplace(l, static_cast<std::int32_t>(col.categories.size()));
        if (inserted)
            col.categories.push_back(l);
        col.codes.push_back(it->second);
    }
    return col;
}

}   // namespace nym
