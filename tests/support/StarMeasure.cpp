// SPDX-License-Identifier: GPL-3.0-or-later
#include "StarMeasure.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <vector>

namespace sonyalpaca::test {

using ptp::sim::RawImage;
using ptp::sim::SensorLayout;

HfrMeasurement measureHfr(const RawImage& raw) {
    const SensorLayout& l = raw.layout;
    const unsigned w = l.crop_width / 2;
    const unsigned h = l.crop_height / 2;
    std::vector<double> lum(static_cast<std::size_t>(w) * h);
    std::vector<bool> saturated(lum.size(), false);
    for (unsigned y = 0; y < h; ++y) {
        for (unsigned x = 0; x < w; ++x) {
            double sum = 0.0;
            bool clip = false;
            for (unsigned dy = 0; dy < 2; ++dy) {
                for (unsigned dx = 0; dx < 2; ++dx) {
                    const std::uint16_t v = raw.at(l.crop_left + 2 * x + dx, l.crop_top + 2 * y + dy);
                    sum += v;
                    clip = clip || v >= raw.white_level;
                }
            }
            lum[static_cast<std::size_t>(y) * w + x] = sum;
            saturated[static_cast<std::size_t>(y) * w + x] = clip;
        }
    }
    std::vector<double> sorted = lum;
    std::nth_element(sorted.begin(), sorted.begin() + static_cast<std::ptrdiff_t>(sorted.size() / 2), sorted.end());
    const double background = sorted[sorted.size() / 2];
    for (double& v : sorted) v = std::abs(v - background);
    std::nth_element(sorted.begin(), sorted.begin() + static_cast<std::ptrdiff_t>(sorted.size() / 2), sorted.end());
    const double noise = 1.4826 * sorted[sorted.size() / 2];

    const int aperture = 12;  // binned pixels: holds a 16-pixel-FWHM star
    auto value = [&](int x, int y) { return lum[static_cast<std::size_t>(y) * w + static_cast<std::size_t>(x)]; };
    std::vector<std::pair<int, int>> peaks;
    for (int y = aperture + 3; y < static_cast<int>(h) - aperture - 3; ++y) {
        for (int x = aperture + 3; x < static_cast<int>(w) - aperture - 3; ++x) {
            const double v = value(x, y);
            if (v < background + 10.0 * noise) continue;
            bool is_max = true;
            for (int dy = -3; dy <= 3 && is_max; ++dy) {
                for (int dx = -3; dx <= 3 && is_max; ++dx) {
                    if ((dx != 0 || dy != 0) && value(x + dx, y + dy) >= v) is_max = false;
                }
            }
            if (is_max) peaks.emplace_back(x, y);
        }
    }
    HfrMeasurement result;
    std::vector<double> radii;
    for (const auto& [px, py] : peaks) {
        const bool crowded = std::any_of(peaks.begin(), peaks.end(), [&](const auto& other) {
            const int dx = other.first - px;
            const int dy = other.second - py;
            return (dx != 0 || dy != 0) && dx * dx + dy * dy < 2 * aperture * aperture;
        });
        if (crowded) continue;
        // Local background: the mean of a ring just outside the aperture.
        double ring = 0.0;
        int ring_count = 0;
        for (int dy = -aperture - 3; dy <= aperture + 3; ++dy) {
            for (int dx = -aperture - 3; dx <= aperture + 3; ++dx) {
                const int r2 = dx * dx + dy * dy;
                if (r2 <= aperture * aperture || r2 > (aperture + 3) * (aperture + 3)) continue;
                ring += value(px + dx, py + dy);
                ++ring_count;
            }
        }
        const double local = ring / ring_count;
        // Aperture from the star itself: three times the radius of its half-maximum area.
        const double half = 0.5 * (value(px, py) - local);
        int above = 0;
        for (int dy = -aperture; dy <= aperture; ++dy) {
            for (int dx = -aperture; dx <= aperture; ++dx) {
                if (dx * dx + dy * dy <= aperture * aperture && value(px + dx, py + dy) - local > half) ++above;
            }
        }
        const int radius =
            std::clamp(static_cast<int>(std::ceil(3.0 * std::sqrt(above / std::numbers::pi))), 3, aperture);
        double flux = 0.0;
        double cx = 0.0;
        double cy = 0.0;
        bool clip = false;
        for (int dy = -radius; dy <= radius; ++dy) {
            for (int dx = -radius; dx <= radius; ++dx) {
                if (dx * dx + dy * dy > radius * radius) continue;
                const double f = value(px + dx, py + dy) - local;
                flux += f;
                cx += f * (px + dx);
                cy += f * (py + dy);
                clip = clip || saturated[static_cast<std::size_t>(py + dy) * w + static_cast<std::size_t>(px + dx)];
            }
        }
        if (clip || flux < 50.0 * noise) continue;
        cx /= flux;
        cy /= flux;
        double weighted = 0.0;
        for (int dy = -radius; dy <= radius; ++dy) {
            for (int dx = -radius; dx <= radius; ++dx) {
                if (dx * dx + dy * dy > radius * radius) continue;
                const double f = value(px + dx, py + dy) - local;
                weighted += f * std::hypot(px + dx - cx, py + dy - cy);
            }
        }
        radii.push_back(2.0 * weighted / flux);  // binned pixels back to raw pixels
    }
    result.stars = radii.size();
    if (!radii.empty()) {
        std::nth_element(radii.begin(), radii.begin() + static_cast<std::ptrdiff_t>(radii.size() / 2), radii.end());
        result.median_hfr_px = radii[radii.size() / 2];
    }
    return result;
}

}  // namespace sonyalpaca::test
