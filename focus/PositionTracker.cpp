// SPDX-License-Identifier: GPL-3.0-or-later
#include "focus/PositionTracker.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace sonyalpaca::focus {
namespace {
/// The spread of the backlash taken up at a reversal, as a fraction of it.
constexpr double kBacklashSpread = 0.25;
}  // namespace

void PositionTracker::step(const Step& step) {
    if (step.size < 1 || step.size > config::kStepSizes || (step.direction != 1 && step.direction != -1))
        throw std::invalid_argument("not a focus step: size " + std::to_string(step.size) + ", direction " +
                                    std::to_string(step.direction));
    const double length = model_.step_length[static_cast<std::size_t>(step.size - 1)];
    const double play = step.direction > 0 ? gap_ : model_.backlash - gap_;
    const double taken = std::min(play, length);
    const double left = play - taken;
    gap_ = step.direction > 0 ? left : model_.backlash - left;
    const double target = position_ + step.direction * (length - taken);
    variance_ += std::pow(model_.jitter * length, 2) + std::pow(kBacklashSpread * taken, 2);
    last_direction_ = step.direction;
    const double beyond = step.direction > 0 ? target - model_.travel : -target;
    if (beyond > 3 * sigma()) {
        // Surely driven into the end stop, where the lens stops: the position is known again.
        atEndStop(step.direction);
        return;
    }
    // Maybe at the stop, maybe just short of it: the lens cannot be beyond it.
    position_ = std::clamp(target, 0.0, model_.travel);
}

void PositionTracker::atEndStop(int direction) {
    position_ = direction < 0 ? 0 : model_.travel;
    variance_ = 0;
    last_direction_ = direction < 0 ? -1 : 1;
    gap_ = focus::farGap(last_direction_, model_.backlash);
    homed_ = true;
}

void PositionTracker::restore(double position, double sigma, int last_direction, bool homed, double far_gap) {
    position_ = std::clamp(position, 0.0, model_.travel);
    variance_ = sigma * sigma;
    last_direction_ = last_direction < 0 ? -1 : last_direction > 0 ? 1 : 0;
    gap_ = far_gap >= 0 ? std::min(far_gap, model_.backlash) : focus::farGap(last_direction_, model_.backlash);
    homed_ = homed;
}

double PositionTracker::sigma() const noexcept { return std::sqrt(variance_); }

nlohmann::json PositionTracker::toJson() const {
    return {{"position", position_},
            {"sigma", sigma()},
            {"last_direction", last_direction_},
            {"gap", gap_},
            {"homed", homed_}};
}

void PositionTracker::fromJson(const nlohmann::json& state) {
    auto number = [&](const char* field) {
        if (!state.contains(field) || !state[field].is_number() || !std::isfinite(state[field].get<double>()))
            throw std::invalid_argument(std::string("focuser state: \"") + field + "\" must be a number");
        return state[field].get<double>();
    };
    const double position = number("position");
    const double sigma = number("sigma");
    if (position < 0 || position > model_.travel)
        throw std::invalid_argument("focuser state: position " + std::to_string(position) +
                                    " is outside the lens's travel 0.." + std::to_string(model_.travel));
    if (sigma < 0) throw std::invalid_argument("focuser state: \"sigma\" must not be negative");
    if (!state.contains("homed") || !state["homed"].is_boolean())
        throw std::invalid_argument("focuser state: \"homed\" must be true or false");
    const double gap = state.contains("gap") ? number("gap") : -1;
    if (state.contains("gap") && gap < 0) throw std::invalid_argument("focuser state: \"gap\" must not be negative");
    restore(position, sigma, static_cast<int>(number("last_direction")), state["homed"].get<bool>(), gap);
}

}  // namespace sonyalpaca::focus
