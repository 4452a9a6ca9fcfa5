// SPDX-License-Identifier: GPL-3.0-or-later
#include "imaging/Transpose.hpp"

#include <algorithm>
#include <cstddef>
#include <functional>
#include <stdexcept>
#include <string>

namespace sonyalpaca::imaging {
namespace {

constexpr unsigned kTile = 64;

void checkSizes(std::span<const std::uint16_t> in, unsigned width, unsigned height, std::span<std::uint16_t> out) {
    const std::size_t n = static_cast<std::size_t>(width) * height;
    if (in.size() != n || out.size() != n) {
        throw std::invalid_argument("transpose of " + std::to_string(width) + "x" + std::to_string(height) + " needs " +
                                    std::to_string(n) + " values in and out, got " + std::to_string(in.size()) +
                                    " and " + std::to_string(out.size()));
    }
    const std::less<const std::uint16_t*> before;
    if (n > 0 && before(in.data(), out.data() + n) && before(out.data(), in.data() + n)) {
        throw std::invalid_argument("transpose: input and output overlap");
    }
}

}  // namespace

void transposeToColumns(std::span<const std::uint16_t> in, unsigned width, unsigned height,
                        std::span<std::uint16_t> out) {
    checkSizes(in, width, height, out);
    const std::uint16_t* source = in.data();
    std::uint16_t* target = out.data();
    const std::size_t w = width;
    const std::size_t h = height;
    for (std::size_t y0 = 0; y0 < h; y0 += kTile) {
        const std::size_t y1 = std::min(h, y0 + kTile);
        for (std::size_t x0 = 0; x0 < w; x0 += kTile) {
            const std::size_t x1 = std::min(w, x0 + kTile);
            for (std::size_t x = x0; x < x1; ++x) {
                std::uint16_t* column = target + x * h;
                const std::uint16_t* from = source + x;
                for (std::size_t y = y0; y < y1; ++y) column[y] = from[y * w];
            }
        }
    }
}

void transposeToColumnsNaive(std::span<const std::uint16_t> in, unsigned width, unsigned height,
                             std::span<std::uint16_t> out) {
    checkSizes(in, width, height, out);
    const std::size_t w = width;
    const std::size_t h = height;
    for (std::size_t x = 0; x < w; ++x) {
        for (std::size_t y = 0; y < h; ++y) out[x * h + y] = in[y * w + x];
    }
}

}  // namespace sonyalpaca::imaging
