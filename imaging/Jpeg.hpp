// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstdint>
#include <span>
#include <stdexcept>
#include <vector>

namespace sonyalpaca::imaging {

/// A JPEG that libjpeg cannot read; the message says what libjpeg found wrong.
class JpegError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// An 8-bit image, row-major: 1 component (grey) or 3 (RGB, interleaved).
struct Image8 {
    unsigned width = 0;
    unsigned height = 0;
    unsigned components = 1;
    std::vector<std::uint8_t> samples;  ///< width · height · components
};

/// Decodes a JPEG (a body's live-view frame, any baseline or progressive JPEG libjpeg reads) to
/// grey, scaled down by libjpeg's DCT scaling (1, 2, 4 or 8) to be at least `min_width` wide where
/// the image allows. Throws JpegError for data that is not a readable JPEG.
Image8 decodeJpegGrey(std::span<const std::uint8_t> jpeg, unsigned min_width = 0);

/// Decodes a JPEG at full size to what it holds: grey (1 component) for a greyscale JPEG, else RGB
/// (3). Throws JpegError for data that is not a readable JPEG.
Image8 decodeJpeg(std::span<const std::uint8_t> jpeg);

/// Encodes a grey or RGB image as a baseline JPEG of `quality` (1..100; libjpeg's scaling of the
/// standard's tables; colour as YCbCr with 4:2:0 chroma), in memory. Throws std::invalid_argument
/// for an empty image, a component count other than 1 or 3, a wrong sample count or a quality
/// outside 1..100.
std::vector<std::uint8_t> encodeJpeg(const Image8& image, int quality = 85);

}  // namespace sonyalpaca::imaging
