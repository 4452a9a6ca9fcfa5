// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstdint>
#include <stdexcept>
#include <vector>

namespace sonyalpaca::test {

/// A small, independent baseline JPEG decoder for the tests (no JPEG library is among the build
/// dependencies): SOF0, 1 or 3 components with sampling factors 1 or 2, Huffman tables from DHT,
/// no restart markers. Returns interleaved 8-bit samples (grey, or RGB for 3 components).
/// Throws std::runtime_error on anything malformed.
struct DecodedJpeg {
    unsigned width = 0;
    unsigned height = 0;
    unsigned components = 0;
    std::vector<std::uint8_t> samples;
};

DecodedJpeg decodeJpeg(const std::vector<std::uint8_t>& data);

}  // namespace sonyalpaca::test
