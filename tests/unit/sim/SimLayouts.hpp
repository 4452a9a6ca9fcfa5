// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "ptp/sim/sky/SensorLayout.hpp"

namespace sonyalpaca::test {

/// A reduced sensor for fast tests that keeps the a7 III's rules: 12-pixel margins (even, so RGGB at
/// the crop origin) and a raw width that is a multiple of 32 (cRAW).
inline ptp::sim::SensorLayout smallLayout() { return {640, 424, 12, 12, 616, 400}; }

}  // namespace sonyalpaca::test
