// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "ptp/sim/sky/SensorLayout.hpp"

#include <cstdint>
#include <vector>

namespace sonyalpaca::ptp::sim {

/// One raw frame as the sensor reads it out: CFA values, row-major, raw_width x raw_height, on the
/// 14-bit scale Sony and LibRaw use (also for bodies whose ADC has 12 bits; their values are then
/// multiples of 4).
struct RawImage {
    SensorLayout layout;
    std::vector<std::uint16_t> pixels;  ///< raw_width * raw_height values
    unsigned black_level = 512;         ///< bias of every photosite, 14-bit scale
    unsigned white_level = 15360;       ///< the clipping point Sony writes (0xC61D)
    unsigned bits = 14;                 ///< ADC depth: 14, or 12 on some bodies

    /// The value at raw (x, y); no bounds check beyond the vector's.
    std::uint16_t at(unsigned x, unsigned y) const noexcept {
        return pixels[static_cast<std::size_t>(y) * layout.raw_width + x];
    }

    /// Throws std::invalid_argument when the layout is invalid, the pixel count does not match it,
    /// bits is not 12 or 14, or black_level >= white_level or white_level > 16383.
    void validate() const;
};

}  // namespace sonyalpaca::ptp::sim
