#include "core/common/xoshiro.h"

namespace nym {

Xoshiro256::Xoshiro256(std::uint64_t seed)
{
    for (std::uint64_t i = 0; i < 4; ++i)
        m_s[i] = splitMix64At(seed, i);
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
