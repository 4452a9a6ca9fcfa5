// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "config/LensDatabase.hpp"

#include <array>
#include <chrono>
#include <cstdint>
#include <random>

namespace sonyalpaca::ptp::sim {

/// How the virtual lens departs from its shipped profile.
struct LensOptions {
    std::uint64_t seed = 1;
    double profile_error = 0.03;  ///< each true step size differs from the shipped one by up to ±this fraction
    double jitter = 0.005;        ///< relative standard deviation of each step's length
    double backlash = 2.0;        ///< units of motion lost after a reversal of direction
    double start_position = -1;   ///< where the lens starts; negative = three quarters of the travel
    double time_scale = 1.0;      ///< multiplies move times (tests shorten them)
};

/// The virtual lens's focus drive. Position is in units of the shipped profile's smallest step, on
/// [0, travel]: 0 is the near (close-focus) end stop, `travel` the infinity end stop. A step of size k
/// toward near (negative NearFar value, as on real bodies: negative = near) or far moves the true
/// length of size k, with jitter, less the play (backlash) between motor and lens it takes up after a
/// reversal (a step shorter than the play takes up only part of it), and stops hard at the end stops.
/// Not thread-safe: the body serialises calls.
class VirtualLens {
public:
    VirtualLens(const config::LensEntry& shipped, const LensOptions& options);

    double travel() const noexcept { return travel_; }
    double position() const noexcept { return position_; }
    void setPosition(double position) noexcept;

    /// The true mean length of step size `size` (1..7), in units.
    double trueStepLength(int size) const;

    /// Drives one step of `size` (1..7) toward near (direction < 0) or far (direction > 0) and
    /// returns how long the move takes. Throws std::out_of_range for a bad size.
    std::chrono::milliseconds step(int size, int direction);

    /// Steps taken per size (index 0 = size 1).
    const std::array<std::uint64_t, config::kStepSizes>& stepCounts() const noexcept { return counts_; }

    const config::LensEntry& shipped() const noexcept { return shipped_; }

private:
    config::LensEntry shipped_;
    LensOptions options_;
    double travel_;
    config::PerStepSize true_steps_{};
    double position_;
    double gap_ = 0;  // motor motion toward far before the lens follows (0..backlash); starts engaged far
    std::array<std::uint64_t, config::kStepSizes> counts_{};
    std::mt19937_64 random_;
};

}  // namespace sonyalpaca::ptp::sim
