// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "ptp/sim/sky/RawImage.hpp"

#include <cstddef>

namespace sonyalpaca::test {

/// Median half-flux radius of the stars in a frame, in raw pixels, measured the way autofocus
/// software does it without knowing where the stars are: bin the crop 2x2 into a luminance image,
/// take the median as the background and 1.4826 MAD as the noise, find local maxima 10 sigma above
/// the background, and for each isolated, unsaturated one take the flux-weighted mean distance from
/// the flux centroid of the pixels less the mean of a ring around the star, within an aperture of
/// three times the radius of the star's half-maximum area. The median keeps blends and stars next
/// to saturated ones from moving the result (N.I.N.A. rejects such outliers too).
struct HfrMeasurement {
    double median_hfr_px = 0.0;
    std::size_t stars = 0;
};

HfrMeasurement measureHfr(const ptp::sim::RawImage& raw);

}  // namespace sonyalpaca::test
