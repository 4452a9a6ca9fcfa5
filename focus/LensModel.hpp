// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "config/LensDatabase.hpp"
#include "focus/MovePlanner.hpp"

#include <array>

namespace sonyalpaca::focus {

/// A lens's focus drive in units of its smallest step: the travel between the two end stops and
/// the real-valued length of each of the seven step sizes the body can drive.
class LensModel {
public:
    /// From a database entry: travel = moves of size 1; step k = travel / moves of size k.
    explicit LensModel(const config::LensEntry& entry);

    double travel() const noexcept { return travel_; }
    /// Length of step size `size` (1..7) in smallest-step units; size 1 is 1.0. Throws std::out_of_range.
    double stepLength(int size) const;

private:
    double travel_;
    config::PerStepSize steps_{};
};

/// How long a step of each size drives the lens when a profile does not say: 25 ms for size 1 up
/// to 235 ms for size 7, a typical focus motor (and the virtual body's).
constexpr config::PerStepSize kDefaultStepTimeMs{25, 60, 95, 130, 165, 200, 235};
/// Relative spread of one step's length when a profile does not say.
constexpr double kDefaultJitter = 0.005;
/// What one focus-drive command costs besides the lens's motion: a PTP round trip.
constexpr double kCommandMs = 30;
/// The price of position variance in the planner (DriveModel::variance_ms): a plan that adds 0.1 unit²
/// must save 50 ms to be preferred, so long moves take medium steps that land within half a unit.
constexpr double kVarianceMs = 500;

/// The planner's and tracker's model of a lens profile. `backlash` < 0 takes the profile's value
/// (0 when it has none); otherwise it overrides it.
DriveModel driveModel(const config::LensEntry& entry, double backlash);

/// The profile used for a lens no profile knows: adjacent sizes 2.5× apart, and a travel of 2,000
/// smallest steps counted from the infinity end stop (astronomical focus lies near infinity).
/// Homing with it drives far enough for the longest known lens. Learning the lens replaces it.
config::LensEntry genericLens();

/// How far homing drives toward infinity, in units of the profile: the whole travel plus a margin,
/// and for the generic profile the travel of the longest lens known.
double homingDistance(const DriveModel& model, bool generic);

}  // namespace sonyalpaca::focus
