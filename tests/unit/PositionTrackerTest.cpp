// SPDX-License-Identifier: GPL-3.0-or-later
#include "focus/PositionTracker.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <cmath>

using namespace sonyalpaca::focus;

namespace {
DriveModel model(double backlash = 0, double jitter = 0.02) {
    DriveModel m;
    const double moves[7] = {264.0, 101.0, 40.5, 15.5, 6.25, 2.2, 1.0};
    for (std::size_t k = 0; k < 7; ++k) m.step_length[k] = 264.0 / moves[k];
    m.backlash = backlash;
    m.jitter = jitter;
    m.travel = 264;
    return m;
}
}  // namespace

TEST_CASE("tracker: steps add their mean length and their variance") {
    PositionTracker tracker(model());
    tracker.restore(100, 0, 0, true);
    for (int i = 0; i < 4; ++i) tracker.step({4, +1});
    const double length = 264.0 / 15.5;
    CHECK(tracker.position() == doctest::Approx(100 + 4 * length));
    CHECK(tracker.sigma() == doctest::Approx(std::sqrt(4.0) * 0.02 * length));
    CHECK(tracker.lastDirection() == 1);
    CHECK_THROWS_AS(tracker.step({8, 1}), std::invalid_argument);
    CHECK_THROWS_AS(tracker.step({1, 0}), std::invalid_argument);
}

TEST_CASE("tracker: a reversal takes up the backlash and adds its spread") {
    PositionTracker tracker(model(2.0, 0));
    tracker.restore(100, 0, +1, true);
    tracker.step({3, -1});
    CHECK(tracker.position() == doctest::Approx(100 - (264.0 / 40.5 - 2.0)));
    CHECK(tracker.sigma() > 0);
    const double after_reversal = tracker.sigma();
    tracker.step({3, -1});  // same direction: no backlash
    CHECK(tracker.position() == doctest::Approx(100 - 2 * 264.0 / 40.5 + 2.0));
    CHECK(tracker.sigma() == doctest::Approx(after_reversal));
}

TEST_CASE("tracker: driving surely into an end stop makes the position exact") {
    PositionTracker tracker(model());
    tracker.restore(200, 5, +1, false);
    tracker.step({7, +1});  // 264 units: far past the infinity stop
    CHECK(tracker.position() == 264.0);
    CHECK(tracker.sigma() == 0);
    CHECK(tracker.homed());
    // Just short of the near stop by less than the uncertainty: clamped, still uncertain.
    tracker.restore(3, 5, -1, true);
    tracker.step({2, -1});
    CHECK(tracker.position() == doctest::Approx(3 - 264.0 / 101.0));
    tracker.step({2, -1});
    CHECK(tracker.position() == 0.0);
    CHECK(tracker.sigma() > 0);
}

TEST_CASE("tracker: state survives as JSON, damaged state is refused with the field named") {
    PositionTracker tracker(model());
    tracker.restore(123.25, 1.5, -1, true);
    PositionTracker again(model());
    again.fromJson(tracker.toJson());
    CHECK(again.position() == 123.25);
    CHECK(again.sigma() == doctest::Approx(1.5));
    CHECK(again.lastDirection() == -1);
    CHECK(again.homed());
    auto message = [&](nlohmann::json state) {
        try {
            again.fromJson(state);
        } catch (const std::invalid_argument& e) {
            return std::string(e.what());
        }
        return std::string();
    };
    CHECK(message({{"sigma", 1}, {"last_direction", 0}, {"homed", true}}).find("\"position\"") != std::string::npos);
    CHECK(message({{"position", 999}, {"sigma", 1}, {"last_direction", 0}, {"homed", true}}).find("outside") !=
          std::string::npos);
    CHECK(message({{"position", 1}, {"sigma", -1}, {"last_direction", 0}, {"homed", true}}).find("negative") !=
          std::string::npos);
    CHECK(message({{"position", 1}, {"sigma", 1}, {"last_direction", 0}, {"homed", "yes"}}).find("\"homed\"") !=
          std::string::npos);
}
