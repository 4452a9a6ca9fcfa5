// SPDX-License-Identifier: GPL-3.0-or-later
#include "focus/LensModel.hpp"

#include <doctest/doctest.h>

using namespace sonyalpaca;

namespace {
config::LensEntry selp1650() {
    config::LensEntry entry;
    entry.maker = "Sony";
    entry.model_id = "SELP1650";
    entry.name = "E 3.5-5.6/PZ 16-50 OSS";
    entry.full_travel_moves = {264.0, 101.0, 40.5, 15.5, 6.25, 2.2, 1.0};
    return entry;
}
}  // namespace

TEST_CASE("step lengths are real-valued: travel divided by the moves of each size") {
    const focus::LensModel model(selp1650());
    CHECK(model.travel() == doctest::Approx(264.0));
    CHECK(model.stepLength(1) == doctest::Approx(1.0));
    CHECK(model.stepLength(2) == doctest::Approx(264.0 / 101.0));
    CHECK(model.stepLength(5) == doctest::Approx(42.24));
    CHECK(model.stepLength(7) == doctest::Approx(264.0));
    CHECK_THROWS_AS(model.stepLength(0), std::out_of_range);
    CHECK_THROWS_AS(model.stepLength(8), std::out_of_range);
}

TEST_CASE("drive model: defaults where the profile is silent, its values where it speaks, overrides win") {
    auto entry = selp1650();
    auto model = focus::driveModel(entry, -1);
    CHECK(model.travel == doctest::Approx(264.0));
    CHECK(model.step_length[6] == doctest::Approx(264.0));
    CHECK(model.step_time_ms == focus::kDefaultStepTimeMs);
    CHECK(model.backlash == 0);
    CHECK(model.jitter == doctest::Approx(focus::kDefaultJitter));

    entry.step_time_ms = std::array<double, 7>{10, 20, 30, 40, 50, 60, 70};
    entry.backlash = 3.5;
    entry.jitter = 0.01;
    model = focus::driveModel(entry, -1);
    CHECK(model.step_time_ms[6] == 70);
    CHECK(model.backlash == 3.5);
    CHECK(model.jitter == 0.01);
    CHECK(focus::driveModel(entry, 1.25).backlash == 1.25);  // the configuration overrides the profile
}

TEST_CASE("generic profile: sizes 2.5x apart, homing covers the longest lens known") {
    const auto generic = focus::genericLens();
    const auto model = focus::driveModel(generic, -1);
    for (std::size_t k = 1; k < 7; ++k) CHECK(model.step_length[k] / model.step_length[k - 1] == doctest::Approx(2.5));
    CHECK(model.step_length[0] == doctest::Approx(1.0));
    CHECK(focus::homingDistance(model, true) > 12194);  // SEL90M28G, the longest shipped profile
    const auto known = focus::driveModel(selp1650(), -1);
    CHECK(focus::homingDistance(known, false) >= 264.0 * 1.1);
    CHECK(focus::homingDistance(known, false) < 2 * 264.0 + 264.0);
}
