#pragma once

#include <cstdint>
#include <vector>

namespace nym {

// A set of cells of one dataset (the browser's selection, a review filter): one bit per cell, so unions,
// differences and counts over a million cells take microseconds. View state, never an edit: it is not on the
// undo stack. Value type; one thread at a time.
class CellSelection
{
public:
    enum class Mode
    {
        Replace,    // the result is the other set
        Add,        // union (Shift in the browser)
        Subtract,   // difference (Alt)
        Intersect
    };

    explicit CellSelection(std::int64_t cells = 0);
    // Throws nym::Error for an index outside [0, cells).
    static CellSelection fromIndices(std::int64_t cells, const std::vector<std::int64_t> &indices);

    std::int64_t cells() const { return m_cells; }
    std::int64_t count() const { return m_count; }
    bool empty() const { return m_count == 0; }
    bool contains(std::int64_t cell) const;
    // Out-of-range cells are ignored by insert and erase.
    void insert(std::int64_t cell);
    void erase(std::int64_t cell);
    void clear();
    // Combines with a selection of the same dataset; throws nym::Error when the cell counts differ.
    void combine(const CellSelection &other, Mode mode);
    // The selected cells in increasing order.
    std::vector<std::int64_t> indices() const;

    bool operator==(const CellSelection &other) const = default;

private:
    void recount();
    std::int64_t m_cells = 0;
    std::int64_t m_count = 0;
    std::vector<std::uint64_t> m_bits;
};

}   // namespace nym
