// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "imaging/Jpeg.hpp"
#include "imaging/RawDecoder.hpp"

#include <cstddef>
#include <cstdint>

namespace sonyalpaca::imaging {

/// How a thumbnail is made; the defaults suit a phone screen and a night sky.
struct ThumbnailOptions {
    unsigned max_width = 640;        ///< the thumbnail is at most this wide (and as wide as it can be up to it)
    double background = 0.2;         ///< where each channel's median (the sky) lands on the 0..1 output scale
    double black_sigmas = 2.8;       ///< black point: this many noise sigmas (from the MAD) below the median
    double white_percentile = 99.9;  ///< white point of each channel
    double white_sigmas = 20;        ///< ... but at least this many noise sigmas above the median
};

/// A stretched colour thumbnail of a Bayer frame, for a person to look at (the setup page; the
/// simulator's JPEG captures).
///
/// Debayers by 2x2 superpixel (the frame is RGGB from (0, 0): R, the mean of the two greens, B), then
/// averages n x n superpixels, n the smallest that makes the thumbnail at most `max_width` wide (so a
/// 6024-wide frame gives 602 pixels; a frame narrower than twice `max_width` stays at its superpixel
/// size). Each channel is stretched on its own: black at the median minus `black_sigmas` noise sigmas
/// (not below the 0.1 percentile), white at the `white_percentile` but at least `white_sigmas` above
/// the median (so that sky noise with a few stars is not stretched into a screen of noise), then an
/// asinh curve that puts the median at `background`, so faint stars show and the sky comes out a
/// neutral dark grey. Percentiles are
/// taken on a subsample of at most 2^16 thumbnail pixels per channel. An odd last row or column is
/// left out.
///
/// Costs one pass over the frame (about 20 ms for 24 MP on a PC). Pure; thread-safe. Throws
/// std::invalid_argument for a frame smaller than 2x2 or whose pixel count does not match its size.
Image8 makeThumbnail(const RawFrame& frame, const ThumbnailOptions& options = {});

/// A Bayer mosaic held elsewhere, RGGB from (0, 0): `width` x `height` photosites, the row y at
/// pixels + y · stride. A crop of a larger readout (the simulator's raw frame) is one without a copy.
struct MosaicView {
    const std::uint16_t* pixels = nullptr;
    unsigned width = 0;
    unsigned height = 0;
    std::size_t stride = 0;  ///< values from one row to the next, at least width
};

/// The same thumbnail of a mosaic held elsewhere. Throws std::invalid_argument for a mosaic smaller
/// than 2x2, no pixels or a stride below the width.
Image8 makeThumbnail(const MosaicView& mosaic, const ThumbnailOptions& options = {});

}  // namespace sonyalpaca::imaging
