// SPDX-License-Identifier: GPL-3.0-or-later
#include "ptp/sim/sky/SensorLayout.hpp"

#include <stdexcept>

namespace sonyalpaca::ptp::sim {

SensorLayout SensorLayout::ilce7m3() noexcept { return SensorLayout{6048, 4024, 12, 12, 6000, 4000}; }

void SensorLayout::validate() const {
    auto fail = [this](const std::string& what) {
        throw std::invalid_argument("sensor layout " + describe() + ": " + what);
    };
    if (raw_width < 22 || raw_width > 65535) fail("raw_width must be 22 to 65535");
    if (raw_height < 22 || raw_height > 65535) fail("raw_height must be 22 to 65535");
    if (crop_left % 2 != 0 || crop_top % 2 != 0) fail("crop offsets must be even (RGGB at the crop origin)");
    if (crop_width % 2 != 0 || crop_height % 2 != 0) fail("crop sizes must be even");
    if (crop_width == 0 || crop_height == 0) fail("the crop must not be empty");
    if (crop_left + crop_width > raw_width) fail("crop_left + crop_width exceeds raw_width");
    if (crop_top + crop_height > raw_height) fail("crop_top + crop_height exceeds raw_height");
}

std::string SensorLayout::describe() const {
    return std::to_string(raw_width) + "x" + std::to_string(raw_height) + ", crop " + std::to_string(crop_width) + "x" +
           std::to_string(crop_height) + " at (" + std::to_string(crop_left) + "," + std::to_string(crop_top) + ")";
}

}  // namespace sonyalpaca::ptp::sim
