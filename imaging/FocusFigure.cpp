// SPDX-License-Identifier: GPL-3.0-or-later
#include "imaging/FocusFigure.hpp"

#include <algorithm>
#include <cmath>

namespace sonyalpaca::imaging {

double focusFigure(const Image8& grey, const Window& window) {
    if (grey.width == 0 || grey.height == 0 || grey.components != 1) return 0;
    const auto clip = [](double value, unsigned size) {
        return static_cast<unsigned>(std::clamp(std::lround(value), 0L, static_cast<long>(size)));
    };
    const unsigned left = clip(window.centre_x - window.half, grey.width);
    const unsigned right = clip(window.centre_x + window.half, grey.width);
    const unsigned top = clip(window.centre_y - window.half, grey.height);
    const unsigned bottom = clip(window.centre_y + window.half, grey.height);
    if (right < left + 3 || bottom < top + 3) return 0;
    double sum = 0;
    double squares = 0;
    std::size_t differences = 0;
    std::size_t pixels = 0;
    for (unsigned y = top; y < bottom; ++y) {
        const std::uint8_t* row = grey.samples.data() + static_cast<std::size_t>(y) * grey.width;
        const std::uint8_t* below = y + 2 < bottom ? row + 2 * static_cast<std::size_t>(grey.width) : nullptr;
        for (unsigned x = left; x < right; ++x) {
            sum += row[x];
            ++pixels;
            if (x + 2 < right) {
                const int across = row[x + 2] - row[x];
                squares += across * across;
                ++differences;
            }
            if (below) {
                const int down = below[x] - row[x];
                squares += down * down;
                ++differences;
            }
        }
    }
    const double mean = sum / static_cast<double>(pixels);
    const double level = mean + 1.0;
    return 1000.0 * squares / static_cast<double>(differences) / (level * level);
}

}  // namespace sonyalpaca::imaging
