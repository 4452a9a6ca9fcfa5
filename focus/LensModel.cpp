// SPDX-License-Identifier: GPL-3.0-or-later
#include "focus/LensModel.hpp"

#include <stdexcept>
#include <string>

namespace sonyalpaca::focus {

LensModel::LensModel(const config::LensEntry& entry) : travel_(entry.full_travel_moves[0]) {
    for (std::size_t k = 0; k < steps_.size(); ++k) steps_[k] = travel_ / entry.full_travel_moves[k];
}

double LensModel::stepLength(int size) const {
    if (size < 1 || size > 7) throw std::out_of_range("step size " + std::to_string(size) + " is not in 1..7");
    return steps_[static_cast<std::size_t>(size - 1)];
}

}  // namespace sonyalpaca::focus
