// SPDX-License-Identifier: GPL-3.0-or-later
#include "focus/LensModel.hpp"

#include <doctest/doctest.h>

TEST_CASE("step lengths are real-valued: travel divided by the moves of each size") {
    sonyalpaca::config::LensEntry entry{"Sony", "SELP1650", "E 3.5-5.6/PZ 16-50 OSS",
                                        {264.0, 101.0, 40.5, 15.5, 6.25, 2.2, 1.0}};
    const sonyalpaca::focus::LensModel model(entry);
    CHECK(model.travel() == doctest::Approx(264.0));
    CHECK(model.stepLength(1) == doctest::Approx(1.0));
    CHECK(model.stepLength(2) == doctest::Approx(264.0 / 101.0));
    CHECK(model.stepLength(5) == doctest::Approx(42.24));
    CHECK(model.stepLength(7) == doctest::Approx(264.0));
    CHECK_THROWS_AS(model.stepLength(0), std::out_of_range);
    CHECK_THROWS_AS(model.stepLength(8), std::out_of_range);
}
