// SPDX-License-Identifier: GPL-3.0-or-later
// The tracker's uncertainty against the virtual lens's true jitter: its sigma must be honest.
#include "focus/PositionTracker.hpp"
#include "ptp/sim/VirtualLens.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <random>

using namespace sonyalpaca;

TEST_CASE("tracker: its sigma matches the virtual lens's real scatter") {
    config::LensEntry lens;
    lens.model_id = "SELP1650";
    lens.full_travel_moves = {264.0, 101.0, 40.5, 15.5, 6.25, 2.2, 1.0};
    focus::DriveModel model;
    for (std::size_t k = 0; k < 7; ++k) model.step_length[k] = 264.0 / lens.full_travel_moves[k];
    model.jitter = 0.02;
    model.travel = 264;
    std::mt19937 random(3);
    std::uniform_int_distribution<int> size(1, 5);
    int within_2_sigma = 0;
    const int runs = 400;
    double sigma_sum = 0;
    for (int run = 0; run < runs; ++run) {
        ptp::sim::LensOptions options;
        options.seed = static_cast<std::uint64_t>(run + 1);
        options.profile_error = 0;  // the tracker knows the true profile here
        options.jitter = 0.02;
        options.backlash = 0;
        options.start_position = 132;
        ptp::sim::VirtualLens truth(lens, options);
        focus::PositionTracker tracker(model);
        tracker.restore(132, 0, 0, true);
        for (int i = 0; i < 12; ++i) {
            const focus::Step step{size(random), i % 2 ? 1 : -1};
            truth.step(step.size, step.direction);
            tracker.step(step);
        }
        sigma_sum += tracker.sigma();
        if (std::abs(truth.position() - tracker.position()) <= 2 * tracker.sigma()) ++within_2_sigma;
    }
    const double fraction = static_cast<double>(within_2_sigma) / runs;
    MESSAGE("true position within 2 sigma in " << fraction * 100 << " % of runs; mean sigma " << sigma_sum / runs);
    CHECK(fraction > 0.90);
    CHECK(fraction < 0.99);
}
