// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <array>
#include <cstdint>
#include <vector>

namespace sonyalpaca::ptp::sim {

/// A JPEG Huffman table built for given symbol frequencies: an optimal prefix code with lengths
/// limited to 16 bits (lengths moved up pairwise as in JPEG Annex K.3) in which no code is all ones
/// (a reserved symbol of frequency 1 takes that place and is dropped). Holds both the DHT form
/// (counts per length, symbols in code order) and the code of each symbol. For LosslessJpeg's
/// tiles: lossless JPEG (SOF3) is beyond the libjpeg-turbo of Debian 12 (2.1), which imaging wraps.
struct JpegHuffmanTable {
    std::array<std::uint8_t, 16> counts{};  ///< codes of length 1..16
    std::vector<std::uint8_t> symbols;      ///< in code order
    std::array<std::uint16_t, 256> code{};
    std::array<std::uint8_t, 256> length{};  ///< 0 for unused symbols

    explicit JpegHuffmanTable(const std::array<std::uint32_t, 256>& frequency);
};

}  // namespace sonyalpaca::ptp::sim
