// SPDX-License-Identifier: GPL-3.0-or-later
#include "SimLayouts.hpp"

#include "ptp/sim/sky/SkyRenderer.hpp"

#include <doctest/doctest.h>

#include <stdexcept>

#include <algorithm>
#include <cmath>

using namespace sonyalpaca::ptp::sim;
using sonyalpaca::test::smallLayout;

namespace {

SkyConditions night() {
    SkyConditions c;
    c.seed = 11;
    c.noise_seed = 1;
    c.exposure_s = 10.0;
    c.iso = 400;
    return c;
}

struct Moments {
    double mean = 0.0;
    double variance = 0.0;
    std::size_t count = 0;
};

/// Mean and variance of the crop's photosites of one colour, hot pixels left out.
Moments moments(const RawImage& image, CfaColour colour, const std::vector<HotPixel>& hot = {}) {
    const SensorLayout& l = image.layout;
    double sum = 0.0;
    double sum2 = 0.0;
    std::size_t n = 0;
    for (unsigned y = l.crop_top; y < l.crop_top + l.crop_height; ++y) {
        for (unsigned x = l.crop_left; x < l.crop_left + l.crop_width; ++x) {
            if (SensorLayout::colourAt(x, y) != colour) continue;
            if (std::any_of(hot.begin(), hot.end(), [&](const HotPixel& h) { return h.x == x && h.y == y; })) continue;
            const double v = image.at(x, y);
            sum += v;
            sum2 += v * v;
            ++n;
        }
    }
    const double mean = sum / static_cast<double>(n);
    return {mean, sum2 / static_cast<double>(n) - mean * mean, n};
}

}  // namespace

TEST_CASE("the same conditions render the same frame, any band of rows renders the same values") {
    const SensorLayout layout = smallLayout();
    const SkyRenderer renderer(layout, night());
    const RawImage a = renderer.render();
    const RawImage b = renderSky(layout, night());
    CHECK(a.pixels == b.pixels);
    CHECK(a.layout == layout);
    CHECK(a.black_level == 512);
    CHECK(a.white_level == 15360);

    std::vector<std::uint16_t> banded(layout.pixelCount());
    const unsigned cuts[] = {0, 1, 137, 300, 424};
    for (std::size_t i = 0; i + 1 < std::size(cuts); ++i) {
        const std::size_t from = static_cast<std::size_t>(cuts[i]) * layout.raw_width;
        const std::size_t count = static_cast<std::size_t>(cuts[i + 1] - cuts[i]) * layout.raw_width;
        renderer.renderRows(cuts[i], cuts[i + 1] - cuts[i], std::span(banded).subspan(from, count));
    }
    CHECK(banded == a.pixels);
    std::vector<std::uint16_t> wrong(10);
    CHECK_THROWS_AS(renderer.renderRows(0, 1, wrong), std::invalid_argument);
    CHECK_THROWS_AS(renderer.renderRows(420, 5, wrong), std::invalid_argument);
}

TEST_CASE("a seed fixes the stars and hot pixels, the noise seed changes only the noise") {
    const SensorLayout layout = smallLayout();
    SkyConditions first = night();
    SkyConditions second = night();
    second.noise_seed = 2;
    second.exposure_s = 30.0;
    second.iso = 1600;
    const StarField a(layout, first);
    const StarField b(layout, second);
    REQUIRE(a.stars().size() == b.stars().size());
    CHECK(a.stars().size() == 109);  // 400 per megapixel on 0.27 MP
    for (std::size_t i = 0; i < a.stars().size(); ++i) {
        CHECK(a.stars()[i].x == b.stars()[i].x);
        CHECK(a.stars()[i].flux_e_per_s == b.stars()[i].flux_e_per_s);
    }
    REQUIRE(a.hotPixels().size() == b.hotPixels().size());
    CHECK(a.hotPixels().size() >= 3);

    SkyConditions other_sky = night();
    other_sky.seed = 12;
    CHECK(StarField(layout, other_sky).stars().front().x != a.stars().front().x);

    const RawImage one = renderSky(layout, first);
    SkyConditions again = first;
    again.noise_seed = 2;
    const RawImage two = renderSky(layout, again);
    CHECK(one.pixels != two.pixels);
    // The brightest star is at the same place in both.
    const Star brightest = *std::max_element(a.stars().begin(), a.stars().end(), [](const Star& s, const Star& t) {
        return s.flux_e_per_s < t.flux_e_per_s;
    });
    const auto sx = static_cast<unsigned>(brightest.x);
    const auto sy = static_cast<unsigned>(brightest.y);
    const double background = SkyRenderer(layout, first).expectedBackgroundAdu(CfaColour::Green);
    CHECK(one.at(sx, sy) > background + 500);
    CHECK(two.at(sx, sy) > background + 500);
}

TEST_CASE("sky background: mean and variance per colour are what the noise model says") {
    SkyConditions c = night();
    c.stars_per_megapixel = 0.0;
    c.hot_pixels_per_megapixel = 0.0;
    c.sky_e_per_s = 5.0;
    c.dark_e_per_s = 0.5;
    c.exposure_s = 4.0;
    c.iso = 200;
    const SkyRenderer renderer(smallLayout(), c);
    const RawImage image = renderer.render();
    CHECK(renderer.gain() == doctest::Approx(2.0));
    CHECK(renderer.readNoiseAdu() == doctest::Approx(std::sqrt(5.0 * 5.0 + 1.0)));
    for (CfaColour colour : {CfaColour::Red, CfaColour::Green, CfaColour::Blue}) {
        CAPTURE(static_cast<int>(colour));
        const Moments m = moments(image, colour);
        const double electrons = renderer.backgroundElectrons(colour);
        const double expected_mean = 512.0 + 2.0 * electrons;
        const double expected_variance = 4.0 * electrons + 26.0 + 1.0 / 12.0;
        CHECK(m.mean == doctest::Approx(expected_mean).epsilon(0.0005));
        CHECK(m.variance == doctest::Approx(expected_variance).epsilon(0.04));
    }
    CHECK(renderer.backgroundElectrons(CfaColour::Green) == doctest::Approx((5.0 + 0.5) * 4.0));
    CHECK(renderer.backgroundElectrons(CfaColour::Red) < renderer.backgroundElectrons(CfaColour::Green));
}

TEST_CASE("a dark frame: bias at the black level, Poisson dark signal and read noise, hot pixels standing out") {
    SkyConditions c = night();
    c.stars_per_megapixel = 0.0;
    c.sky_e_per_s = 0.0;  // lens cap on
    c.dark_e_per_s = 0.05;
    c.exposure_s = 60.0;
    c.iso = 800;
    const SkyRenderer renderer(smallLayout(), c);
    const RawImage image = renderer.render();
    const double electrons = 3.0;  // 0.05 e/s for 60 s
    const double read = 8.0 * 8.0 * 2.5 * 2.5 + 1.0;
    const Moments m = moments(image, CfaColour::Green, renderer.field().hotPixels());
    CHECK(m.mean == doctest::Approx(512.0 + 8.0 * electrons).epsilon(0.002));
    CHECK(m.variance == doctest::Approx(64.0 * electrons + read + 1.0 / 12.0).epsilon(0.06));

    // Every hot pixel stands far above the noise, and nothing else does.
    const double sigma = std::sqrt(64.0 * electrons + read);
    const auto& hot = renderer.field().hotPixels();
    for (const HotPixel& h : hot) CHECK(image.at(h.x, h.y) > 512.0 + 8.0 * electrons + 8.0 * sigma);
    std::size_t outliers = 0;
    for (std::uint16_t v : image.pixels) outliers += v > 512.0 + 8.0 * electrons + 8.0 * sigma ? 1 : 0;
    CHECK(outliers == hot.size());
    CHECK(hot.size() >= 3);
}

TEST_CASE("signal scales with exposure time and ISO, bright stars clip at the white level") {
    SkyConditions c = night();
    c.stars_per_megapixel = 0.0;
    c.hot_pixels_per_megapixel = 0.0;
    c.sky_e_per_s = 20.0;
    c.exposure_s = 2.0;
    c.iso = 100;
    const double base = moments(renderSky(smallLayout(), c), CfaColour::Green).mean - 512.0;
    c.exposure_s = 4.0;
    const double longer = moments(renderSky(smallLayout(), c), CfaColour::Green).mean - 512.0;
    c.iso = 400;
    const double brighter = moments(renderSky(smallLayout(), c), CfaColour::Green).mean - 512.0;
    CHECK(longer / base == doctest::Approx(2.0).epsilon(0.01));
    CHECK(brighter / longer == doctest::Approx(4.0).epsilon(0.01));

    SkyConditions bright = night();
    bright.exposure_s = 120.0;
    bright.iso = 3200;
    const RawImage clipped = renderSky(smallLayout(), bright);
    const auto top = *std::max_element(clipped.pixels.begin(), clipped.pixels.end());
    CHECK(top == 15360);
    const auto bottom = *std::min_element(clipped.pixels.begin(), clipped.pixels.end());
    CHECK(bottom > 0);
}

TEST_CASE("stars are drawn through the Bayer mosaic: a red star is brighter on red photosites") {
    const SensorLayout layout = smallLayout();
    // Sum star signal per colour around every star, weighting red and blue by the star's colour.
    SkyConditions starry = night();
    starry.hot_pixels_per_megapixel = 0.0;
    starry.exposure_s = 5.0;
    const SkyRenderer stars(layout, starry);
    const RawImage image = stars.render();
    int agree = 0;
    int total = 0;
    for (const Star& s : stars.field().stars()) {
        if (s.flux_e_per_s < 2000 || s.x < 8 || s.y < 8 || s.x > layout.raw_width - 8 || s.y > layout.raw_height - 8) {
            continue;
        }
        std::array<double, 3> sum{};
        std::array<int, 3> n{};
        for (unsigned y = static_cast<unsigned>(s.y) - 4; y <= static_cast<unsigned>(s.y) + 4; ++y) {
            for (unsigned x = static_cast<unsigned>(s.x) - 4; x <= static_cast<unsigned>(s.x) + 4; ++x) {
                const auto colour = static_cast<std::size_t>(SensorLayout::colourAt(x, y));
                sum[colour] += image.at(x, y) - stars.expectedBackgroundAdu(SensorLayout::colourAt(x, y));
                ++n[colour];
            }
        }
        const double red_over_blue = (sum[0] / n[0]) / (sum[2] / n[2]);
        ++total;
        if ((red_over_blue > 1.0) == (s.red > s.blue)) ++agree;
    }
    REQUIRE(total >= 5);
    CHECK(agree >= total - 1);
}

TEST_CASE("a 12-bit body gives multiples of 4, invalid conditions are refused with the field named") {
    SkyConditions c = night();
    c.bits = 12;
    const RawImage image = renderSky(smallLayout(), c);
    CHECK(std::all_of(image.pixels.begin(), image.pixels.end(), [](std::uint16_t v) { return v % 4 == 0; }));
    CHECK(image.bits == 12);

    c = night();
    c.exposure_s = -1.0;
    CHECK_THROWS_WITH_AS(SkyRenderer(smallLayout(), c), doctest::Contains("exposure_s"), std::invalid_argument);
    c = night();
    c.star_fwhm_px = 0.0;
    CHECK_THROWS_WITH_AS(SkyRenderer(smallLayout(), c), doctest::Contains("star_fwhm_px"), std::invalid_argument);
    SensorLayout odd = smallLayout();
    odd.crop_left = 11;
    CHECK_THROWS_WITH_AS(SkyRenderer(odd, night()), doctest::Contains("even"), std::invalid_argument);
}
