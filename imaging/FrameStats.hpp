// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "imaging/RawDecoder.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace sonyalpaca::imaging {

/// What the figures of a frame are computed with; the defaults suit a night sky.
struct FrameStatsOptions {
    double pixel_um = 0;              ///< the sensor's pixel pitch; 0: unknown (no HFR in arc-seconds)
    double focal_length_mm = 0;       ///< the optics' focal length; 0: unknown (no HFR in arc-seconds)
    double detect_sigmas = 8;         ///< a star's peak stands this many noise sigmas above the background
    std::size_t max_measured = 2000;  ///< the HFR median is taken over at most this many of the brightest stars
};

/// A histogram per colour of the Bayer mosaic. Bin i holds the photosites with values in
/// [i · bin_width, (i + 1) · bin_width); values above max_adu (none, after the decoder) count in the
/// last bin. The bins cover 0..max_adu: bin_width is the smallest power of two that needs at most 64
/// bins (256 ADU for 14-bit files, 64 for 12-bit), so every bin but the last is as wide as the others.
struct ColourHistogram {
    unsigned bin_width = 1;
    std::vector<std::uint64_t> red;    ///< the R photosites, a quarter of the frame
    std::vector<std::uint64_t> green;  ///< both G photosites of each 2x2 cell, half of the frame
    std::vector<std::uint64_t> blue;   ///< the B photosites, a quarter of the frame
};

/// The figures a person at the telescope wants from the last frame.
///
/// The background and noise are measured on the sky's luminance: the mean of each 2x2 RGGB cell (R,
/// G, G, B), less the black level. The background is the median of a sample of those cells (at most
/// 2^18, evenly spread); the noise is 1.4826 times the median absolute difference between each sampled
/// cell and its right-hand neighbour, divided by √2: a robust sigma that a gradient across the frame
/// (light pollution, vignetting) does not inflate. Both medians are interpolated within the integer
/// steps of the data. The noise is that of a cell's mean, so about half of one photosite's (four
/// photosites averaged).
struct FrameStats {
    std::size_t stars = 0;                    ///< stars found (saturated and crowded ones included; hot pixels not)
    std::size_t measured = 0;                 ///< stars in the HFR median: unsaturated, isolated, away from the edges
    std::size_t saturated = 0;                ///< stars with a clipped photosite in their core
    std::optional<double> median_hfr_px;      ///< median half-flux radius in photosites; none without measured stars
    std::optional<double> median_hfr_arcsec;  ///< the same on the sky, when pixel size and focal length are known
    double background_adu = 0;                ///< median cell mean above black, ADU
    double noise_adu = 0;                     ///< 1.4826 · MAD of the cell means, ADU
    double clipped_fraction = 0;              ///< photosites at or above the clip level, 0..1
    unsigned clip_level = 0;                  ///< white_level (when set and at most max_adu), else max_adu
    ColourHistogram histogram;
};

/// Arc-seconds on the sky for a length in pixels: px · pixel_um / focal_mm · 206.265. Nothing when
/// either is unknown (0 or less).
std::optional<double> pixelsToArcsec(double pixels, double pixel_um, double focal_length_mm) noexcept;

/// The figures of a decoded frame (a Bayer mosaic, RGGB from (0, 0), even sides; an odd last row or
/// column is left out).
///
/// One pass over the mosaic counts the histograms and the clipped photosites and sums each 2x2 cell
/// into a luminance image a quarter of the frame's size (16 bits a cell: 12 MB for 24 MP). Stars are
/// found on that image against a map of the sky in blocks of 32x32 cells (each the median of a sample
/// of its cells, then the median of the 3x3 blocks around it): cells more than `detect_sigmas` noise
/// sigmas above their block's sky are joined into 8-connected groups, one star each, at the group's
/// brightest cell. Groups larger than 4096 cells (a nebula, the Moon, a bright gradient) are no star.
/// A group whose 8 neighbouring cells of the peak hold together less than 15 % of the peak's excess
/// (or less than 6 sigmas), or whose one or two brightest photosites hold more than 80 % of the excess
/// of the 3x3 cells around the peak, is a hot pixel (or two side by side) or a cosmic ray, not a star:
/// a star, however sharp (sigma down to about 0.5 photosites), spills into the photosites and cells
/// around its peak.
///
/// The HFR of a star is the flux-weighted mean distance of its cells from its flux centroid (what
/// N.I.N.A. calls HFR: √(π/2) σ = 1.2533 σ for a Gaussian star of standard deviation σ, the radius
/// holding half the flux being 1.1774 σ), in photosites (twice the cells). The flux is each cell less
/// the median of a ring around the star, within an aperture of 3.5 times the star's half width at half
/// maximum (3 to 24 cells: a star far out of focus, of HFR above about 15 photosites, comes out
/// smaller). The cell adds its own width to the star: σ² grows by 1/3 photosite² (2.6 % on σ = 2.5
/// photosites). Not measured: stars with a clipped photosite in the 3x3 cells around their peak, stars
/// with another star's peak within their ring, stars whose ring leaves the frame; of the rest, the
/// `max_measured` brightest. The median of an even count is the mean of the middle two.
///
/// About 50 ms for 24 MP on a PC (bench/bench_framestats). Pure; thread-safe. Throws
/// std::invalid_argument for a frame smaller than 2x2 or whose pixel count does not match its size.
FrameStats computeFrameStats(const RawFrame& frame, const FrameStatsOptions& options = {});

}  // namespace sonyalpaca::imaging
