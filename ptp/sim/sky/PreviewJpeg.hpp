// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "ptp/sim/sky/RawImage.hpp"

#include <cstdint>
#include <vector>

namespace sonyalpaca::ptp::sim {

/// The JPEG of a JPEG or RAW+JPEG capture: a small viewable picture of the visible crop, the
/// daemon's own thumbnail (imaging::makeThumbnail: 2x2 superpixels averaged down to at most
/// `max_width` wide, each channel stretched apart, which also neutralises the sky's colour),
/// encoded by libjpeg (imaging::encodeJpeg) at `quality` (1..100). The crop is read in place, not
/// copied. Throws std::invalid_argument when the image is invalid, max_width is 0 or quality is
/// outside 1..100.
std::vector<std::uint8_t> previewJpeg(const RawImage& raw, unsigned max_width, int quality = 85);

}  // namespace sonyalpaca::ptp::sim
