// SPDX-License-Identifier: GPL-3.0-or-later
#include "ptp/sim/VirtualLens.hpp"

#include <doctest/doctest.h>

#include <cmath>

using sonyalpaca::config::LensEntry;
using sonyalpaca::ptp::sim::LensOptions;
using sonyalpaca::ptp::sim::VirtualLens;

namespace {
const LensEntry kLens = [] {
    LensEntry lens;
    lens.maker = "Sony";
    lens.model_id = "SELP1650";
    lens.name = "E 3.5-5.6/PZ 16-50 OSS";
    lens.full_travel_moves = {264.0, 101.0, 40.5, 15.5, 6.25, 2.2, 1.0};
    return lens;
}();

LensOptions exact(double start) {
    LensOptions options;
    options.profile_error = 0;
    options.jitter = 0;
    options.backlash = 0;
    options.start_position = start;
    return options;
}
}  // namespace

TEST_CASE("lens: a step of size k moves travel / moves[k-1] units, negative is near") {
    VirtualLens lens(kLens, exact(100));
    CHECK(lens.travel() == 264.0);
    lens.step(2, -1);
    CHECK(lens.position() == doctest::Approx(100 - 264.0 / 101.0));
    lens.step(4, +1);
    CHECK(lens.position() == doctest::Approx(100 - 264.0 / 101.0 + 264.0 / 15.5));
    CHECK(lens.stepCounts()[1] == 1);
    CHECK(lens.stepCounts()[3] == 1);
    CHECK_THROWS_AS(lens.step(8, 1), std::out_of_range);
}

TEST_CASE("lens: hard end stops at 0 (near) and travel (infinity)") {
    VirtualLens lens(kLens, exact(10));
    lens.step(7, -1);
    CHECK(lens.position() == 0.0);
    for (int i = 0; i < 3; ++i) lens.step(7, +1);
    CHECK(lens.position() == 264.0);
}

TEST_CASE("lens: the true profile differs from the shipped one, within the configured error") {
    LensOptions options = exact(100);
    options.profile_error = 0.05;
    options.seed = 7;
    VirtualLens lens(kLens, options);
    bool differs = false;
    for (int k = 2; k <= 7; ++k) {
        const double shipped = 264.0 / kLens.full_travel_moves[static_cast<std::size_t>(k - 1)];
        const double ratio = lens.trueStepLength(k) / shipped;
        CHECK(ratio > 1 / 1.05 - 1e-9);
        CHECK(ratio < 1 / 0.95 + 1e-9);
        differs = differs || std::abs(ratio - 1) > 1e-3;
    }
    CHECK(differs);
    CHECK(lens.trueStepLength(1) == doctest::Approx(1.0));
}

TEST_CASE("lens: jitter has the configured spread around the true length") {
    LensOptions options = exact(0);
    options.jitter = 0.05;
    VirtualLens lens(kLens, options);
    const int n = 2000;
    double sum = 0, sum2 = 0;
    for (int i = 0; i < n; ++i) {
        lens.setPosition(100);
        lens.step(5, +1);
        const double moved = lens.position() - 100;
        sum += moved;
        sum2 += moved * moved;
    }
    const double mean = sum / n;
    const double sd = std::sqrt(sum2 / n - mean * mean);
    const double expected = 264.0 / 6.25;
    CHECK(mean == doctest::Approx(expected).epsilon(0.01));
    CHECK(sd == doctest::Approx(0.05 * expected).epsilon(0.1));
}

TEST_CASE("lens: backlash swallows motion after a reversal only") {
    LensOptions options = exact(100);
    options.backlash = 2.0;
    VirtualLens lens(kLens, options);
    const double step = 264.0 / 40.5;
    lens.step(3, +1);
    CHECK(lens.position() == doctest::Approx(100 + step));
    lens.step(3, +1);
    CHECK(lens.position() == doctest::Approx(100 + 2 * step));
    lens.step(3, -1);
    CHECK(lens.position() == doctest::Approx(100 + 2 * step - (step - 2.0)));
}

TEST_CASE("lens: bigger steps take longer, tens to hundreds of milliseconds") {
    VirtualLens lens(kLens, exact(100));
    auto previous = std::chrono::milliseconds(0);
    for (int k = 1; k <= 7; ++k) {
        const auto time = lens.step(k, k % 2 ? 1 : -1);
        CHECK(time > previous);
        previous = time;
    }
    CHECK(previous >= std::chrono::milliseconds(100));
    CHECK(previous <= std::chrono::milliseconds(500));
}
