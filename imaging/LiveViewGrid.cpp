// SPDX-License-Identifier: GPL-3.0-or-later
#include "imaging/LiveViewGrid.hpp"

#include "imaging/Jpeg.hpp"

#include <algorithm>
#include <cstdlib>

namespace sonyalpaca::imaging {

std::vector<float> liveViewGrid(std::span<const std::uint8_t> jpeg) {
    constexpr unsigned kColumns = 40;
    const Image8 image = decodeJpegGrey(jpeg, kColumns * 12);
    const unsigned block = std::max(2u, image.width / kColumns);
    const unsigned columns = image.width / block, rows = image.height / block;
    if (columns == 0 || rows == 0) throw JpegError("the live-view frame is too small to compare");
    // Per cell: the mean level (what a large blur changes), then the mean absolute gradient (what
    // a small blur changes: near focus, a step changes fine detail more than any cell's mean).
    const std::size_t cells = static_cast<std::size_t>(columns) * rows;
    std::vector<float> grid(2 * cells, 0.0f);
    for (unsigned y = 0; y < rows * block; ++y) {
        const std::uint8_t* row = image.samples.data() + static_cast<std::size_t>(y) * image.width;
        const std::uint8_t* below = y + 1 < image.height ? row + image.width : row;
        float* means = grid.data() + static_cast<std::size_t>(y / block) * columns;
        float* detail = means + cells;
        for (unsigned x = 0; x < columns * block; ++x) {
            means[x / block] += row[x];
            const int right = x + 1 < image.width ? row[x + 1] : row[x];
            detail[x / block] += static_cast<float>(std::abs(right - row[x]) + std::abs(below[x] - row[x]));
        }
    }
    const float scale = 1.0f / static_cast<float>(block * block);
    for (float& cell : grid) cell *= scale;
    return grid;
}

}  // namespace sonyalpaca::imaging
