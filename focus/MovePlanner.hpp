// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "config/LensDatabase.hpp"

#include <array>
#include <vector>

namespace sonyalpaca::focus {

/// What the planner knows of a lens's focus drive, in units of the smallest step.
struct DriveModel {
    config::PerStepSize step_length{};   ///< true mean length of sizes 1..7 (size 1 ≈ 1 unit)
    config::PerStepSize step_time_ms{};  ///< how long each size takes to move
    double command_ms = 50;              ///< what each step costs besides the move (one PTP round trip)
    double backlash = 0;                 ///< units lost at a reversal of direction
    double jitter = 0.02;                ///< relative standard deviation of one step's length
    double travel = 0;                   ///< the end stops are at 0 and travel: plans stay inside
    double tolerance = 0.5;              ///< a plan lands within this of the target
    /// What a unit² of added position variance is worth in ms: 0 plans for time alone; above 0 a
    /// step's spread (jitter × length)² counts against it, so a long move prefers several medium
    /// steps that land surely to one large step that lands roughly.
    double variance_ms = 0;
};

/// One focus-drive command: a step of `size` (1..7) toward near (direction -1) or far (+1).
struct Step {
    int size;
    int direction;
    friend bool operator==(const Step&, const Step&) = default;
};

/// A planned move: the steps in order, where they should leave the lens, and what they cost.
struct Plan {
    std::vector<Step> steps;
    double end = 0;          ///< expected position after the steps
    double time_ms = 0;      ///< Σ (step time + command time)
    double variance = 0;     ///< Σ (jitter × step length)²: what the plan adds to the position's variance
    int last_direction = 0;  ///< direction of the last step (0: no step)
    double end_gap = 0;      ///< the play after the steps (see farGap)
};

/// The motor's play (backlash) as a state: how far the motor moves toward far before the lens
/// follows, 0..backlash; toward near it is backlash minus that. A step far that moved the lens
/// leaves it at 0, a step near at the backlash. A first leg shorter than the backlash takes up only
/// part of it, so coming back costs only that part. From the direction of the last step: +1 → 0,
/// -1 → backlash, 0 (unknown) → half of it.
double farGap(int previous_direction, double backlash);

/// Plans the cheapest move from `from` to `target`: the multiset of steps, over all seven sizes
/// and both directions, that ends within `tolerance` of the target in the least total time,
/// overshooting and coming back where that is cheaper (sizes are not multiples of each other).
/// With `approach` = +1 or -1 the plan ends with steps in that direction, so the backlash is taken
/// up the same way every time; 0 lets the planner choose. Next to the end stop behind the approach,
/// where no plan can end that way, it falls back to either direction. `far_gap` is the play the
/// lens starts with (farGap). Steps opposite to the approach come first, then the steps in the
/// approach direction, largest first within each; intermediate and end positions stay within
/// [0, travel]. Throws std::invalid_argument when no plan reaches the target (e.g. a target
/// outside [0, travel]).
Plan planMoveFromGap(const DriveModel& model, double from, double far_gap, double target, int approach);

/// planMoveFromGap with the play given by the direction of the lens's last step (farGap).
Plan planMove(const DriveModel& model, double from, double target, int approach, int previous_direction);

/// Where a plan with per-size net counts `counts` (negative: toward near) leaves the lens, steps
/// against the approach first, with the play taken up at each reversal; for tests.
double endPosition(const DriveModel& model, double from, const std::array<int, config::kStepSizes>& counts,
                   int approach, int previous_direction);

}  // namespace sonyalpaca::focus
