// SPDX-License-Identifier: GPL-3.0-or-later
#include "focus/LensModel.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace sonyalpaca::focus {
namespace {
/// The generic profile's travel, and the longest travel homing must cover when the lens is unknown
/// (the longest shipped profile is 12,194 units; half as much again for lenses not yet measured).
constexpr double kGenericTravel = 2000;
constexpr double kUnknownLensTravel = 18000;
constexpr double kGenericRatio = 2.5;
}  // namespace

LensModel::LensModel(const config::LensEntry& entry) : travel_(entry.full_travel_moves[0]) {
    for (std::size_t k = 0; k < steps_.size(); ++k) steps_[k] = travel_ / entry.full_travel_moves[k];
}

double LensModel::stepLength(int size) const {
    if (size < 1 || size > config::kStepSizes)
        throw std::out_of_range("step size " + std::to_string(size) + " is not in 1..7");
    return steps_[static_cast<std::size_t>(size - 1)];
}

DriveModel driveModel(const config::LensEntry& entry, double backlash) {
    const LensModel lens(entry);
    DriveModel model;
    for (int size = 1; size <= config::kStepSizes; ++size)
        model.step_length[static_cast<std::size_t>(size - 1)] = lens.stepLength(size);
    model.step_time_ms = entry.step_time_ms.value_or(kDefaultStepTimeMs);
    model.command_ms = kCommandMs;
    model.variance_ms = kVarianceMs;
    model.backlash = backlash >= 0 ? backlash : entry.backlash.value_or(0.0);
    model.jitter = entry.jitter.value_or(kDefaultJitter);
    model.travel = lens.travel();
    return model;
}

config::LensEntry genericLens() {
    config::LensEntry lens;
    lens.maker = "unknown";
    lens.model_id = "generic";
    lens.name = "unknown lens (generic profile)";
    for (std::size_t k = 0; k < config::kStepSizes; ++k)
        lens.full_travel_moves[k] = kGenericTravel / std::pow(kGenericRatio, static_cast<double>(k));
    lens.source = "built in";
    return lens;
}

double homingDistance(const DriveModel& model, bool generic) {
    const double travel = generic ? std::max(model.travel, kUnknownLensTravel) : model.travel;
    return travel * 1.1 + 2 * model.backlash + model.step_length[config::kStepSizes - 1];
}

}  // namespace sonyalpaca::focus
