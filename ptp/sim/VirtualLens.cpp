// SPDX-License-Identifier: GPL-3.0-or-later
#include "ptp/sim/VirtualLens.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace sonyalpaca::ptp::sim {

VirtualLens::VirtualLens(const config::LensEntry& shipped, const LensOptions& options)
    : shipped_(shipped), options_(options), travel_(shipped.full_travel_moves[0]), random_(options.seed) {
    // The hidden true profile: each size's move count off by a fixed, seeded fraction.
    std::uniform_real_distribution<double> error(-options.profile_error, options.profile_error);
    for (std::size_t k = 0; k < true_steps_.size(); ++k) {
        const double true_moves = shipped.full_travel_moves[k] * (1.0 + (k == 0 ? 0.0 : error(random_)));
        true_steps_[k] = travel_ / true_moves;
    }
    position_ = options.start_position >= 0 ? std::min(options.start_position, travel_) : 0.75 * travel_;
}

void VirtualLens::setPosition(double position) noexcept { position_ = std::clamp(position, 0.0, travel_); }

double VirtualLens::trueStepLength(int size) const {
    if (size < 1 || size > config::kStepSizes)
        throw std::out_of_range("focus step size " + std::to_string(size) + " is not in 1..7");
    return true_steps_[static_cast<std::size_t>(size - 1)];
}

std::chrono::milliseconds VirtualLens::step(int size, int direction) {
    double length = trueStepLength(size);
    if (options_.jitter > 0) {
        std::normal_distribution<double> jitter(1.0, options_.jitter);
        length *= std::max(0.0, jitter(random_));
    }
    // The play between motor and lens: the motor first takes up what is left of it in this direction.
    const int sign = direction < 0 ? -1 : 1;
    const double play = sign > 0 ? gap_ : options_.backlash - gap_;
    const double taken = std::min(play, length);
    const double left = play - taken;
    gap_ = sign > 0 ? left : options_.backlash - left;
    position_ = std::clamp(position_ + sign * (length - taken), 0.0, travel_);
    ++counts_[static_cast<std::size_t>(size - 1)];
    // Larger steps take longer: 25 ms for size 1 up to 235 ms for size 7, as a focus motor would.
    const double milliseconds = (25.0 + 35.0 * (size - 1)) * options_.time_scale;
    return std::chrono::milliseconds(static_cast<long long>(milliseconds));
}

}  // namespace sonyalpaca::ptp::sim
