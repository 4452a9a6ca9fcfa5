// SPDX-License-Identifier: GPL-3.0-or-later
// Frames the imaging tests share.
#pragma once

#include "imaging/Frame.hpp"

#include <cstdint>
#include <random>

namespace sonyalpaca::test {

/// A frame of random values (seeded), with 0 and 65535 in its first two pixels.
inline imaging::Frame randomFrame(unsigned width, unsigned height, std::uint32_t seed) {
    std::mt19937 random(seed);
    std::uniform_int_distribution<unsigned> value(0, 65535);
    imaging::Frame frame{width, height, {}};
    frame.pixels.resize(frame.pixelCount());
    for (auto& v : frame.pixels) v = static_cast<std::uint16_t>(value(random));
    if (!frame.pixels.empty()) frame.pixels[0] = 0;
    if (frame.pixels.size() > 1) frame.pixels[1] = 65535;
    return frame;
}

}  // namespace sonyalpaca::test
