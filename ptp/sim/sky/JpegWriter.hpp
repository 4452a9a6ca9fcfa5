// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstdint>
#include <vector>

namespace sonyalpaca::ptp::sim {

/// An 8-bit image to encode: grey (1 component) or RGB (3, interleaved), row-major.
struct JpegImage {
    unsigned width = 0;
    unsigned height = 0;
    unsigned components = 3;
    std::vector<std::uint8_t> samples;  ///< width · height · components
};

/// A baseline (sequential, Huffman, 8-bit) JFIF encoder: grey, or YCbCr with 4:2:0 chroma.
/// Quantisation tables are the example tables of the JPEG standard (Annex K) scaled by quality the
/// way libjpeg does; Huffman tables are computed for each image (optimal codes limited to 16 bits),
/// so no code table is built in. Output starts with FF D8 and ends with FF D9.
class JpegWriter {
public:
    /// Throws std::invalid_argument when the image is empty, larger than 65535 on a side, has a
    /// component count other than 1 or 3, the wrong sample count, or quality outside 1..100.
    static std::vector<std::uint8_t> encode(const JpegImage& image, int quality);

    /// The quantisation table for `quality` in natural (row-major) order; chroma or luma.
    static std::vector<std::uint16_t> quantisationTable(int quality, bool chroma);
};

}  // namespace sonyalpaca::ptp::sim
