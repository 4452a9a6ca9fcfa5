// SPDX-License-Identifier: GPL-3.0-or-later
#include "focus/LensLearner.hpp"

#include "config/Log.hpp"

#include <algorithm>
#include <cmath>
#include <thread>

namespace sonyalpaca::focus {
namespace {
using Clock = std::chrono::steady_clock;

/// A step changed the live view when the mean squared difference of its two frames exceeds the
/// still lens's by this factor (an RMS difference 26 % above the noise: with a few thousand grid
/// cells, the still lens's value wanders by about 5 %).
constexpr double kChangeFactor = 1.6;
/// A detector step must change the frame at least this much (RMS over the noise) to be trusted.
constexpr double kVisibleRatio = 1.35;
/// Steps a run of the largest size may take before the lens must have hit a stop.
constexpr int kLargestStepsCap = 400;
/// Runs plan their first leg to carry the lens this fraction of the travel.
constexpr double kLegFraction = 0.7;

double meanSquaredDifference(const std::vector<float>& a, const std::vector<float>& b) {
    if (a.size() != b.size() || a.empty())
        throw LearnFailed("the live-view frames changed size during learning; keep the camera's settings alone");
    double sum = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        const double d = static_cast<double>(a[i]) - b[i];
        sum += d * d;
    }
    return sum / static_cast<double>(a.size());
}

double spread(const std::vector<float>& grid) {
    double mean = 0;
    for (float v : grid) mean += v;
    mean /= static_cast<double>(grid.size());
    double sum = 0;
    for (float v : grid) sum += (v - mean) * (v - mean);
    return std::sqrt(sum / static_cast<double>(grid.size()));
}

}  // namespace

LensLearner::LensLearner(ptp::Body& body, ViewMeter meter, LearnOptions options,
                         std::function<void(const LearnProgress&)> progress)
    : body_(body), meter_(std::move(meter)), options_(std::move(options)), progress_(std::move(progress)) {
    if (!meter_) throw std::invalid_argument("lens learning needs a live-view meter");
}

void LensLearner::report(const std::string& phase, const std::string& message) {
    LearnProgress progress;
    progress.phase = phase;
    progress.percent = std::clamp(100 * runs_done_ / std::max(runs_total_, 1), 0, 99);
    progress.message = message;
    log::get("focus")->info("lens learning: {} ({} %): {}", phase, progress.percent, message);
    if (progress_) progress_(progress);
}

std::vector<float> LensLearner::frame() {
    if (options_.settle_ms > 0)
        std::this_thread::sleep_for(std::chrono::duration<double, std::milli>(options_.settle_ms));
    ++frames_;
    return meter_(body_.liveView());
}

void LensLearner::step(int size, int direction, std::stop_token& stop) {
    if (stop.stop_requested()) throw LearnCancelled("lens learning cancelled");
    const auto started = Clock::now();
    // A body still finishing the last step answers busy; try again shortly (bounded).
    for (int attempt = 0;; ++attempt) {
        try {
            body_.focusStep(size, direction);
            break;
        } catch (const ptp::BodyBusy&) {
            if (attempt >= 40) throw;
            std::this_thread::sleep_for(std::chrono::milliseconds(25));
        }
    }
    ++steps_;
    const auto drive = std::chrono::duration<double, std::milli>(options_.step_time_ms[static_cast<std::size_t>(size - 1)]);
    std::this_thread::sleep_until(started + std::chrono::duration_cast<Clock::duration>(drive));
}

LensLearner::StopRun LensLearner::runToStop(int size, int direction, int max_steps, std::stop_token& stop) {
    std::vector<std::vector<float>> frames;
    frames.push_back(frame());
    std::vector<double> change;  // change[i]: between frames i and i + 1
    bool stopped = false;
    for (int i = 0; i < max_steps && !stopped; ++i) {
        step(size, direction, stop);
        frames.push_back(frame());
        change.push_back(meanSquaredDifference(frames[frames.size() - 2], frames.back()));
        const std::size_t n = change.size();
        // Three unchanged frames in a row: passing through focus can leave one or two steps unseen.
        stopped = n >= 3 && change[n - 1] <= threshold2_ && change[n - 2] <= threshold2_ && change[n - 3] <= threshold2_;
    }
    if (!stopped)
        throw LearnFailed("the lens found no end stop in " + std::to_string(max_steps) + " steps of size " +
                          std::to_string(size) + ": the live view kept changing. Keep the scene still (no wind, "
                          "no passing clouds) and the camera steady");
    // The frame at the stop: the mean of the last two unchanged frames.
    const std::size_t last = frames.size() - 1;
    std::vector<float> at_stop(frames[last].size());
    for (std::size_t i = 0; i < at_stop.size(); ++i) at_stop[i] = 0.5f * (frames[last][i] + frames[last - 1][i]);
    int moving = 0;
    for (std::size_t i = 0; i < change.size(); ++i)
        if (change[i] > threshold2_) moving = static_cast<int>(i) + 1;
    StopRun run;
    run.moving = moving;
    run.steps = moving;
    // A full step's change near the stop: the median over the steps before the last moving one.
    std::vector<double> full;
    for (int i = std::max(0, moving - 7); i < moving - 1; ++i) full.push_back(change[static_cast<std::size_t>(i)]);
    if (!full.empty()) {
        std::nth_element(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(full.size() / 2), full.end());
        run.visibility = std::sqrt(full[full.size() / 2] / std::max(noise2_, 1e-12));
    }
    // Distance to the stop grows linearly with the RMS difference to the stop frame (less its
    // noise: a single frame against the mean of two has 3/4 of two frames' noise). Take the two
    // frames nearest the stop whose difference stands clear of the noise and extrapolate to zero.
    std::vector<std::pair<int, double>> points;  // (frame index, RMS signal)
    for (int j = moving; j >= 0 && points.size() < 2; --j) {
        const double signal = meanSquaredDifference(frames[static_cast<std::size_t>(j)], at_stop) - 0.75 * noise2_;
        if (signal >= 2.0 * noise2_) points.emplace_back(j, std::sqrt(signal));
    }
    if (points.size() == 2 && points[1].second > points[0].second) {
        // points[0] is nearer: a = distance in steps of frame points[0] from the stop.
        const double per_step = (points[1].second - points[0].second) / (points[0].first - points[1].first);
        const double distance = points[0].second / per_step;
        const double estimate = points[0].first + distance;
        // Trust it when it agrees with the count of moving steps (the stop lies within the last one).
        if (estimate > moving - 1.5 && estimate < moving + 1.0) run.steps = estimate;
    }
    {
        std::string ratios;
        for (double c : change) ratios += std::to_string(static_cast<int>(std::lround(10 * std::sqrt(c / noise2_)))) + " ";
        log::get("focus")->debug("lens learning: size {} toward {}: {} steps, {} moving, stop at {:.3f}, visibility {:.2f}; changes ×10: {}",
                                 size, direction, change.size(), moving, run.steps, run.visibility, ratios);
    }
    return run;
}

void LensLearner::driveNear(std::stop_token& stop) {
    const int steps = static_cast<int>(std::ceil(largest_per_travel_ * 1.15)) + 2;
    for (int i = 0; i < steps; ++i) step(7, -1, stop);
}

LearnResult LensLearner::run(std::stop_token stop) {
    const auto started = Clock::now();
    const config::LensEntry& guess = options_.guess;
    runs_total_ = 10;
    // The live view's noise: three frames of a still lens.
    report("calibrating", "measuring the live view's noise; keep the camera and the scene still");
    const auto f0 = frame(), f1 = frame(), f2 = frame();
    noise2_ = 0.5 * (meanSquaredDifference(f0, f1) + meanSquaredDifference(f1, f2));
    if (spread(f0) < 2.0)
        throw LearnFailed("the live view shows no detail (lens cap on, or too dark?): point the camera at a detailed "
                          "scene in daylight, about 20 m or more away");
    noise2_ = std::max(noise2_, 1e-6);
    threshold2_ = kChangeFactor * noise2_;

    report("homing", "driving into the infinity stop");
    runToStop(7, +1, kLargestStepsCap, stop);
    ++runs_done_;
    report("homing", "driving into the close-focus stop, counting the largest steps");
    const StopRun near = runToStop(7, -1, kLargestStepsCap, stop);
    largest_per_travel_ = std::max(near.steps, 1.0);
    ++runs_done_;

    // The detector: the smallest size expected to take at most ~120 steps across the travel, so a
    // single step is well visible; larger when the crossing shows it is not.
    auto expected_steps = [&](int size) {
        return largest_per_travel_ * guess.full_travel_moves[static_cast<std::size_t>(size - 1)] / guess.full_travel_moves[6];
    };
    int detector = 7;
    for (int size = 1; size <= 7; ++size)
        if (expected_steps(size) <= 120) {
            detector = size;
            break;
        }
    StopRun crossing;
    for (;;) {
        report("crossing", "crossing the travel in steps of size " + std::to_string(detector));
        const int cap = static_cast<int>(expected_steps(detector) * 3) + 20;
        crossing = runToStop(detector, +1, cap, stop);
        driveNear(stop);
        if (crossing.visibility >= kVisibleRatio || detector == 7) break;
        log::get("focus")->info("lens learning: steps of size {} change the live view too little ({:.2f}× the noise); "
                                "trying size {}", detector, crossing.visibility, detector + 1);
        ++detector;
    }
    ++runs_done_;
    const double r0 = crossing.steps;
    if (r0 < 4)
        throw LearnFailed("the lens crossed its travel in " + std::to_string(crossing.moving) +
                          " visible steps: too few to measure. Point the camera at a scene with finer detail");

    // Each size: m steps, then detector steps into the stop. u[k] = s_k / s_J.
    std::array<double, 7> u{};
    std::array<double, 7> r{};
    std::array<int, 7> m{};
    LearnResult result;
    u[static_cast<std::size_t>(detector - 1)] = 1.0;
    r[static_cast<std::size_t>(detector - 1)] = 0;
    auto guess_ratio = [&](int size) {  // s_size / s_detector from the guess
        return guess.full_travel_moves[static_cast<std::size_t>(detector - 1)] / guess.full_travel_moves[static_cast<std::size_t>(size - 1)];
    };
    for (int size = 7; size >= 1; --size) {
        const auto k = static_cast<std::size_t>(size - 1);
        if (size == detector) continue;
        // The best guess of this size in detector steps: from the largest size's count for size 7,
        // otherwise from the measured next size and the guess's ratio between the two.
        double estimate = size == 7 ? r0 / largest_per_travel_ : guess_ratio(size);
        if (size < 7 && u[k + 1] > 0) estimate = u[k + 1] * guess.full_travel_moves[k + 1] / guess.full_travel_moves[k];
        const double per_step_ms = options_.step_time_ms[k] + 10.0;
        int count = static_cast<int>(std::floor(kLegFraction * r0 / std::max(estimate, 1e-9)));
        count = std::clamp(count, 1, std::max(1, static_cast<int>(options_.leg_seconds * 1000.0 / per_step_ms)));
        for (int attempt = 0;; ++attempt) {
            report("size " + std::to_string(size), std::to_string(count) + " steps of size " + std::to_string(size) +
                                                         ", then size " + std::to_string(detector) + " into the stop");
            for (int i = 0; i < count; ++i) step(size, +1, stop);
            const StopRun run = runToStop(detector, +1, static_cast<int>(r0 * 1.5) + 10, stop);
            driveNear(stop);
            if (run.moving > 0 || count == 1) {
                if (run.moving == 0) {
                    result.whole_travel[k] = true;  // one step already reached the stop
                    u[k] = r0;
                } else {
                    u[k] = (r0 - run.steps) / count;
                }
                r[k] = run.steps;
                m[k] = count;
                break;
            }
            if (attempt >= 3) throw LearnFailed("steps of size " + std::to_string(size) + " could not be measured");
            count = std::max(1, count / 2);  // the first leg already reached the stop: shorter
        }
        ++runs_done_;
    }

    report("checking", "crossing the travel again to check");
    const StopRun check = runToStop(detector, +1, static_cast<int>(r0 * 1.5) + 10, stop);
    result.repeat_difference = check.steps - r0;
    const double allowed = std::max(0.5, 0.01 * r0);
    if (std::abs(result.repeat_difference) > allowed)
        throw LearnFailed("the repeated crossing took " + std::to_string(check.steps) + " steps of size " +
                          std::to_string(detector) + ", the first " + std::to_string(r0) +
                          ": the lens slipped or the scene changed. Keep the scene still and try again");
    ++runs_done_;

    // Into size-1 units: s_k = u_k / u_1; the travel (less the play every crossing took up) is r0 / u_1.
    const double u1 = u[0];
    if (!(u1 > 0)) throw LearnFailed("the smallest step could not be measured");
    const double sigma_r = std::max(0.05, std::abs(result.repeat_difference) / std::sqrt(2.0));
    auto relative = [&](std::size_t k) {  // of u_k
        if (static_cast<int>(k) == detector - 1 || result.whole_travel[k]) return 0.0;
        return std::sqrt(2.0) * sigma_r / std::max(r0 - r[k], 1e-9);
    };
    const double travel = r0 / u1 - options_.backlash;
    result.profile.maker = options_.maker;
    result.profile.model_id = options_.model_id;
    result.profile.name = options_.name;
    for (std::size_t k = 0; k < 7; ++k) {
        result.profile.full_travel_moves[k] = result.whole_travel[k] ? 1.0 : travel * u1 / u[k];
        const double rel_travel = sigma_r / r0;
        result.relative_sigma[k] = result.whole_travel[k]
                                       ? 0.0
                                       : std::sqrt(rel_travel * rel_travel + relative(k) * relative(k) +
                                                   (k == 0 ? 0.0 : relative(0) * relative(0)));
    }
    // Size 1 defines the unit: its moves are the travel; sizes must grow.
    for (std::size_t k = 1; k < 7; ++k)
        if (result.profile.full_travel_moves[k] > result.profile.full_travel_moves[k - 1])
            throw LearnFailed("size " + std::to_string(k + 1) + " measured smaller than size " + std::to_string(k) +
                              ": the live view was not steady enough. Try again on a still, detailed scene");
    result.profile.step_time_ms = options_.step_time_ms;
    if (options_.backlash > 0) result.profile.backlash = options_.backlash;
    result.detector_size = detector;
    result.steps = steps_;
    result.frames = frames_;
    result.seconds = std::chrono::duration<double>(Clock::now() - started).count();
    runs_done_ = runs_total_;
    return result;
}

}  // namespace sonyalpaca::focus
