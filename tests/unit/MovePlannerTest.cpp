// SPDX-License-Identifier: GPL-3.0-or-later
#include "focus/MovePlanner.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <cmath>
#include <limits>
#include <random>

using namespace sonyalpaca::focus;

namespace {
/// A lens like the SELP1650 (step lengths from its profile), with the virtual lens's move times.
DriveModel selp1650(double backlash = 0) {
    DriveModel model;
    const double moves[7] = {264.0, 101.0, 40.5, 15.5, 6.25, 2.2, 1.0};
    for (std::size_t k = 0; k < 7; ++k) {
        model.step_length[k] = 264.0 / moves[k];
        model.step_time_ms[k] = 25.0 + 35.0 * static_cast<double>(k);
    }
    model.command_ms = 50;
    model.backlash = backlash;
    model.travel = 264;
    return model;
}

/// The cheapest plan by trying every count vector with |count| <= bound for each size.
double exhaustiveTime(const DriveModel& model, double from, double target, int approach, int previous, int bound) {
    double best = std::numeric_limits<double>::infinity();
    std::array<int, 7> counts{};
    const int width = 2 * bound + 1;
    long combinations = 1;
    for (int k = 0; k < 7; ++k) combinations *= width;
    for (long index = 0; index < combinations; ++index) {
        long rest = index;
        bool any = false, with_approach = false;
        double time = 0;
        for (std::size_t k = 0; k < 7; ++k) {
            counts[k] = static_cast<int>(rest % width) - bound;
            rest /= width;
            any = any || counts[k] != 0;
            with_approach = with_approach || counts[k] * approach > 0;
            time += std::abs(counts[k]) * (model.step_time_ms[k] + model.command_ms);
        }
        if (time >= best || !any || !with_approach) continue;
        // Positions stay inside the travel: the middle of the path is checked through endPosition of
        // the first leg alone.
        std::array<int, 7> against{};
        for (std::size_t k = 0; k < 7; ++k) against[k] = counts[k] * approach < 0 ? counts[k] : 0;
        const double middle = endPosition(model, from, against, approach, previous);
        const double end = endPosition(model, from, counts, approach, previous);
        if (std::abs(end - target) > model.tolerance || middle < 0 || middle > model.travel || end < 0 ||
            end > model.travel)
            continue;
        best = time;
    }
    return best;
}
}  // namespace

TEST_CASE("planner: a move lands within half a unit and ends in the approach direction") {
    const auto model = selp1650();
    const auto plan = planMove(model, 100, 180.3, +1, 0);
    CHECK(std::abs(plan.end - 180.3) <= 0.5);
    REQUIRE_FALSE(plan.steps.empty());
    CHECK(plan.last_direction == +1);
    double position = 100;
    double time = 0;
    for (const auto& step : plan.steps) {
        position += step.direction * model.step_length[static_cast<std::size_t>(step.size - 1)];
        time += model.step_time_ms[static_cast<std::size_t>(step.size - 1)] + model.command_ms;
    }
    CHECK(position == doctest::Approx(plan.end));
    CHECK(time == doctest::Approx(plan.time_ms));
    CHECK(planMove(model, 100, 100.3, +1, 0).steps.empty());
}

TEST_CASE("planner: moving against the approach overshoots and comes back") {
    const auto model = selp1650();
    const auto plan = planMove(model, 150, 120, +1, 0);
    CHECK(std::abs(plan.end - 120) <= 0.5);
    CHECK(plan.steps.front().direction == -1);
    CHECK(plan.steps.back().direction == +1);
}

TEST_CASE("planner: backlash is taken up at each reversal") {
    const auto model = selp1650(3.0);
    const auto plan = planMove(model, 150, 120, +1, +1);
    CHECK(std::abs(plan.end - 120) <= 0.5);
    // Walking the plan step by step, each step first taking up the play left in its direction,
    // lands where the plan says.
    double position = 150;
    double gap = 0;  // the last step went far: engaged far
    for (const auto& step : plan.steps) {
        const double length = model.step_length[static_cast<std::size_t>(step.size - 1)];
        const double play = step.direction > 0 ? gap : model.backlash - gap;
        const double taken = std::min(play, length);
        gap = step.direction > 0 ? play - taken : model.backlash - (play - taken);
        position += step.direction * (length - taken);
    }
    CHECK(position == doctest::Approx(plan.end));
    CHECK(gap == doctest::Approx(plan.end_gap));
}

TEST_CASE("planner: a short first leg takes up only part of the play, and coming back costs only that part") {
    const auto model = selp1650(2.0);
    // Engaged far (gap 0); one size-1 step near moves the motor 1 unit into the 2-unit play.
    CHECK(endPosition(model, 100, {-1, 0, 0, 0, 0, 0, 0}, +1, +1) == doctest::Approx(100));
    // Then a size-2 step far: the play toward far is only the 1 unit taken, so the lens moves 2.6 − 1.
    CHECK(endPosition(model, 100, {-1, 1, 0, 0, 0, 0, 0}, +1, +1) == doctest::Approx(100 + 264.0 / 101.0 - 1.0));
    CHECK(farGap(+1, 2.0) == 0);
    CHECK(farGap(-1, 2.0) == 2.0);
    CHECK(farGap(0, 2.0) == 1.0);
}

TEST_CASE("planner: next to the end stop behind the approach it lands from the other side") {
    const auto model = selp1650(0.0);
    // Approach far, target 0: nothing can come back up to 0, so the plan ends moving near.
    const auto plan = planMove(model, 5, 0, +1, +1);
    CHECK(std::abs(plan.end) <= 0.5);
    CHECK(plan.last_direction == -1);
    const auto far_end = planMove(model, 250, 264, -1, -1);
    CHECK(std::abs(far_end.end - 264) <= 0.5);
}

TEST_CASE("planner: plans stay within the end stops, and unreachable targets are refused") {
    const auto model = selp1650();
    const auto near_end = planMove(model, 3, 1, +1, 0);  // cannot overshoot below 0 with a big step
    CHECK(std::abs(near_end.end - 1) <= 0.5);
    CHECK_THROWS_AS(planMove(model, 10, -5, +1, 0), std::invalid_argument);
    CHECK_THROWS_AS(planMove(model, 10, 300, +1, 0), std::invalid_argument);
}

TEST_CASE("planner: optimal against exhaustive search on small ranges") {
    for (const double backlash : {0.0, 2.0}) {
        const auto model = selp1650(backlash);
        std::mt19937 random(7);
        std::uniform_real_distribution<double> start(60, 200), offset(-40, 40);
        for (int trial = 0; trial < 25; ++trial) {
            const double from = start(random);
            const double target = from + offset(random);
            const int approach = trial % 2 ? +1 : -1;
            const int previous = trial % 3 - 1;
            CAPTURE(backlash);
            CAPTURE(from);
            CAPTURE(target);
            CAPTURE(approach);
            const auto plan = planMove(model, from, target, approach, previous);
            if (plan.steps.empty()) continue;
            const double best = exhaustiveTime(model, from, target, approach, previous, 2);
            CHECK(plan.time_ms <= best + 1e-9);
            CHECK(std::abs(plan.end - target) <= model.tolerance);
        }
    }
}

TEST_CASE("planner: a full-travel move on a long lens is planned quickly") {
    DriveModel model;
    const double moves[7] = {12194, 4500, 1900, 700, 260, 95, 35};  // a long-travel lens
    for (std::size_t k = 0; k < 7; ++k) {
        model.step_length[k] = 12194 / moves[k];
        model.step_time_ms[k] = 25.0 + 35.0 * static_cast<double>(k);
    }
    model.backlash = 2;
    model.travel = 12194;
    const auto started = std::chrono::steady_clock::now();
    const auto plan = planMove(model, 100, 12000.4, -1, +1);
    const auto elapsed = std::chrono::steady_clock::now() - started;
    CHECK(std::abs(plan.end - 12000.4) <= 0.5);
    CHECK(plan.last_direction == -1);
    MESSAGE("planned " << plan.steps.size() << " steps in "
                       << std::chrono::duration<double, std::milli>(elapsed).count() << " ms");
}

TEST_CASE("planner: a price on variance trades a rough large step for medium steps that land surely") {
    auto model = selp1650();
    model.jitter = 0.02;
    const auto fast = planMove(model, 10, 250, +1, +1);
    model.variance_ms = 500;
    const auto sure = planMove(model, 10, 250, +1, +1);
    CHECK(std::abs(sure.end - 250) <= 0.5);
    CHECK(sure.variance < fast.variance);
    CHECK(sure.time_ms > fast.time_ms);
    MESSAGE("time only: " << fast.time_ms << " ms, sd " << std::sqrt(fast.variance) << "; priced: " << sure.time_ms
                          << " ms, sd " << std::sqrt(sure.variance));
}
