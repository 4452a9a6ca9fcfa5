// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "ptp/sim/sky/SensorLayout.hpp"

#include <cstdint>
#include <vector>

namespace sonyalpaca::ptp::sim {

struct SkyConditions;

/// One star: its centre in raw pixel coordinates (pixel x spans [x, x+1)), its flux, and its colour
/// as the red and blue photosites' response relative to green.
struct Star {
    double x = 0.0;
    double y = 0.0;
    double flux_e_per_s = 0.0;  ///< total electrons per second summed over the star, green photosite
    float red = 1.0F;
    float blue = 1.0F;
};

/// A photosite with a high dark current: a fixed position and rate.
struct HotPixel {
    unsigned x = 0;
    unsigned y = 0;
    double e_per_s = 0.0;
};

/// The scene a seed describes on a given sensor: stars (uniform positions, fluxes from a power law
/// N(>F) ∝ F^-0.875 — star counts growing ×2.24 per magnitude — between the faintest and brightest
/// flux, colours from red to blue) and hot pixels (uniform positions, rates log-uniform in
/// 30–3000 e⁻/s). Deterministic: the same layout and scene parameters give the same field.
class StarField {
public:
    /// Uses seed, stars_per_megapixel, faintest/brightest_star_e_per_s and hot_pixels_per_megapixel.
    /// Throws std::invalid_argument on an invalid layout, negative or non-finite parameters, or more
    /// than 100000 stars or 1000 hot pixels per megapixel.
    StarField(const SensorLayout& layout, const SkyConditions& conditions);

    /// Sorted by y, then x.
    const std::vector<Star>& stars() const noexcept { return stars_; }
    /// Sorted by y, then x; no two at the same place.
    const std::vector<HotPixel>& hotPixels() const noexcept { return hot_pixels_; }

private:
    std::vector<Star> stars_;
    std::vector<HotPixel> hot_pixels_;
};

}  // namespace sonyalpaca::ptp::sim
