// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "config/LensDatabase.hpp"

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
    std::array<double, 7> steps_{};
};

}  // namespace sonyalpaca::focus
