#include "core/common/xoshiro.h"

namespace nym {

Xoshiro256::Xoshiro256(std::uint64_t seed)
{
    for (auto &s : m_s) {
        seed += 0x9E3779B97F4A7C15ull;
        std::uint64_t z = seed;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        s = z ^ (z >> 31);
    }
}

void Xoshiro256::advance()
{
    const std::uint64_t t = m_s[1] << 17;
    m_s[2] ^= m_s[0];
    m_s[3] ^= m_s[1];
    m_s[1] ^= m_s[2];
    m_s[0] ^= m_s[3];
    m_s[2] ^= t;
    m_s[3] = rotl(m_s[3], 45);
}

std::uint64_t Xoshiro256::starStar()
{
    const std::uint64_t result = rotl(m_s[1] * 5, 7) * 9;
    advance();
    return result;
}

std::uint64_t Xoshiro256::plusPlus()
{
    const std::uint64_t result = rotl(m_s[0] + m_s[3], 23) + m_s[0];
    advance();
    return result;
}

}   // namespace nym
