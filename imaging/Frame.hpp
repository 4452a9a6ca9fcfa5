// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace sonyalpaca::imaging {

/// A single-plane 16-bit image, row-major: the value at (x, y) is pixels[y * width + x], x to the
/// right, y down, (0, 0) the top-left pixel. A Bayer mosaic straight from the sensor (one colour per
/// photosite) or a binned frame. A plain value type; thread-safe as far as std::vector is.
struct Frame {
    unsigned width = 0;
    unsigned height = 0;
    std::vector<std::uint16_t> pixels;  ///< width * height values

    /// Pixels in the frame.
    std::size_t pixelCount() const noexcept { return static_cast<std::size_t>(width) * height; }

    /// The value at (x, y); no bounds check beyond the vector's.
    std::uint16_t at(unsigned x, unsigned y) const noexcept { return pixels[static_cast<std::size_t>(y) * width + x]; }
};

}  // namespace sonyalpaca::imaging
