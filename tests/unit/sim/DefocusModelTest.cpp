// SPDX-License-Identifier: GPL-3.0-or-later
#include "SimLayouts.hpp"
#include "StarMeasure.hpp"

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
using sonyalpaca::test::HfrMeasurement;
using sonyalpaca::test::measureHfr;

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
