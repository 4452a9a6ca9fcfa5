// SPDX-License-Identifier: GPL-3.0-or-later
// The simulator's JPEGs, read back with libjpeg (imaging::decodeJpeg): the preview of a JPEG or
// RAW+JPEG capture, and the live view, whose detail a change of focus blurs.
#include "SimLayouts.hpp"

#include "config/BodyDatabase.hpp"
#include "config/DataFiles.hpp"
#include "imaging/FocusFigure.hpp"
#include "imaging/Jpeg.hpp"
#include "ptp/sim/SkyFrameSource.hpp"
#include "ptp/sim/sky/PreviewJpeg.hpp"
#include "ptp/sim/sky/SkyRenderer.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <stdexcept>
#include <vector>

using namespace sonyalpaca;
using namespace sonyalpaca::ptp::sim;
using sonyalpaca::test::smallLayout;

namespace {

/// The mean absolute difference of horizontal neighbours: how much fine detail a grey image holds.
double meanGradient(const imaging::Image8& image) {
    double sum = 0;
    for (unsigned y = 0; y < image.height; ++y)
        for (unsigned x = 1; x < image.width; ++x) {
            const std::size_t i = static_cast<std::size_t>(y) * image.width + x;
            sum += std::abs(static_cast<int>(image.samples[i]) - static_cast<int>(image.samples[i - 1]));
        }
    return sum / (static_cast<double>(image.width - 1) * image.height);
}

/// The lens travel the live-view tests' frame source is told.
constexpr double kLiveTravel = 500.0;

/// The frame source of a virtual ILCE-7M3 (its live view), noise seeded with `seed`.
std::shared_ptr<FrameSource> liveViewSource(std::uint64_t seed) {
    const auto bodies = config::BodyDatabase::load(config::findDataFile("sony-bodies.json"));
    const config::BodyEntry* body = bodies.find("ILCE-7M3");
    if (!body) throw std::runtime_error("sony-bodies.json lacks the ILCE-7M3");
    return makeSkyFrameSource(*body, 8, seed, kLiveTravel, "FE 20mm F1.8 G");
}

}  // namespace

TEST_CASE("preview: a stretched, binned colour JPEG no wider than asked, stars bright on a dark sky") {
    SkyConditions c;
    c.seed = 8;
    c.exposure_s = 10.0;
    c.iso = 800;
    const RawImage raw = renderSky(smallLayout(), c);
    const std::vector<std::uint8_t> jpeg = previewJpeg(raw, 160, 80);
    const imaging::Image8 picture = imaging::decodeJpeg(jpeg);
    CHECK(picture.width == 154);  // 308 cells, 2 per pixel
    CHECK(picture.height == 100);
    REQUIRE(picture.components == 3);
    // The sky's median sits near 20 % grey in every channel (imaging::makeThumbnail's background);
    // bright stars come close to white.
    for (unsigned channel = 0; channel < 3; ++channel) {
        CAPTURE(channel);
        std::vector<std::uint8_t> values;
        for (std::size_t i = channel; i < picture.samples.size(); i += 3) values.push_back(picture.samples[i]);
        std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(values.size() / 2), values.end());
        CHECK(std::abs(values[values.size() / 2] - 51) <= 6);
        CHECK(*std::max_element(values.begin(), values.end()) >= 240);
    }
    CHECK(previewJpeg(raw, 1000).size() > jpeg.size());
    CHECK(imaging::decodeJpeg(previewJpeg(raw, 1000)).width == 308);
    CHECK_THROWS_AS(previewJpeg(raw, 0), std::invalid_argument);
    CHECK_THROWS_AS(previewJpeg(raw, 160, 0), std::invalid_argument);
}

TEST_CASE("live view: a 640x424 grey JPEG of the daylight scene, sharp at its focus and blurred away from it") {
    const double travel = kLiveTravel;
    const auto frames = liveViewSource(3);
    ExposureRecord now;
    now.best_focus = 250.0;
    now.lens_position = now.best_focus - 0.08 * travel;  // the scene's focus, a little nearer than the stars
    const imaging::Image8 sharp = imaging::decodeJpeg(frames->liveView(now));
    const imaging::Image8 again = imaging::decodeJpeg(frames->liveView(now));
    now.lens_position = now.best_focus + 0.1 * travel;
    const imaging::Image8 soft = imaging::decodeJpeg(frames->liveView(now));
    now.lens_position = 0;
    const imaging::Image8 blurred = imaging::decodeJpeg(frames->liveView(now));
    for (const imaging::Image8* image : {&sharp, &soft, &blurred}) {
        CHECK(image->width == 640);
        CHECK(image->height == 424);
        CHECK(image->components == 1);
    }
    CHECK(sharp.samples != again.samples);  // noise differs from frame to frame
    const double g_sharp = meanGradient(sharp);
    const double g_soft = meanGradient(soft);
    const double g_blurred = meanGradient(blurred);
    CAPTURE(g_sharp);
    CAPTURE(g_soft);
    CAPTURE(g_blurred);
    CHECK(g_soft < 0.7 * g_sharp);
    CHECK(g_blurred < g_soft);
}

TEST_CASE("live view: the focus figure of either scene peaks where the source says it is sharp") {
    const double travel = kLiveTravel;
    const auto frames = liveViewSource(5);
    for (const bool stars : {false, true}) {
        CAPTURE(stars);
        ExposureRecord now;
        now.best_focus = 470.0;
        now.live_view_stars = stars;
        const auto focus = frames->liveViewFocus(now);
        REQUIRE(focus);
        CHECK(*focus == doctest::Approx(stars ? 470.0 : 430.0));
        // The whole frame (stars anywhere in it), at positions across the travel and around focus.
        double best_position = -1;
        double best_figure = -1;
        double far_figure = 0;
        for (const double offset : {-0.5, -0.2, -0.08, -0.03, -0.01, 0.0, 0.01, 0.03}) {
            now.lens_position = *focus + offset * travel;
            const auto grey = imaging::decodeJpeg(frames->liveView(now));
            const double figure = imaging::focusFigure(grey, {320, 212, 320});
            if (offset == -0.5) far_figure = figure;
            if (figure > best_figure) {
                best_figure = figure;
                best_position = now.lens_position;
            }
        }
        // At focus a star is under a pixel wide and the brightest saturate: the peak may be the
        // neighbouring position, 1 % of the travel away.
        CHECK(std::abs(best_position - *focus) <= 0.01 * travel + 1e-9);
        CHECK(best_figure > 3 * far_figure);
    }
}
