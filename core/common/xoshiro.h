#pragma once

#include <cstdint>

namespace nym {

// xoshiro256 (Blackman & Vigna), seeded through splitmix64: fast and identical on every platform (std::
// distributions are not). The two output scramblers of the authors share one state update: ** (the simulator's
// streams) and ++ (the trainer's per-element draws). Value type; one thread at a time.
class Xoshiro256
{
public:
    explicit Xoshiro256(std::uint64_t seed = 0);
    std::uint64_t starStar();
    std::uint64_t plusPlus();
    // Uniform in [0, 1) with 24 random bits from plusPlus().
    float uniformFloat() { return static_cast<float>(plusPlus() >> 40) * (1.0f / 16777216.0f); }

private:
    void advance();
    static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
    std::uint64_t m_s[4];
};

}   // namespace nym
