// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "ptp/sim/sky/JpegWriter.hpp"
#include "ptp/sim/sky/RawImage.hpp"

#include <cstdint>
#include <vector>

namespace sonyalpaca::ptp::sim {

/// A small viewable picture of a raw frame, for live view and for the JPEG of RAW+JPEG.
///
/// The visible crop is debayered by binning: every 2x2 RGGB cell gives one RGB pixel (R, mean of
/// the two G, B, less the black level), and k x k cells are averaged, with the smallest k that makes
/// the width at most max_width. Each channel is then stretched the way astronomy software shows
/// linear data (a screen transfer function): the black point goes 2.8 robust sigmas below the
/// channel's median, and a midtones curve takes the median to 25 % grey. Stretching channels apart
/// also neutralises the sky's colour.
class PreviewJpeg {
public:
    /// Throws std::invalid_argument when the image is invalid or max_width is 0.
    static JpegImage render(const RawImage& raw, unsigned max_width);
    /// render() encoded with JpegWriter at `quality` (1..100).
    static std::vector<std::uint8_t> encode(const RawImage& raw, unsigned max_width, int quality = 85);
};

/// PreviewJpeg::encode(raw, max_width, quality).
std::vector<std::uint8_t> previewJpeg(const RawImage& raw, unsigned max_width, int quality = 85);

}  // namespace sonyalpaca::ptp::sim
