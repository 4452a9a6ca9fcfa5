// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstdint>

namespace sonyalpaca::ptp::sim {

/// A small, fast, deterministic 64-bit generator (the SplitMix64 sequence: a Weyl counter passed
/// through a bijective mixer). Good enough statistically for image noise and star fields, and
/// cheap to seed per row, which keeps rendering independent of how rows are grouped.
class FastRandom {
public:
    explicit constexpr FastRandom(std::uint64_t seed) noexcept : state_(seed) {}

    /// A generator for one of many independent streams (e.g. one per image row).
    static constexpr FastRandom stream(std::uint64_t seed, std::uint64_t stream_id) noexcept {
        return FastRandom(mix(seed ^ mix(stream_id + 0x632BE59BD9B4E019ULL)));
    }

    constexpr std::uint64_t next() noexcept {
        state_ += 0x9E3779B97F4A7C15ULL;
        return mix(state_);
    }

    /// Uniform in [0, 1).
    constexpr double uniform() noexcept { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

    /// The mixer: a bijection on 64-bit words with good avalanche.
    static constexpr std::uint64_t mix(std::uint64_t z) noexcept {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        return z ^ (z >> 31);
    }

private:
    std::uint64_t state_;
};

}  // namespace sonyalpaca::ptp::sim
