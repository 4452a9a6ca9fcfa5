// SPDX-License-Identifier: GPL-3.0-or-later
// Lens learning and the generic profile's travel inside the focuser, on the test body with a
// synthetic live view whose grid follows the lens position (fast: 1 ms steps, no images).
#include "focus/AbsoluteFocuser.hpp"

#include "TestBody.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <fstream>
#include <random>
#include <thread>

using namespace sonyalpaca;
using namespace std::chrono_literals;

namespace {
/// A "live view" of the test body's lens: 400 cells that move with the lens position (a phase per
/// cell), plus noise. `detail` 0 gives a featureless view of noise only.
focus::ViewMeter positionMeter(const test::TestBody& body, double detail = 60) {
    auto random = std::make_shared<std::mt19937>(7);
    return [&body, detail, random](const std::vector<std::uint8_t>&) {
        std::normal_distribution<float> noise(0.0f, 2.0f);
        std::vector<float> grid(400);
        const double position = body.lensPosition();
        for (std::size_t i = 0; i < grid.size(); ++i)
            grid[i] = static_cast<float>(128 + detail * std::sin(0.37 * static_cast<double>(i) + 0.04 * position)) +
                      noise(*random);
        return grid;
    };
}

struct Rig {
    test::TestStateDir state;
    test::TestBody body;
    config::FocuserSettings settings;

    Rig() { body.open(); }

    focus::FocuserSetup setup(config::LensEntry lens, bool generic, focus::ViewMeter meter) const {
        return {std::move(lens),      generic, settings, state.path / "focuser.json", "TEST 1", std::move(meter),
                state.path / "lenses"};
    }
};

bool settle(const focus::AbsoluteFocuser& focuser, std::chrono::milliseconds limit) {
    const auto until = std::chrono::steady_clock::now() + limit;
    while (focuser.isMoving()) {
        if (std::chrono::steady_clock::now() > until) return false;
        std::this_thread::sleep_for(2ms);
    }
    return true;
}

config::LensEntry fastGeneric() {
    auto lens = focus::genericLens();
    lens.step_time_ms = std::array<double, 7>{1, 1, 1, 1, 1, 1, 1};
    return lens;
}
}  // namespace

TEST_CASE("focuser learning: learns the test lens, saves the profile and runs on it") {
    Rig rig;
    focus::AbsoluteFocuser focuser(rig.body, rig.setup(fastGeneric(), true, positionMeter(rig.body)));
    focus::LearnOptions options;
    options.model_id = "TEST-LEARNED";
    options.name = "learned test lens";
    focuser.learn(options);
    CHECK(focuser.isMoving());
    CHECK(focuser.status().learning.active);
    CHECK_THROWS_AS(focuser.move(10), focus::FocuserBusy);
    CHECK_THROWS_AS(focuser.learn(options), focus::FocuserBusy);
    REQUIRE(settle(focuser, 60s));
    const auto status = focuser.status();
    INFO(status.learning.error << " " << status.last_error);
    REQUIRE(status.learning.error.empty());
    CHECK(status.learning.percent == 100);
    CHECK_FALSE(status.generic_lens);
    CHECK(status.lens_id == "TEST-LEARNED");
    // The test lens: travel 100, sizes 1, 2.5, 6, 15, 40, 60 and 100 units exactly.
    const std::array<double, 7> truth{100, 40, 100 / 6.0, 100 / 15.0, 2.5, 100 / 60.0, 1};
    const auto learned = focuser.lens().full_travel_moves;
    for (std::size_t k = 0; k < 7; ++k) CHECK_MESSAGE(std::abs(learned[k] / truth[k] - 1) <= 0.02, "size " << k + 1);
    CHECK(focuser.maxStep() == static_cast<long>(std::floor(learned[0] + 1e-9)));
    CHECK(focuser.position() == focuser.maxStep());  // learning ends at the infinity stop
    CHECK(rig.body.lensPosition() == doctest::Approx(100));
    // The profile file loads as a lens database.
    REQUIRE(status.learning.profile_file == (rig.state.path / "lenses" / "TEST-LEARNED.json").string());
    const auto database = config::LensDatabase::load(status.learning.profile_file);
    REQUIRE(database.find("TEST-LEARNED"));
    CHECK(database.find("TEST-LEARNED")->full_travel_moves[0] == doctest::Approx(learned[0]));
    // And moves land on it.
    focuser.move(50);
    REQUIRE(settle(focuser, 10s));
    CHECK(focuser.position() == 50);
    CHECK(std::abs(rig.body.lensPosition() - 50.0 * 100.0 / learned[0]) <= 1.0);
}

TEST_CASE("focuser learning: a featureless live view fails with the reason, and the focuser still works") {
    Rig rig;
    focus::AbsoluteFocuser focuser(rig.body, rig.setup(fastGeneric(), true, positionMeter(rig.body, 0)));
    focuser.learn({});
    REQUIRE(settle(focuser, 30s));
    const auto status = focuser.status();
    CHECK(status.learning.error.find("detailed scene") != std::string::npos);
    CHECK(status.last_error.find("lens learning failed") != std::string::npos);
    CHECK(status.homing_due);
    CHECK(status.generic_lens);
    CHECK_FALSE(std::filesystem::exists(rig.state.path / "lenses"));
    // The generic travel cannot be found either: plain homing, and the move still lands.
    focuser.move(1900);
    REQUIRE(settle(focuser, 30s));
    CHECK(focuser.maxStep() == 2000);
    CHECK(focuser.position() == 1900);
}

TEST_CASE("focuser learning: an unknown lens's travel is found by its first homing, from both ends") {
    Rig rig;
    focus::AbsoluteFocuser focuser(rig.body, rig.setup(fastGeneric(), true, positionMeter(rig.body)));
    CHECK(focuser.maxStep() == 2000);
    focuser.move(100);
    REQUIRE(settle(focuser, 30s));
    // The test lens's size 7 crosses its travel in one step: one generic size-7 step, 2.5^6 units.
    CHECK(focuser.maxStep() == doctest::Approx(std::pow(2.5, 6)).epsilon(0.05));
    CHECK(focuser.position() == 100);
    CHECK(focuser.status().generic_lens);
    CHECK(focuser.lens().source.find("homing from both ends") != std::string::npos);
}

TEST_CASE("focuser learning: without a live-view meter, learning is refused") {
    Rig rig;
    focus::AbsoluteFocuser focuser(rig.body, rig.setup(fastGeneric(), true, {}));
    CHECK_THROWS_AS(focuser.learn({}), std::logic_error);
    CHECK_FALSE(focuser.isMoving());
}

TEST_CASE("focuser learning: a Halt right after the request, before the worker started, ends it") {
    Rig rig;
    focus::AbsoluteFocuser focuser(rig.body, rig.setup(fastGeneric(), true, positionMeter(rig.body)));
    for (int i = 0; i < 50; ++i) {
        focuser.learn({});
        focuser.halt();
        REQUIRE(settle(focuser, 2s));
        CHECK_FALSE(focuser.status().learning.active);
        focuser.move(1000 + i);
        focuser.halt();
        REQUIRE(settle(focuser, 2s));
    }
}
