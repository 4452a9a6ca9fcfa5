// SPDX-License-Identifier: GPL-3.0-or-later
#include "ptp/sim/sky/CrawCodec.hpp"

#include <algorithm>
#include <cstdlib>
#include <stdexcept>
#include <string>

namespace sonyalpaca::ptp::sim {

namespace {

constexpr unsigned kMaxCode = 0x7FF;

/// A 128-bit little-endian block being assembled or read.
struct Block {
    std::uint64_t lo = 0;
    std::uint64_t hi = 0;

    void put(unsigned value, unsigned position, unsigned width) noexcept {
        const std::uint64_t v = value & ((1ULL << width) - 1);
        if (position < 64) {
            lo |= v << position;
            if (position + width > 64) hi |= v >> (64 - position);
        } else {
            hi |= v << (position - 64);
        }
    }
    unsigned get(unsigned position, unsigned width) const noexcept {
        std::uint64_t v = 0;
        if (position < 64) {
            v = lo >> position;
            if (position + width > 64) v |= hi << (64 - position);
        } else {
            v = hi >> (position - 64);
        }
        return static_cast<unsigned>(v & ((1ULL << width) - 1));
    }
    void store(std::uint8_t* out) const noexcept {
        for (unsigned i = 0; i < 8; ++i) {
            out[i] = static_cast<std::uint8_t>(lo >> (8 * i));
            out[8 + i] = static_cast<std::uint8_t>(hi >> (8 * i));
        }
    }
    static Block load(const std::uint8_t* in) noexcept {
        Block b;
        for (unsigned i = 0; i < 8; ++i) {
            b.lo |= static_cast<std::uint64_t>(in[i]) << (8 * i);
            b.hi |= static_cast<std::uint64_t>(in[8 + i]) << (8 * i);
        }
        return b;
    }
};

void encodeBlock(const std::array<unsigned, 16>& codes, std::uint8_t* out) {
    unsigned imax = 0;
    unsigned imin = 0;
    for (unsigned i = 1; i < 16; ++i) {
        if (codes[i] > codes[imax]) imax = i;
        if (codes[i] < codes[imin]) imin = i;
    }
    if (imax == imin) imin = imax == 0 ? 1 : 0;  // all equal: the indexes must still differ
    const unsigned max = codes[imax];
    const unsigned min = codes[imin];
    unsigned shift = 0;
    while (shift < 4 && (128U << shift) <= max - min) ++shift;
    Block block;
    block.put(max, 0, 11);
    block.put(min, 11, 11);
    block.put(imax, 22, 4);
    block.put(imin, 26, 4);
    unsigned position = 30;
    const unsigned half = (1U << shift) >> 1;
    for (unsigned i = 0; i < 16; ++i) {
        if (i == imax || i == imin) continue;
        const unsigned delta = std::min((codes[i] - min + half) >> shift, 127U);
        block.put(delta, position, 7);
        position += 7;
    }
    block.store(out);
}

void decodeBlock(const std::uint8_t* in, std::array<unsigned, 16>& codes) {
    const Block block = Block::load(in);
    const unsigned max = block.get(0, 11);
    const unsigned min = block.get(11, 11);
    const unsigned imax = block.get(22, 4);
    const unsigned imin = block.get(26, 4);
    unsigned shift = 0;
    while (shift < 4 && (128U << shift) <= max - min) ++shift;
    unsigned position = 30;
    for (unsigned i = 0; i < 16; ++i) {
        if (i == imax) {
            codes[i] = max;
        } else if (i == imin) {
            codes[i] = min;
        } else {
            codes[i] = std::min((block.get(position, 7) << shift) + min, kMaxCode);
            position += 7;
        }
    }
}

}  // namespace

CrawCodec::CrawCodec(const Knots& knots) : knots_(knots) {
    std::array<unsigned, 6> k{0, 0, 0, 0, 0, 4095};
    for (std::size_t i = 0; i < 4; ++i) k[i + 1] = (knots[i] >> 2) & 0xFFFU;
    for (std::size_t i = 0; i + 1 < k.size(); ++i) {
        if (k[i] >= k[i + 1]) throw std::invalid_argument("cRAW tone curve knots must ascend below 16380");
    }
    curve_[0] = 0;
    for (unsigned segment = 0; segment < 5; ++segment) {
        for (unsigned j = k[segment] + 1; j <= k[segment + 1]; ++j) {
            curve_[j] = static_cast<std::uint16_t>(curve_[j - 1] + (1U << segment));
        }
    }
    // Nearest code per value: the curve rises, so one sweep suffices.
    unsigned code = 0;
    for (unsigned value = 0; value < nearest_code_.size(); ++value) {
        while (code < kMaxCode && std::abs(static_cast<int>(valueOf(code + 1)) - static_cast<int>(value)) <=
                                      std::abs(static_cast<int>(valueOf(code)) - static_cast<int>(value))) {
            ++code;
        }
        nearest_code_[value] = static_cast<std::uint16_t>(code);
    }
}

void CrawCodec::encodeRow(std::span<const std::uint16_t> in, std::span<std::uint8_t> out) const {
    if (in.size() % 32 != 0 || out.size() != in.size()) {
        throw std::invalid_argument("cRAW rows need a width that is a multiple of 32, got " +
                                    std::to_string(in.size()));
    }
    std::array<unsigned, 16> codes{};
    for (std::size_t group = 0; group < in.size(); group += 32) {
        for (std::size_t parity = 0; parity < 2; ++parity) {
            for (std::size_t i = 0; i < 16; ++i) codes[i] = codeOf(in[group + parity + 2 * i]);
            encodeBlock(codes, out.data() + group + 16 * parity);
        }
    }
}

void CrawCodec::decodeRow(std::span<const std::uint8_t> in, std::span<std::uint16_t> out) const {
    if (in.size() % 32 != 0 || out.size() != in.size()) {
        throw std::invalid_argument("cRAW rows need a width that is a multiple of 32, got " +
                                    std::to_string(in.size()));
    }
    std::array<unsigned, 16> codes{};
    for (std::size_t group = 0; group < in.size(); group += 32) {
        for (std::size_t parity = 0; parity < 2; ++parity) {
            decodeBlock(in.data() + group + 16 * parity, codes);
            for (std::size_t i = 0; i < 16; ++i) out[group + parity + 2 * i] = valueOf(codes[i]);
        }
    }
}

std::vector<std::uint8_t> CrawCodec::encode(const RawImage& image) const {
    image.validate();
    const unsigned width = image.layout.raw_width;
    if (width % 32 != 0) {
        throw std::invalid_argument("cRAW needs raw_width to be a multiple of 32, got " + std::to_string(width));
    }
    std::vector<std::uint8_t> strip(stripSize(image.layout));
    for (std::size_t y = 0; y < image.layout.raw_height; ++y) {
        encodeRow(std::span(image.pixels).subspan(y * width, width), std::span(strip).subspan(y * width, width));
    }
    return strip;
}

std::vector<std::uint16_t> CrawCodec::decode(std::span<const std::uint8_t> strip, const SensorLayout& layout) const {
    if (strip.size() != stripSize(layout) || layout.raw_width % 32 != 0) {
        throw std::invalid_argument("cRAW strip of " + std::to_string(strip.size()) + " bytes does not fit " +
                                    layout.describe());
    }
    const unsigned width = layout.raw_width;
    std::vector<std::uint16_t> values(layout.pixelCount());
    for (std::size_t y = 0; y < layout.raw_height; ++y) {
        decodeRow(strip.subspan(y * width, width), std::span(values).subspan(y * width, width));
    }
    return values;
}

}  // namespace sonyalpaca::ptp::sim
