#include "core/data/valuetype.h"

#include "core/data/cellmatrix.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <span>
#include <thread>
#include <vector>

namespace nym {

std::string toString(ValueType type)
{
    switch (type) {
    case ValueType::Empty: return "empty";
    case ValueType::RawCounts: return "raw counts";
    case ValueType::Log1pCounts: return "log1p counts";
    case ValueType::Log1pCP10k: return "log1p CP10k";
    case ValueType::Log1pCPM: return "log1p CPM";
    case ValueType::Other: return "other";
    }
    return "other";
}

static std::string fmt(double v)
{
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.4g", v);
    return buf;
}

// 1234567 → "1,234,567": counts in messages read better grouped.
static std::string grouped(std::int64_t v)
{
    std::string s = std::to_string(v);
    for (int i = static_cast<int>(s.size()) - 3; i > (v < 0 ? 1 : 0); i -= 3)
        s.insert(static_cast<std::size_t>(i), ",");
    return s;
}

namespace {

struct ValueStats
{
    std::int64_t nonFinite = 0, nonzero = 0, negative = 0, fractional = 0;
    float lo = std::numeric_limits<float>::infinity(), hi = -std::numeric_limits<float>::infinity();
};

ValueStats scanRange(const float *v, std::size_t n)
{
    // One pass (memory-bound: five separate passes took 5x the time), in blocks whose 32-bit counters the compiler
    // can keep in vector registers.
    ValueStats s;
    constexpr std::size_t block = std::size_t(1) << 20;
    for (std::size_t b0 = 0; b0 < n; b0 += block) {
        const std::size_t b1 = std::min(n, b0 + block);
        std::uint32_t nonFinite = 0, nonzero = 0, negative = 0, fractional = 0;
        float lo = s.lo, hi = s.hi;
        for (std::size_t i = b0; i < b1; ++i) {
            const float x = v[i];
            std::uint32_t bits;
            std::memcpy(&bits, &x, 4);
            const bool finite = (bits & 0x7f800000u) != 0x7f800000u;
            nonFinite += finite ? 0u : 1u;
            nonzero += (finite && x != 0.0f) ? 1u : 0u;
            negative += x < 0.0f ? 1u : 0u;
            // Whole up to 1e-3 (counts that went through float64 → float32); floats beyond 2^23 are all whole.
            // (c + 2^23) - 2^23 rounds c to the nearest integer in float arithmetic.
            const float ax = std::fabs(x);
            const float c = ax < 8388608.0f ? ax : 0.0f;
            const float nearest = (c + 8388608.0f) - 8388608.0f;
            fractional += std::fabs(c - nearest) > 1e-3f ? 1u : 0u;
            // Smallest and largest nonzero value (explicitly stored zeros do not count).
            const float forLo = x == 0.0f ? std::numeric_limits<float>::infinity() : x;
            const float forHi = x == 0.0f ? -std::numeric_limits<float>::infinity() : x;
            lo = forLo < lo ? forLo : lo;
            hi = forHi > hi ? forHi : hi;
        }
        s.nonFinite += nonFinite;
        s.nonzero += nonzero;
        s.negative += negative;
        s.fractional += fractional;
        s.lo = lo;
        s.hi = hi;
    }
    return s;
}

ValueStats scanValues(std::span<const float> values)
{
    const std::size_t n = values.size(), half = n / 2;
    if (n < (std::size_t(1) << 20))
        return scanRange(values.data(), n);
    ValueStats a;
    std::thread t([&] { a = scanRange(values.data(), half); });
    const ValueStats b = scanRange(values.data() + half, n - half);
    t.join();
    // When either half holds NaN or infinity, only nonFinite and nonzero are used (the type is then Other).
    ValueStats s;
    s.nonFinite = a.nonFinite + b.nonFinite;
    s.nonzero = a.nonzero + b.nonzero;
    s.negative = a.negative + b.negative;
    s.fractional = a.fractional + b.fractional;
    s.lo = std::min(a.lo, b.lo);
    s.hi = std::max(a.hi, b.hi);
    return s;
}

}   // namespace

ValueTypeReport detectValueType(const CellMatrix &matrix, const ValueTypeOptions &options)
{
    ValueTypeReport r;
    const auto values = matrix.values();
    r.storedValues = static_cast<std::int64_t>(values.size());
    // Simple passes the compiler vectorises, over two halves in parallel: they run over every stored value of
    // files with hundreds of millions.
    const ValueStats st = scanValues(values);
    const std::int64_t nonFinite = st.nonFinite, nonzero = st.nonzero, negative = st.negative;
    const std::int64_t fractional = st.fractional;
    const float lo = st.lo, hi = st.hi;
    r.nonFiniteValues = nonFinite;
    r.negativeValues = negative;
    const bool allInteger = fractional == 0;
    if (nonzero == 0 && r.nonFiniteValues == 0) {
        r.type = ValueType::Empty;
        r.evidence = "The matrix holds no nonzero values.";
        return r;
    }
    r.minValue = nonzero ? lo : 0;
    r.maxValue = nonzero ? hi : 0;
    r.allInteger = allInteger;
    if (r.nonFiniteValues > 0) {
        r.type = ValueType::Other;
        r.evidence = grouped(r.nonFiniteValues) + " values are NaN or infinite.";
        return r;
    }
    if (r.negativeValues > 0) {
        r.type = ValueType::Other;
        r.evidence = grouped(r.negativeValues) + " values are negative (smallest " + fmt(lo)
            + "): this looks like scaled or centred data, which cannot be turned back into counts.";
        return r;
    }
    if (allInteger) {
        r.type = ValueType::RawCounts;
        r.evidence = "All " + grouped(nonzero) + " nonzero values are whole numbers (largest " + fmt(hi) + ").";
        return r;
    }

    // Per-cell sums of expm1(x) over an even sample of non-empty cells.
    std::vector<std::int64_t> nonEmpty;
    for (std::int64_t c = 0; c < matrix.rows(); ++c)
        if (matrix.indptr()[c + 1] > matrix.indptr()[c])
            nonEmpty.push_back(c);
    const auto want = std::min<std::int64_t>(options.maxCellsSampled, static_cast<std::int64_t>(nonEmpty.size()));
    std::vector<double> sums;
    bool expm1Whole = true;
    for (std::int64_t i = 0; i < want; ++i) {
        const auto c = nonEmpty[static_cast<std::size_t>(i * static_cast<std::int64_t>(nonEmpty.size()) / want)];
        double s = 0;
        for (float v : matrix.rowValues(c)) {
            const double e = std::expm1(static_cast<double>(v));
            s += e;
            if (expm1Whole && std::fabs(e - std::nearbyint(e)) > 1e-2 * std::max(1.0, e))
                expm1Whole = false;
        }
        sums.push_back(s);
    }
    r.cellsSampled = want;
    std::vector<double> sorted = sums;
    std::nth_element(sorted.begin(), sorted.begin() + static_cast<std::ptrdiff_t>(sorted.size() / 2), sorted.end());
    const double median = sorted[sorted.size() / 2];
    r.medianExpm1Sum = median;
    const auto near = [&](double s, double target) { return std::fabs(s - target) <= options.sumTolerance * target; };
    std::int64_t atMedian = 0;
    double maxSum = 0;
    for (double s : sums) {
        atMedian += near(s, median) ? 1 : 0;
        maxSum = std::max(maxSum, s);
    }
    r.fractionAtMedianSum = static_cast<double>(atMedian) / static_cast<double>(sums.size());
    const bool constantSum = r.fractionAtMedianSum >= 0.95;
    const double log1pCpmMax = std::log1p(1e6);

    if (hi > log1pCpmMax + 0.01) {
        r.type = ValueType::Other;
        r.evidence = "Values are not whole numbers and the largest, " + fmt(hi)
            + ", is above log1p(1e6) = 13.8, "
              "so they are neither counts nor log1p-normalised counts.";
        return r;
    }
    if (constantSum && near(median, 1e4)) {
        r.type = ValueType::Log1pCP10k;
        r.evidence = "Each cell's expm1(values) sum to " + fmt(median) + " (" + fmt(100 * r.fractionAtMedianSum)
            + "% of " + grouped(want) + " cells checked): log1p of counts per 10,000.";
        return r;
    }
    if (constantSum && near(median, 1e6)) {
        r.type = ValueType::Log1pCPM;
        r.evidence = "Each cell's expm1(values) sum to " + fmt(median) + " (" + fmt(100 * r.fractionAtMedianSum)
            + "% of " + grouped(want) + " cells checked): log1p of counts per million.";
        return r;
    }
    if (expm1Whole) {
        r.type = ValueType::Log1pCounts;
        r.evidence = "expm1 of every checked value is a whole number: log1p of raw counts, not normalised per cell.";
        return r;
    }
    if (constantSum) {
        r.type = ValueType::Other;
        r.evidence =
            "Each cell's expm1(values) sum to " + fmt(median) + ", which is neither 1e4 (CP10k) nor 1e6 (CPM).";
        return r;
    }
    // Sums vary: typical of log-normalised data subset to variable genes after normalisation.
    if (maxSum <= 1e4 * (1 + options.sumTolerance)) {
        r.type = ValueType::Log1pCP10k;
        r.evidence = "Cells' expm1(values) sums vary but never exceed 1e4 (median " + fmt(median) + ", largest "
            + fmt(maxSum) + "): log1p CP10k computed before genes were subset.";
        return r;
    }
    if (maxSum <= 1e6 * (1 + options.sumTolerance) && hi <= log1pCpmMax + 0.01) {
        r.type = ValueType::Log1pCPM;
        r.evidence = "Cells' expm1(values) sums vary but never exceed 1e6 (median " + fmt(median) + ", largest "
            + fmt(maxSum) + "): log1p CPM computed before genes were subset.";
        return r;
    }
    r.type = ValueType::Other;
    r.evidence = "Values are not whole numbers and cells' expm1(values) sums (median " + fmt(median)
        + ") match no known normalisation.";
    return r;
}

}   // namespace nym
