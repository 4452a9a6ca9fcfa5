// SPDX-License-Identifier: GPL-3.0-or-later
#include "ptp/sim/sky/StarField.hpp"

#include "ptp/sim/sky/FastRandom.hpp"
#include "ptp/sim/sky/SkyConditions.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace sonyalpaca::ptp::sim {

namespace {

constexpr double kCountSlope = 0.875;  // N(>F) ∝ F^-0.875, i.e. log N rises 0.35 per magnitude

void requireNonNegative(double value, const char* name) {
    if (!(value >= 0.0) || !std::isfinite(value)) {
        throw std::invalid_argument(std::string("sky conditions: ") + name + " is " + std::to_string(value) +
                                    ", allowed a finite value >= 0");
    }
}

}  // namespace

StarField::StarField(const SensorLayout& layout, const SkyConditions& conditions) {
    layout.validate();
    requireNonNegative(conditions.stars_per_megapixel, "stars_per_megapixel");
    requireNonNegative(conditions.hot_pixels_per_megapixel, "hot_pixels_per_megapixel");
    if (conditions.stars_per_megapixel > 100000.0 || conditions.hot_pixels_per_megapixel > 1000.0) {
        throw std::invalid_argument("sky conditions: at most 100000 stars and 1000 hot pixels per megapixel");
    }
    if (!(conditions.faintest_star_e_per_s > 0.0) ||
        !(conditions.brightest_star_e_per_s >= conditions.faintest_star_e_per_s) ||
        !std::isfinite(conditions.brightest_star_e_per_s)) {
        throw std::invalid_argument("sky conditions: need 0 < faintest_star_e_per_s <= brightest_star_e_per_s, got " +
                                    std::to_string(conditions.faintest_star_e_per_s) + " and " +
                                    std::to_string(conditions.brightest_star_e_per_s));
    }
    const double megapixels = static_cast<double>(layout.pixelCount()) / 1e6;
    const double width = layout.raw_width;
    const double height = layout.raw_height;

    FastRandom star_random = FastRandom::stream(conditions.seed, 1);
    const auto star_count = static_cast<std::size_t>(std::llround(conditions.stars_per_megapixel * megapixels));
    stars_.reserve(star_count);
    for (std::size_t i = 0; i < star_count; ++i) {
        Star star;
        star.x = star_random.uniform() * width;
        star.y = star_random.uniform() * height;
        // Inverse CDF of the power law, 1 - u in (0, 1].
        const double u = 1.0 - star_random.uniform();
        star.flux_e_per_s = std::min(conditions.faintest_star_e_per_s * std::pow(u, -1.0 / kCountSlope),
                                     conditions.brightest_star_e_per_s);
        // Colour from hot (blue) to cool (red) stars, through a camera's green-weighted response.
        const double t = star_random.uniform();
        star.red = static_cast<float>(0.45 + 0.55 * t);
        star.blue = static_cast<float>(0.95 - 0.55 * t);
        stars_.push_back(star);
    }
    std::sort(stars_.begin(), stars_.end(),
              [](const Star& a, const Star& b) { return a.y != b.y ? a.y < b.y : a.x < b.x; });

    if (conditions.hot_pixels_per_megapixel > 0.0) {
        FastRandom hot_random = FastRandom::stream(conditions.seed, 2);
        const auto wanted = std::min(layout.pixelCount() / 2,
                                     std::max<std::size_t>(3, static_cast<std::size_t>(std::llround(
                                                                  conditions.hot_pixels_per_megapixel * megapixels))));
        while (hot_pixels_.size() < wanted) {
            HotPixel hot;
            hot.x = static_cast<unsigned>(hot_random.uniform() * width);
            hot.y = static_cast<unsigned>(hot_random.uniform() * height);
            hot.e_per_s = 30.0 * std::pow(100.0, hot_random.uniform());
            const bool taken = std::any_of(hot_pixels_.begin(), hot_pixels_.end(),
                                           [&](const HotPixel& h) { return h.x == hot.x && h.y == hot.y; });
            if (!taken) hot_pixels_.push_back(hot);
        }
        std::sort(hot_pixels_.begin(), hot_pixels_.end(),
                  [](const HotPixel& a, const HotPixel& b) { return a.y != b.y ? a.y < b.y : a.x < b.x; });
    }
}

}  // namespace sonyalpaca::ptp::sim
