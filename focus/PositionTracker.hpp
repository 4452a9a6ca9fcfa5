// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "focus/MovePlanner.hpp"

#include <nlohmann/json_fwd.hpp>

namespace sonyalpaca::focus {

/// Where the lens is believed to be, and how sure that is. The body never reports the position, so
/// it is dead reckoning: each step adds its mean length, less the play (backlash) it takes up after
/// a reversal (the play is a state, farGap), and its variance (jitter, and the play's own spread);
/// a step that surely (by more than 3 sigma) drives into an end stop makes it exact again. Not
/// thread-safe: the focuser serialises moves.
class PositionTracker {
public:
    explicit PositionTracker(DriveModel model) : model_(model) {}

    /// A step was driven: updates the estimate and its uncertainty.
    void step(const Step& step);
    /// The lens is at an end stop (homing): position 0 (near) or travel (infinity), exactly.
    void atEndStop(int direction);
    /// Restores a saved state; the play follows from the last direction (farGap) unless given.
    void restore(double position, double sigma, int last_direction, bool homed, double far_gap = -1);

    double position() const noexcept { return position_; }
    /// One standard deviation of the estimate, in units.
    double sigma() const noexcept;
    int lastDirection() const noexcept { return last_direction_; }
    /// The play the lens stands at (farGap), for the planner.
    double farGap() const noexcept { return gap_; }
    /// True once an end stop has fixed the position (and not lost since).
    bool homed() const noexcept { return homed_; }
    const DriveModel& model() const noexcept { return model_; }

    /// The state as JSON ({"position", "sigma", "last_direction", "gap", "homed"}) and back. fromJson throws
    /// std::invalid_argument naming the field when the state is damaged or outside the travel.
    nlohmann::json toJson() const;
    void fromJson(const nlohmann::json& state);

private:
    DriveModel model_;
    double position_ = 0;
    double variance_ = 0;
    int last_direction_ = 0;
    double gap_ = 0;
    bool homed_ = false;
};

}  // namespace sonyalpaca::focus
