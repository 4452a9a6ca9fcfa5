// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstdint>

namespace sonyalpaca::ptp::sim {

/// Everything one synthetic exposure depends on. Rates are electrons per second per photosite as
/// a green photosite would collect them; red and blue photosites see the star's or sky's colour.
struct SkyConditions {
    // The scene: the same seed gives the same stars and hot pixels in every exposure.
    std::uint64_t seed = 1;
    double stars_per_megapixel = 400.0;        ///< stars brighter than faintest_star_e_per_s
    double faintest_star_e_per_s = 25.0;       ///< total flux of the faintest star (green)
    double brightest_star_e_per_s = 250000.0;  ///< cap on a star's total flux (green)
    double hot_pixels_per_megapixel = 6.0;     ///< at least 3 in any frame when > 0

    // This exposure.
    std::uint64_t noise_seed = 0;  ///< the noise realisation: give each exposure its own
    double exposure_s = 1.0;       ///< > 0
    unsigned iso = 100;            ///< gain = iso / 100 ADU per electron (ISO 100 ≈ unity gain)
    double star_fwhm_px = 2.6;     ///< from DefocusModel; > 0
    double sky_e_per_s = 2.0;      ///< sky background (light pollution, airglow), green photosite
    double dark_e_per_s = 0.02;    ///< thermal signal of an ordinary photosite
    double read_noise_e = 2.5;     ///< read noise before the gain, electrons RMS
    double read_noise_adu = 1.0;   ///< read noise after the gain (ADC), ADU RMS
    unsigned black_level = 512;    ///< bias, 14-bit scale
    unsigned white_level = 15360;  ///< clipping point, 14-bit scale
    unsigned bits = 14;            ///< 12: values are multiples of 4
};

}  // namespace sonyalpaca::ptp::sim
