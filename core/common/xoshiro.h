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

private:
    void advance();
    static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
    std::uint64_t m_s[4];
};

// Output i of a SplitMix64 stream (Steele et al. 2014) that starts at `key`: counter-based, so draw i does not
// depend on the draws before it and parallel threads can each take their own range, with results identical for
// any thread count. Used for per-element draws (dropout masks, augmentation drops) keyed by one draw of a
// Xoshiro256 stream.
inline std::uint64_t splitMix64At(std::uint64_t key, std::uint64_t i)
{
    std::uint64_t z = key + (i + 1) * 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

}   // namespace nym
