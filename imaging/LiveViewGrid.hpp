// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace sonyalpaca::imaging {

/// A live-view JPEG as a coarse grid, about 40 cells wide whatever the body's live-view size: per
/// cell the mean grey level, then (second half) the mean absolute gradient. Averaging a block of
/// pixels per cell keeps what a change of focus does to the scene and drops most of the noise, so
/// two frames compare in microseconds. Lens learning compares
/// such grids to see whether the lens moved. Throws JpegError for data that is not a JPEG.
std::vector<float> liveViewGrid(std::span<const std::uint8_t> jpeg);

}  // namespace sonyalpaca::imaging
