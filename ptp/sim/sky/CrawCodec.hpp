// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "ptp/sim/sky/RawImage.hpp"

#include <array>
#include <cstdint>
#include <span>
#include <vector>

namespace sonyalpaca::ptp::sim {

/// Sony's lossy "compressed RAW" (cRAW, ARW 2.x) coding, as LibRaw 0.20.2 decodes it (arw.md §3.2).
///
/// Each row is coded in groups of 32 columns: a 16-byte block for the 16 even columns, then one for
/// the 16 odd columns (so each block holds one CFA colour). A block is a 128-bit little-endian word:
/// 11-bit max and min, the 4-bit indexes of the max and min pixels, and 14 seven-bit deltas for the
/// other pixels, shifted left by the smallest sh in 0..4 with (128 << sh) > max − min. Codes are 11
/// bits; a code p decodes to the raw value curve(2p), where the tone curve comes from the four knots
/// of tag 0x7010 and grows in steps of 1, 2, 4, 8, 16 between them.
///
/// The encoder picks the code nearest each 14-bit value and rounds the deltas: a block whose codes
/// span less than 128 keeps them exactly; otherwise a code moves by at most half a delta step
/// (2^(sh−1)), or 2^sh − 1 just below the block's max, where the 7-bit delta saturates. The max and
/// min themselves are exact. decode() predicts exactly what LibRaw reads.
class CrawCodec {
public:
    using Knots = std::array<std::uint16_t, 4>;
    /// Knots that put black 512 and white 15360 on fine steps (arw.md §3.2): p ≤ 1000 is lossless
    /// (raw = 2p), the top code 2047 decodes to 17204.
    static constexpr Knots kDefaultKnots{8000, 10400, 12900, 14100};

    /// Throws std::invalid_argument unless the knots, taken as (k >> 2) & 0xFFF, are ascending.
    explicit CrawCodec(const Knots& knots = kDefaultKnots);

    const Knots& knots() const noexcept { return knots_; }

    /// The raw value code p (0..2047) decodes to.
    std::uint16_t valueOf(unsigned code) const noexcept { return curve_[2 * code]; }
    /// The code whose value is nearest `value`; values above 16383 count as 16383.
    unsigned codeOf(std::uint16_t value) const noexcept {
        return nearest_code_[value < nearest_code_.size() ? value : nearest_code_.size() - 1];
    }

    /// Bytes of the coded strip: raw_width · raw_height (one byte per pixel).
    static std::size_t stripSize(const SensorLayout& layout) noexcept { return layout.pixelCount(); }

    /// Codes one row; raw_width must be a multiple of 32, `out` must hold `width` bytes.
    void encodeRow(std::span<const std::uint16_t> in, std::span<std::uint8_t> out) const;
    /// Decodes one row as LibRaw does.
    void decodeRow(std::span<const std::uint8_t> in, std::span<std::uint16_t> out) const;

    /// The whole strip. Throws std::invalid_argument when the image is invalid or its raw_width is
    /// not a multiple of 32.
    std::vector<std::uint8_t> encode(const RawImage& image) const;
    /// The values LibRaw reads back from a strip made by encode() for `layout`.
    std::vector<std::uint16_t> decode(std::span<const std::uint8_t> strip, const SensorLayout& layout) const;

private:
    Knots knots_;
    std::array<std::uint16_t, 4096> curve_{};
    std::array<std::uint16_t, 16384> nearest_code_{};
};

}  // namespace sonyalpaca::ptp::sim
