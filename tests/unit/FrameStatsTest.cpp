// SPDX-License-Identifier: GPL-3.0-or-later
// imaging/FrameStats: the last frame's figures on synthetic frames whose stars, sky and noise are
// known, and on the simulator's sky against the tests' own HFR measurement (tests/support/StarMeasure).
#include "imaging/FrameStats.hpp"

#include "StarMeasure.hpp"
#include "ptp/sim/sky/SkyRenderer.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numbers>
#include <random>
#include <stdexcept>
#include <vector>

using namespace sonyalpaca::imaging;

namespace {

constexpr unsigned kBlack = 512;
constexpr unsigned kWhite = 15360;

/// A Bayer frame of sky: every photosite black + `sky` plus Gaussian noise of `sigma` (seeded).
struct SkyBuilder {
    unsigned width = 1200;
    unsigned height = 800;
    std::vector<double> values;

    SkyBuilder(unsigned w, unsigned h, double sky) : width(w), height(h), values(std::size_t{w} * h, kBlack + sky) {}

    /// Adds a Gaussian star of standard deviation `sigma` photosites and total `flux` ADU, each
    /// photosite holding the integral of the star over its area.
    void star(double cx, double cy, double sigma, double flux) {
        const int reach = static_cast<int>(std::ceil(6 * sigma)) + 1;
        auto share = [sigma](double from, double to) {
            return 0.5 *
                   (std::erf(to / (sigma * std::numbers::sqrt2)) - std::erf(from / (sigma * std::numbers::sqrt2)));
        };
        for (int y = static_cast<int>(cy) - reach; y <= static_cast<int>(cy) + reach; ++y)
            for (int x = static_cast<int>(cx) - reach; x <= static_cast<int>(cx) + reach; ++x) {
                if (x < 0 || y < 0 || x >= static_cast<int>(width) || y >= static_cast<int>(height)) continue;
                values[static_cast<std::size_t>(y) * width + static_cast<std::size_t>(x)] +=
                    flux * share(x - 0.5 - cx, x + 0.5 - cx) * share(y - 0.5 - cy, y + 0.5 - cy);
            }
    }

    RawFrame build(double noise, std::uint32_t seed = 11, unsigned max_adu = 16383) const {
        std::mt19937 random(seed);
        std::normal_distribution<double> normal(0.0, noise);
        RawFrame frame;
        frame.metadata.black_level = kBlack;
        frame.metadata.white_level = kWhite;
        frame.metadata.max_adu = max_adu;
        frame.image = {width, height, {}};
        frame.image.pixels.resize(values.size());
        for (std::size_t i = 0; i < values.size(); ++i) {
            const double v = values[i] + (noise > 0 ? normal(random) : 0.0);
            frame.image.pixels[i] = static_cast<std::uint16_t>(std::clamp(std::round(v), 0.0, double(max_adu)));
        }
        return frame;
    }
};

/// A grid of well-separated stars (120 photosites apart), centres off the photosite grid.
SkyBuilder starGrid(unsigned columns, unsigned rows, double sigma, double flux) {
    SkyBuilder sky(columns * 120 + 120, rows * 120 + 120, 400);
    for (unsigned j = 0; j < rows; ++j)
        for (unsigned i = 0; i < columns; ++i)
            sky.star(120.0 + 120 * i + 0.37 * i, 120.0 + 120 * j + 0.21 * j, sigma, flux);
    return sky;
}

/// The HFR N.I.N.A.'s definition gives for a Gaussian star measured on 2x2 cells: √(π/2) times its
/// sigma widened by the cell's width (σ² + 4/12 photosites²).
double expectedHfr(double sigma) { return std::sqrt(std::numbers::pi / 2) * std::sqrt(sigma * sigma + 1.0 / 3.0); }

}  // namespace

TEST_CASE("framestats: Gaussian stars give HFR = sqrt(pi/2) sigma (on 2x2 cells), each star found once") {
    for (const double sigma : {1.5, 2.5, 4.0}) {
        CAPTURE(sigma);
        const RawFrame frame = starGrid(8, 5, sigma, 60000).build(20);
        const FrameStats stats = computeFrameStats(frame);
        CHECK(stats.stars == 40);
        CHECK(stats.saturated == 0);
        CHECK(stats.measured == 40);
        REQUIRE(stats.median_hfr_px);
        CHECK(*stats.median_hfr_px == doctest::Approx(expectedHfr(sigma)).epsilon(0.02));
        // The cell's widening is small beside the star: within 6 % of the bare √(π/2) σ.
        CHECK(*stats.median_hfr_px == doctest::Approx(std::sqrt(std::numbers::pi / 2) * sigma).epsilon(0.06));
        CHECK_FALSE(stats.median_hfr_arcsec);
    }
}

TEST_CASE("framestats: a wider star has a larger HFR, in proportion") {
    const FrameStats narrow = computeFrameStats(starGrid(5, 4, 2.0, 50000).build(15));
    const FrameStats wide = computeFrameStats(starGrid(5, 4, 5.0, 50000).build(15));
    REQUIRE(narrow.median_hfr_px);
    REQUIRE(wide.median_hfr_px);
    CHECK(*wide.median_hfr_px / *narrow.median_hfr_px ==
          doctest::Approx(expectedHfr(5.0) / expectedHfr(2.0)).epsilon(0.03));
}

TEST_CASE("framestats: hot pixels are no stars and leave the HFR alone") {
    SkyBuilder sky = starGrid(6, 4, 2.0, 50000);
    const FrameStats clean = computeFrameStats(sky.build(20));
    // Single hot photosites of every colour, faint to saturated, away from the stars.
    std::mt19937 random(3);
    for (int i = 0; i < 300; ++i) {
        const unsigned x = 60 + static_cast<unsigned>(random() % (sky.width - 120));
        const unsigned y = 60 + static_cast<unsigned>(random() % (sky.height - 120));
        if ((x + 60) % 120 >= 30 && (x + 60) % 120 <= 90) continue;  // not near a star's column
        sky.values[std::size_t{y} * sky.width + x] = kBlack + 400 + 1000.0 + 400.0 * i;
    }
    const FrameStats hot = computeFrameStats(sky.build(20));
    CHECK(clean.stars == 24);
    CHECK(hot.stars == 24);
    CHECK(hot.measured == 24);
    REQUIRE(hot.median_hfr_px);
    CHECK(*hot.median_hfr_px == doctest::Approx(*clean.median_hfr_px).epsilon(0.01));

    SkyBuilder only_hot(800, 600, 400);
    for (unsigned i = 0; i < 50; ++i) only_hot.values[std::size_t{37 + 10 * i} * 800 + 31 + 13 * i] = 9000;
    const FrameStats none = computeFrameStats(only_hot.build(20));
    CHECK(none.stars == 0);
    CHECK_FALSE(none.median_hfr_px);
}

TEST_CASE("framestats: saturated stars count as stars but stay out of the HFR median") {
    // 8 unsaturated stars of sigma 2 and 17 clipped, wider ones: a median over all would be theirs.
    SkyBuilder sky(1200, 1200, 400);
    int placed = 0;
    for (unsigned j = 0; j < 5; ++j)
        for (unsigned i = 0; i < 5; ++i) {
            const bool faint = (i + j) % 3 == 0;
            if (faint) ++placed;
            sky.star(150.0 + 220 * i, 150.0 + 220 * j, faint ? 2.0 : 3.5, faint ? 60000 : 3e6);
        }
    REQUIRE(placed == 8);
    const RawFrame frame = sky.build(20);
    const FrameStats stats = computeFrameStats(frame);
    CHECK(stats.stars == 25);
    CHECK(stats.saturated == 17);
    CHECK(stats.measured == 8);
    REQUIRE(stats.median_hfr_px);
    CHECK(*stats.median_hfr_px == doctest::Approx(expectedHfr(2.0)).epsilon(0.02));
    CHECK(stats.clipped_fraction > 0);
}

TEST_CASE("framestats: stars closer than their background rings are counted, not measured") {
    SkyBuilder sky(800, 600, 400);
    sky.star(300, 300, 2.0, 60000);
    sky.star(316, 302, 2.0, 60000);  // 16 photosites = 8 cells apart: inside each other's ring
    sky.star(600, 300, 2.0, 60000);
    const FrameStats stats = computeFrameStats(sky.build(20));
    CHECK(stats.stars == 3);
    CHECK(stats.measured == 1);
}

TEST_CASE("framestats: the HFR median is taken over at most max_measured stars, the brightest") {
    FrameStatsOptions options;
    options.max_measured = 5;
    const FrameStats stats = computeFrameStats(starGrid(6, 4, 2.0, 50000).build(20), options);
    CHECK(stats.stars == 24);
    CHECK(stats.measured == 5);
    CHECK(stats.median_hfr_px);
}

TEST_CASE("framestats: background and noise of the sky, in ADU above black, per 2x2 cell mean") {
    for (const double noise : {6.0, 20.0, 80.0}) {
        CAPTURE(noise);
        SkyBuilder sky(1600, 1200, 750);
        const FrameStats stats = computeFrameStats(sky.build(noise, 5));
        CHECK(stats.background_adu == doctest::Approx(750).epsilon(0.005));
        // Four photosites averaged: half a photosite's noise.
        CHECK(stats.noise_adu == doctest::Approx(noise / 2).epsilon(0.03));
        CHECK(stats.stars == 0);
    }
    // Stars on it move neither.
    const FrameStats starry = computeFrameStats(starGrid(8, 5, 2.0, 50000).build(20));
    CHECK(starry.background_adu == doctest::Approx(400).epsilon(0.005));
    CHECK(starry.noise_adu == doctest::Approx(10).epsilon(0.03));
}

TEST_CASE("framestats: a gradient across the sky (light pollution, vignetting) is not noise, and hides no star") {
    // 200 ADU on the left to 1400 on the right: 60 noise sigmas of a photosite across the frame.
    SkyBuilder sky = starGrid(12, 9, 2.0, 50000);
    for (std::size_t y = 0; y < sky.height; ++y)
        for (std::size_t x = 0; x < sky.width; ++x)
            sky.values[y * sky.width + x] += 1200.0 * static_cast<double>(x) / sky.width - 200.0;
    const FrameStats stats = computeFrameStats(sky.build(20));
    CHECK(stats.stars == 108);
    CHECK(stats.measured == 108);
    CHECK(stats.noise_adu == doctest::Approx(10).epsilon(0.05));
    CHECK(stats.background_adu == doctest::Approx(800).epsilon(0.01));
    REQUIRE(stats.median_hfr_px);
    CHECK(*stats.median_hfr_px == doctest::Approx(expectedHfr(2.0)).epsilon(0.02));
}

TEST_CASE("framestats: the clipped fraction counts photosites at the white level, or at max_adu without one") {
    SkyBuilder sky(400, 300, 400);
    for (unsigned i = 0; i < 123; ++i) sky.values[std::size_t{i} * 971] = kWhite + (i % 3);  // at and above
    for (unsigned i = 0; i < 50; ++i) sky.values[std::size_t{i} * 1789 + 5] = kWhite - 1;    // just below
    RawFrame frame = sky.build(0);
    CHECK(computeFrameStats(frame).clipped_fraction == doctest::Approx(123.0 / (400 * 300)).epsilon(1e-12));
    CHECK(computeFrameStats(frame).clip_level == kWhite);
    frame.metadata.white_level = 0;  // unknown: max_adu
    for (unsigned i = 0; i < 7; ++i) frame.image.pixels[std::size_t{i} * 3001 + 1] = 16383;
    const FrameStats stats = computeFrameStats(frame);
    CHECK(stats.clip_level == 16383);
    CHECK(stats.clipped_fraction == doctest::Approx(7.0 / (400 * 300)).epsilon(1e-12));
}

TEST_CASE("framestats: one histogram per colour over 0..max_adu, summing to its photosites") {
    SkyBuilder sky(300, 200, 0);
    for (std::size_t y = 0; y < 200; ++y)
        for (std::size_t x = 0; x < 300; ++x)
            sky.values[y * 300 + x] = (y % 2 == 0 && x % 2 == 0) ? 1000 : (y % 2 == 1 && x % 2 == 1) ? 3000 : 2000;
    RawFrame frame = sky.build(0);
    FrameStats stats = computeFrameStats(frame);
    const ColourHistogram& h = stats.histogram;
    CHECK(h.bin_width == 256);
    REQUIRE(h.red.size() == 64);
    REQUIRE(h.green.size() == 64);
    REQUIRE(h.blue.size() == 64);
    auto total = [](const std::vector<std::uint64_t>& bins) {
        std::uint64_t sum = 0;
        for (const auto b : bins) sum += b;
        return sum;
    };
    CHECK(total(h.red) == 150 * 100);
    CHECK(total(h.green) == 2 * 150 * 100);
    CHECK(total(h.blue) == 150 * 100);
    CHECK(h.red[1000 / 256] == 150 * 100);
    CHECK(h.green[2000 / 256] == 2 * 150 * 100);
    CHECK(h.blue[3000 / 256] == 150 * 100);

    // 12-bit data: 64 bins of 64 ADU; a noisy frame still sums per colour.
    SkyBuilder small(200, 100, 300);
    stats = computeFrameStats(small.build(30, 2, 4095));
    CHECK(stats.histogram.bin_width == 64);
    CHECK(stats.histogram.red.size() == 64);
    CHECK(total(stats.histogram.red) == 100 * 50);
    CHECK(total(stats.histogram.green) == 2 * 100 * 50);
    CHECK(total(stats.histogram.blue) == 100 * 50);
}

TEST_CASE("framestats: HFR in arc-seconds from pixel size and focal length, none when either is unknown") {
    CHECK(*pixelsToArcsec(2.0, 5.94, 500) == doctest::Approx(2.0 * 5.94 / 500 * 206.265));
    CHECK(*pixelsToArcsec(1.0, 3.76, 1000) == doctest::Approx(0.7755564));
    CHECK_FALSE(pixelsToArcsec(2.0, 0, 500));
    CHECK_FALSE(pixelsToArcsec(2.0, 5.94, 0));
    FrameStatsOptions options;
    options.pixel_um = 5.94;
    options.focal_length_mm = 400;
    const FrameStats stats = computeFrameStats(starGrid(4, 3, 2.0, 50000).build(20), options);
    REQUIRE(stats.median_hfr_px);
    REQUIRE(stats.median_hfr_arcsec);
    CHECK(*stats.median_hfr_arcsec == doctest::Approx(*stats.median_hfr_px * 5.94 / 400 * 206.265));
}

TEST_CASE("framestats: empty and flat frames give no stars and no HFR, never NaN") {
    for (const double level : {0.0, 1000.0}) {
        CAPTURE(level);
        SkyBuilder flat(640, 480, 0);
        std::fill(flat.values.begin(), flat.values.end(), level);
        const FrameStats stats = computeFrameStats(flat.build(0));
        CHECK(stats.stars == 0);
        CHECK(stats.measured == 0);
        CHECK_FALSE(stats.median_hfr_px);
        CHECK_FALSE(stats.median_hfr_arcsec);
        CHECK(stats.noise_adu == 0);
        CHECK(stats.background_adu == doctest::Approx(level - kBlack));
        CHECK(std::isfinite(stats.clipped_fraction));
    }
    RawFrame tiny;
    tiny.image = {2, 2, {600, 700, 800, 900}};
    const FrameStats stats = computeFrameStats(tiny);  // no metadata: max_adu 65535
    CHECK(stats.stars == 0);
    CHECK(stats.background_adu == doctest::Approx(750));
    CHECK(stats.histogram.bin_width == 1024);
    RawFrame wrong;
    wrong.image = {4, 4, {1, 2, 3}};
    CHECK_THROWS_AS(computeFrameStats(wrong), std::invalid_argument);
    wrong.image = {1, 4, {1, 2, 3, 4}};
    CHECK_THROWS_AS(computeFrameStats(wrong), std::invalid_argument);
}

TEST_CASE("framestats: on the simulator's sky it agrees with the tests' own HFR measurement") {
    using namespace sonyalpaca::ptp::sim;
    for (const double fwhm : {3.0, 6.0}) {
        CAPTURE(fwhm);
        SkyConditions c;
        c.seed = 77;
        c.noise_seed = 5;
        c.exposure_s = 8.0;
        c.iso = 400;
        c.star_fwhm_px = fwhm;
        c.stars_per_megapixel = 250.0;
        const RawImage raw = renderSky(SensorLayout{1280, 848, 12, 12, 1256, 824}, c);
        const sonyalpaca::test::HfrMeasurement oracle = sonyalpaca::test::measureHfr(raw);
        RawFrame frame;
        const SensorLayout& l = raw.layout;
        frame.image = {l.crop_width, l.crop_height, {}};
        for (unsigned y = 0; y < l.crop_height; ++y)
            for (unsigned x = 0; x < l.crop_width; ++x)
                frame.image.pixels.push_back(raw.at(l.crop_left + x, l.crop_top + y));
        frame.metadata.black_level = raw.black_level;
        frame.metadata.white_level = raw.white_level;
        frame.metadata.max_adu = (1u << raw.bits) - 1;
        const FrameStats stats = computeFrameStats(frame);
        REQUIRE(oracle.stars >= 20);
        REQUIRE(stats.median_hfr_px);
        CHECK(stats.measured >= oracle.stars / 2);
        CHECK(*stats.median_hfr_px == doctest::Approx(oracle.median_hfr_px).epsilon(0.05));
    }
}
