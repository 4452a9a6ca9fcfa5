// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "imaging/Frame.hpp"

namespace sonyalpaca::imaging {

/// The part of a frame an Alpaca client asked for: StartX, StartY, NumX and NumY in binned pixels,
/// and BinX = BinY = bin.
///
/// Binning is 2x2 software binning by the rounded mean, (a + b + c + d + 2) / 4, not the sum: a
/// binned value then never exceeds the camera's MaxADU and keeps its black level, so clients that
/// judge saturation and statistics by MaxADU (which Alpaca defines per camera, not per bin level)
/// stay right; the sum would reach 4 x MaxADU. The cost is two bits of precision, far below the
/// noise of four photosites. On a Bayer mosaic a 2x2 bin covers one whole RGGB cell (when StartX
/// is on a cell boundary), so the binned frame is a luminance image without a colour pattern.
/// At bin 1 the region keeps the mosaic: an odd StartX or StartY moves its colour pattern, which
/// clients derive from BayerOffsetX/Y (stated for the full sensor) and StartX/StartY.
struct Subframe {
    unsigned start_x = 0;
    unsigned start_y = 0;
    unsigned num_x = 0;
    unsigned num_y = 0;
    unsigned bin = 1;  ///< 1 or 2

    /// The whole frame of width x height at bin 1.
    static Subframe full(unsigned width, unsigned height) noexcept { return {0, 0, width, height, 1}; }

    /// Throws std::invalid_argument naming the field, its value and the allowed range when bin is not
    /// 1 or 2, NumX or NumY is 0, or (Start + Num) x bin exceeds the frame's width or height.
    void check(unsigned width, unsigned height) const;
};

/// The region of `frame`, binned, in one pass over the source. Throws as Subframe::check.
Frame extractSubframe(const Frame& frame, const Subframe& region);

}  // namespace sonyalpaca::imaging
