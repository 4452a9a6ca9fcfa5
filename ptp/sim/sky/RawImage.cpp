// SPDX-License-Identifier: GPL-3.0-or-later
#include "ptp/sim/sky/RawImage.hpp"

#include <stdexcept>
#include <string>

namespace sonyalpaca::ptp::sim {

void RawImage::validate() const {
    layout.validate();
    if (pixels.size() != layout.pixelCount()) {
        throw std::invalid_argument("raw image has " + std::to_string(pixels.size()) + " pixels, its layout " +
                                    layout.describe() + " needs " + std::to_string(layout.pixelCount()));
    }
    if (bits != 12 && bits != 14) {
        throw std::invalid_argument("raw image bits is " + std::to_string(bits) + ", allowed 12 or 14");
    }
    if (white_level > 16383 || black_level >= white_level) {
        throw std::invalid_argument("raw image levels black " + std::to_string(black_level) + " white " +
                                    std::to_string(white_level) + ": need black < white <= 16383");
    }
}

}  // namespace sonyalpaca::ptp::sim
