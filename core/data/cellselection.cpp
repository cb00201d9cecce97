#include "core/data/cellselection.h"

#include "core/common/error.h"

#include <bit>
#include <string>

namespace nym {

CellSelection::CellSelection(std::int64_t cells)
    : m_cells(cells < 0 ? 0 : cells), m_bits(static_cast<std::size_t>((m_cells + 63) / 64), 0)
{
}

CellSelection CellSelection::fromIndices(std::int64_t cells, const std::vector<std::int64_t> &indices)
{
    CellSelection selection(cells);
    for (std::int64_t cell : indices) {
        if (cell < 0 || cell >= selection.m_cells)
            throw Error("Selection: cell " + std::to_string(cell) + " is outside the dataset's " +
                std::to_string(selection.m_cells) + " cells.");
        selection.m_bits[static_cast<std::size_t>(cell >> 6)] |= std::uint64_t(1) << (cell & 63);
    }
    selection.recount();
    return selection;
}

bool CellSelection::contains(std::int64_t cell) const
{
    return cell >= 0 && cell < m_cells && (m_bits[static_cast<std::size_t>(cell >> 6)] >> (cell & 63) & 1u);
}

void CellSelection::insert(std::int64_t cell)
{
    if (cell < 0 || cell >= m_cells || contains(cell))
        return;
    m_bits[static_cast<std::size_t>(cell >> 6)] |= std::uint64_t(1) << (cell & 63);
    ++m_count;
}

void CellSelection::erase(std::int64_t cell)
{
    if (!contains(cell))
        return;
    m_bits[static_cast<std::size_t>(cell >> 6)] &= ~(std::uint64_t(1) << (cell & 63));
    --m_count;
}

void CellSelection::clear()
{
    std::fill(m_bits.begin(), m_bits.end(), 0);
    m_count = 0;
}

void CellSelection::combine(const CellSelection &other, Mode mode)
{
    if (other.m_cells != m_cells)
        throw Error("Selection: cannot combine a selection of " + std::to_string(other.m_cells) + " cells with one of " +
            std::to_string(m_cells) + ".");
    for (std::size_t w = 0; w < m_bits.size(); ++w) {
        switch (mode) {
        case Mode::Replace: m_bits[w] = other.m_bits[w]; break;
        case Mode::Add: m_bits[w] |= other.m_bits[w]; break;
        case Mode::Subtract: m_bits[w] &= ~other.m_bits[w]; break;
        case Mode::Intersect: m_bits[w] &= other.m_bits[w]; break;
        }
    }
    recount();
}

std::vector<std::int64_t> CellSelection::indices() const
{
    std::vector<std::int64_t> out;
    out.reserve(static_cast<std::size_t>(m_count));
    for (std::size_t w = 0; w < m_bits.size(); ++w)
        for (std::uint64_t bits = m_bits[w]; bits; bits &= bits - 1)
            out.push_back(static_cast<std::int64_t>(w * 64 + static_cast<std::size_t>(std::countr_zero(bits))));
    return out;
}

void CellSelection::recount()
{
    m_count = 0;
    for (std::uint64_t bits : m_bits)
        m_count += std::popcount(bits);
}

}   // namespace nym
