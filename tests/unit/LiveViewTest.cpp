// SPDX-License-Identifier: GPL-3.0-or-later
// The setup page's live view: frames shared by the pages, the frame-rate cap, pausing for an
// exposure, stopping by itself, the bound on waiting requests; and the focus figure.
#include "alpaca/LiveView.hpp"
#include "imaging/FocusFigure.hpp"
#include "imaging/Jpeg.hpp"

#include "TestBody.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <future>
#include <mutex>
#include <thread>

using namespace sonyalpaca;
using namespace sonyalpaca::alpaca;
using namespace std::chrono_literals;

namespace {
/// A grey image of `width` x `height` with a sharp checkerboard of `cell` pixels at `level` ± `swing`.
imaging::Image8 checkerboard(unsigned width, unsigned height, unsigned cell, int level, int swing) {
    imaging::Image8 image{width, height, 1, std::vector<std::uint8_t>(std::size_t{width} * height)};
    for (unsigned y = 0; y < height; ++y)
        for (unsigned x = 0; x < width; ++x)
            image.samples[std::size_t{y} * width + x] =
                static_cast<std::uint8_t>(((x / cell + y / cell) % 2) ? level + swing : level - swing);
    return image;
}

/// `image` blurred by a box of 2 * radius + 1 pixels, across and down.
imaging::Image8 blurred(const imaging::Image8& image, int radius) {
    imaging::Image8 out = image;
    const int w = static_cast<int>(image.width);
    const int h = static_cast<int>(image.height);
    auto pass = [&](const imaging::Image8& from, imaging::Image8& to, bool across) {
        for (int y = 0; y < h; ++y)
            for (int x = 0; x < w; ++x) {
                int sum = 0;
                int count = 0;
                for (int d = -radius; d <= radius; ++d) {
                    const int xx = across ? x + d : x;
                    const int yy = across ? y : y + d;
                    if (xx < 0 || yy < 0 || xx >= w || yy >= h) continue;
                    sum += from.samples[static_cast<std::size_t>(yy * w + xx)];
                    ++count;
                }
                to.samples[static_cast<std::size_t>(y * w + x)] = static_cast<std::uint8_t>(sum / count);
            }
    };
    imaging::Image8 middle = image;
    pass(image, middle, true);
    pass(middle, out, false);
    return out;
}

struct Rig {
    std::shared_ptr<test::TestBody> body = std::make_shared<test::TestBody>();
    std::shared_ptr<BodySession> session = std::make_shared<BodySession>(body);
    std::mutex mutex;
    std::string obstacle;
    std::unique_ptr<LiveView> live;

    explicit Rig(LiveViewOptions options = {}) {
        const auto jpeg = imaging::encodeJpeg(checkerboard(64, 48, 4, 128, 60), 90);
        body->live_view = [jpeg] {
            std::this_thread::sleep_for(2ms);
            return jpeg;
        };
        live = std::make_unique<LiveView>(
            session,
            [this] {
                std::lock_guard lock(mutex);
                return obstacle;
            },
            options);
    }
    void block(const std::string& why) {
        std::lock_guard lock(mutex);
        obstacle = why;
    }
    std::string state() const { return live->status()["state"].get<std::string>(); }
    /// Waits up to 5 s for the state `wanted`.
    bool reaches(const std::string& wanted) const {
        for (int i = 0; i < 500 && state() != wanted; ++i) std::this_thread::sleep_for(10ms);
        return state() == wanted;
    }
};
}  // namespace

TEST_CASE("focus figure: higher when sharper, the same for a brighter frame, 0 for nothing to measure") {
    const auto sharp = checkerboard(200, 160, 6, 60, 24);
    const double at_focus = imaging::focusFigure(sharp, {100, 80, 64});
    double previous = at_focus;
    for (int radius : {1, 2, 4, 8}) {
        CAPTURE(radius);
        const double figure = imaging::focusFigure(blurred(sharp, radius), {100, 80, 64});
        CHECK(figure < previous);
        previous = figure;
    }
    CHECK(previous < 0.1 * at_focus);
    // Twice as bright a scene, twice the contrast: the same figure (within the +1 level).
    const double brighter = imaging::focusFigure(checkerboard(200, 160, 6, 120, 48), {100, 80, 64});
    CHECK(brighter == doctest::Approx(at_focus).epsilon(0.03));
    // A window at the edge is clipped; outside the image or on an empty one there is nothing.
    CHECK(imaging::focusFigure(sharp, {0, 0, 64}) > 0);
    CHECK(imaging::focusFigure(sharp, {-500, -500, 64}) == 0);
    CHECK(imaging::focusFigure(imaging::Image8{}, {0, 0, 64}) == 0);
    CHECK(imaging::focusFigure(checkerboard(200, 160, 6, 60, 0), {100, 80, 64}) == 0);
}

TEST_CASE("live view: frames shared in order, capped in rate, the body released at the stop") {
    LiveViewOptions options;
    options.max_fps = 20;
    Rig rig(options);
    CHECK(rig.state() == "off");
    CHECK(rig.live->next(0, 10ms).outcome == LiveView::Outcome::Off);
    rig.live->start();
    std::uint64_t last = 0;
    const auto begin = std::chrono::steady_clock::now();
    int frames = 0;
    while (std::chrono::steady_clock::now() - begin < 1s) {
        const auto next = rig.live->next(last, 500ms);
        REQUIRE(next.outcome == LiveView::Outcome::Frame);
        CHECK(next.frame->number > last);
        CHECK(next.frame->jpeg.size() > 100);
        last = next.frame->number;
        ++frames;
    }
    CHECK(rig.body->isOpen());  // opened for the live view
    CHECK(frames >= 10);
    CHECK(frames <= 23);  // 20 a second, one second, and the first at once
    CHECK(rig.state() == "running");
    // A second page asking for what it has not seen gets the newest frame at once.
    CHECK(rig.live->next(0, 10ms).frame->number == rig.live->status()["frames"].get<std::uint64_t>());
    rig.live->stop("by the test");
    CHECK(rig.state() == "stopped");
    CHECK(rig.live->status()["message"] == "stopped: by the test");
    CHECK(rig.live->next(last, 10ms).outcome == LiveView::Outcome::Off);
    for (int i = 0; i < 200 && rig.body->isOpen(); ++i) std::this_thread::sleep_for(10ms);
    CHECK_FALSE(rig.body->isOpen());
    // It starts again, with new frame numbers.
    rig.live->start();
    const auto again = rig.live->next(last, 2s);
    REQUIRE(again.outcome == LiveView::Outcome::Frame);
    CHECK(again.frame->number > last);
}

TEST_CASE("live view: refused while an exposure runs, paused by one that starts, and goes on after") {
    Rig rig;
    rig.block("an exposure is running");
    CHECK_THROWS_WITH_AS(rig.live->start(), doctest::Contains("an exposure is running"), LiveViewRefused);
    CHECK(rig.state() == "off");
    rig.block("");
    rig.live->start();
    auto next = rig.live->next(0, 2s);
    REQUIRE(next.outcome == LiveView::Outcome::Frame);
    rig.block("an exposure is running");
    REQUIRE(rig.reaches("paused"));
    CHECK(rig.live->status()["message"].get<std::string>().find("an exposure is running") != std::string::npos);
    const int taken = rig.body->live_views;
    auto waiting = rig.live->next(rig.live->status()["frames"].get<std::uint64_t>(), 300ms);
    CHECK(waiting.outcome == LiveView::Outcome::NoneYet);
    CHECK(rig.body->live_views == taken);  // the body is left alone meanwhile
    rig.block("");
    next = rig.live->next(next.frame->number, 2s);
    CHECK(next.outcome == LiveView::Outcome::Frame);
    CHECK(rig.state() == "running");
}

TEST_CASE("live view: stops when no page asks for frames, and after the idle time without a tap or jog") {
    SUBCASE("the page was closed") {
        LiveViewOptions options;
        options.viewer_gone = 300ms;
        Rig rig(options);
        rig.live->start();
        REQUIRE(rig.reaches("stopped"));
        CHECK(rig.live->status()["message"].get<std::string>().find("no page asked for a frame") != std::string::npos);
    }
    SUBCASE("nobody acted") {
        LiveViewOptions options;
        options.idle = 600ms;
        Rig rig(options);
        rig.live->start();
        std::uint64_t last = 0;
        bool touched = false;
        const auto begin = std::chrono::steady_clock::now();
        while (rig.state() != "stopped" && std::chrono::steady_clock::now() - begin < 5s) {
            if (!touched && std::chrono::steady_clock::now() - begin > 400ms) {
                rig.live->touch();  // a tap: the idle time starts again
                touched = true;
            }
            const auto next = rig.live->next(last, 100ms);
            if (next.frame) last = next.frame->number;
        }
        const double lasted = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
        CHECK(rig.state() == "stopped");
        CHECK(lasted > 0.9);  // 0.4 s, then 0.6 s idle again
        CHECK(lasted < 3.0);
        CHECK(rig.live->status()["message"].get<std::string>().find("without a start, tap or jog") !=
              std::string::npos);
    }
}

TEST_CASE("live view: a body that cannot be opened stops it with the reason") {
    Rig rig;
    rig.body->failure = "no Sony body on USB";
    rig.live->start();
    REQUIRE(rig.reaches("stopped"));
    CHECK(rig.live->status()["message"].get<std::string>().find("no Sony body on USB") != std::string::npos);
}

TEST_CASE("live view: waiting requests are bounded") {
    LiveViewOptions options;
    options.max_waiting = 1;
    Rig rig(options);
    rig.live->start();
    REQUIRE(rig.live->next(0, 2s).outcome == LiveView::Outcome::Frame);
    rig.block("an exposure is running");  // no new frames: a request waits its whole time
    REQUIRE(rig.reaches("paused"));
    const auto newest = rig.live->status()["frames"].get<std::uint64_t>();
    auto first = std::async(std::launch::async, [&] { return rig.live->next(newest, 1500ms).outcome; });
    for (int i = 0; i < 100 && rig.live->status()["viewers"] != 1; ++i) std::this_thread::sleep_for(5ms);
    CHECK(rig.live->next(newest, 10ms).outcome == LiveView::Outcome::TooMany);
    CHECK(first.get() == LiveView::Outcome::NoneYet);
    CHECK(rig.live->next(newest, 10ms).outcome == LiveView::Outcome::NoneYet);  // room again
}
