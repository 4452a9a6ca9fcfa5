// SPDX-License-Identifier: GPL-3.0-or-later
#include "imaging/Subframe.hpp"

#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <string>

namespace sonyalpaca::imaging {

void Subframe::check(unsigned width, unsigned height) const {
    auto invalid = [](const std::string& what) { throw std::invalid_argument(what); };
    if (bin != 1 && bin != 2) invalid("BinX/BinY " + std::to_string(bin) + " is not supported: use 1 or 2");
    const std::uint64_t max_x = width / bin;
    const std::uint64_t max_y = height / bin;
    if (num_x == 0 || num_y == 0) {
        invalid("NumX " + std::to_string(num_x) + " and NumY " + std::to_string(num_y) + " must be at least 1");
    }
    if (std::uint64_t{start_x} + num_x > max_x) {
        invalid("StartX " + std::to_string(start_x) + " + NumX " + std::to_string(num_x) + " exceeds " +
                std::to_string(max_x) + ", the frame's width at bin " + std::to_string(bin));
    }
    if (std::uint64_t{start_y} + num_y > max_y) {
        invalid("StartY " + std::to_string(start_y) + " + NumY " + std::to_string(num_y) + " exceeds " +
                std::to_string(max_y) + ", the frame's height at bin " + std::to_string(bin));
    }
}

Frame extractSubframe(const Frame& frame, const Subframe& region) {
    region.check(frame.width, frame.height);
    if (frame.pixels.size() != frame.pixelCount()) {
        throw std::invalid_argument("frame of " + std::to_string(frame.width) + "x" + std::to_string(frame.height) +
                                    " holds " + std::to_string(frame.pixels.size()) + " pixels");
    }
    Frame out;
    out.width = region.num_x;
    out.height = region.num_y;
    out.pixels.resize(out.pixelCount());
    const std::size_t stride = frame.width;
    const std::uint16_t* source = frame.pixels.data();
    std::uint16_t* target = out.pixels.data();
    if (region.bin == 1) {
        for (unsigned y = 0; y < out.height; ++y) {
            const std::uint16_t* row = source + (std::size_t{region.start_y} + y) * stride + region.start_x;
            std::copy(row, row + out.width, target + static_cast<std::size_t>(y) * out.width);
        }
        return out;
    }
    for (unsigned y = 0; y < out.height; ++y) {
        const std::size_t source_y = (std::size_t{region.start_y} + y) * 2;
        const std::uint16_t* top = source + source_y * stride + std::size_t{region.start_x} * 2;
        const std::uint16_t* bottom = top + stride;
        std::uint16_t* row = target + static_cast<std::size_t>(y) * out.width;
        for (unsigned x = 0; x < out.width; ++x) {
            const unsigned sum = unsigned{top[2 * x]} + top[2 * x + 1] + bottom[2 * x] + bottom[2 * x + 1];
            row[x] = static_cast<std::uint16_t>((sum + 2) / 4);
        }
    }
    return out;
}

}  // namespace sonyalpaca::imaging
