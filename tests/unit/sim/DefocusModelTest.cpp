// SPDX-License-Identifier: GPL-3.0-or-later
#include "SimLayouts.hpp"

#include "ptp/sim/sky/DefocusModel.hpp"
#include "ptp/sim/sky/SkyRenderer.hpp"

#include <doctest/doctest.h>

#include <stdexcept>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <vector>

using namespace sonyalpaca::ptp::sim;

/// Autofocus frames: 1.06 MP, enough stars for a robust median, still quick.
SensorLayout autofocusLayout() { return {1280, 848, 12, 12, 1256, 824}; }

namespace {

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
        const int radius = std::clamp(static_cast<int>(std::ceil(3.0 * std::sqrt(above / std::numbers::pi))), 3,
                                      aperture);
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

SkyConditions autofocusFrame(double fwhm, std::uint64_t exposure_number) {
    SkyConditions c;
    c.seed = 2024;
    c.noise_seed = exposure_number;
    c.exposure_s = 8.0;
    c.iso = 400;
    c.star_fwhm_px = fwhm;
    c.stars_per_megapixel = 250.0;
    return c;
}

}  // namespace

TEST_CASE("defocus: FWHM is a hyperbola in the focus error, strictly growing with |d|") {
    const DefocusModel model;
    const auto& p = model.parameters();
    CHECK(model.fwhmPx(0.0) == doctest::Approx(p.best_fwhm_px));
    CHECK(model.fwhmPx(30.0) == doctest::Approx(std::hypot(p.best_fwhm_px, 30.0 * p.slope_px_per_unit)));
    double previous = 0.0;
    for (double d = 0.0; d <= 300.0; d += 0.5) {
        const double fwhm = model.fwhmPx(d);
        CHECK(model.fwhmPx(-d) == fwhm);
        if (fwhm < p.max_fwhm_px) CHECK(fwhm > previous);
        previous = fwhm;
    }
    CHECK(model.fwhmPx(1e6) == p.max_fwhm_px);
}

TEST_CASE("defocus: best focus drifts with temperature") {
    DefocusModel::Parameters p;
    p.best_focus_units = 1200.0;
    p.reference_temperature_c = 10.0;
    p.drift_units_per_c = 2.0;
    const DefocusModel model(p);
    CHECK(model.bestFocus(10.0) == doctest::Approx(1200.0));
    CHECK(model.bestFocus(0.0) == doctest::Approx(1180.0));
    CHECK(model.fwhmAt(1180.0, 0.0) == doctest::Approx(p.best_fwhm_px));
    CHECK(model.fwhmAt(1180.0, 10.0) > model.fwhmAt(1180.0, 0.0));
    p.slope_px_per_unit = 0.0;
    CHECK_THROWS_WITH_AS(DefocusModel{p}, doctest::Contains("slope_px_per_unit"), std::invalid_argument);
}

TEST_CASE("autofocus finds a V-curve: measured star HFR grows with |lens position - best focus|") {
    DefocusModel::Parameters p;
    p.best_focus_units = 537.0;
    const DefocusModel model(p);
    // A N.I.N.A.-style run: 9 points, 25 units apart, around a guess 12 units off.
    std::vector<double> positions;
    std::vector<double> hfr;
    std::uint64_t exposure = 0;
    for (int i = -4; i <= 4; ++i) {
        const double position = 525.0 + 25.0 * i;
        const RawImage frame = renderSky(autofocusLayout(), autofocusFrame(model.fwhmAt(position, 15.0), ++exposure));
        const HfrMeasurement m = measureHfr(frame);
        CAPTURE(position);
        CAPTURE(m.median_hfr_px);
        REQUIRE(m.stars >= 5);
        positions.push_back(position);
        hfr.push_back(m.median_hfr_px);
    }
    // The minimum is at the point nearest best focus, and both arms rise monotonically away from it.
    const auto best = static_cast<std::size_t>(std::min_element(hfr.begin(), hfr.end()) - hfr.begin());
    CHECK(positions[best] == doctest::Approx(525.0));
    for (std::size_t i = best; i + 1 < hfr.size(); ++i) CHECK(hfr[i + 1] > hfr[i]);
    for (std::size_t i = best; i > 0; --i) CHECK(hfr[i - 1] > hfr[i]);
    // Symmetric arms: |d| 112 on the left against 88 on the right, and 62 against 38.
    CHECK(hfr[0] > hfr[8]);
    CHECK(hfr[1] > hfr[7]);
}

TEST_CASE("measured star size grows monotonically with defocus") {
    const DefocusModel model;
    double previous = 0.0;
    std::uint64_t exposure = 100;
    for (double d : {0.0, 15.0, 30.0, 50.0, 80.0, 110.0}) {
        const HfrMeasurement m = measureHfr(renderSky(autofocusLayout(), autofocusFrame(model.fwhmPx(d), ++exposure)));
        CAPTURE(d);
        CAPTURE(m.median_hfr_px);
        REQUIRE(m.stars >= 5);
        CHECK(m.median_hfr_px > previous);
        previous = m.median_hfr_px;
    }
}
