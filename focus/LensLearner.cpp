// SPDX-License-Identifier: GPL-3.0-or-later
#include "focus/LensLearner.hpp"

#include "config/AtomicFile.hpp"
#include "config/Log.hpp"
#include "config/TimeText.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <thread>

namespace sonyalpaca::focus {
namespace {
/// The largest step size, the one that drives into the end stops.
constexpr int kLargest = config::kStepSizes;
using Clock = std::chrono::steady_clock;

/// A step changed the live view when the mean squared difference of its frame and the one before
/// exceeds a still lens's (measured right there) by this factor: an RMS difference 26 % above the
/// noise; with a few thousand grid cells, a still lens's value wanders by about 5 %.
constexpr double kChangeFactor = 1.6;
/// A detector step must change the frame at least this much (RMS over the noise) to be trusted.
constexpr double kVisibleRatio = 1.35;
/// Steps a run of the largest size may take before the lens must have hit a stop (the longest
/// lens known crosses its travel in 45).
constexpr int kLargestStepsCap = 120;
/// The smallest play, in detector steps, that the reversal test tells from noise.
constexpr double kSmallestVisiblePlay = 0.25;
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
    const auto drive =
        std::chrono::duration<double, std::milli>(options_.step_time_ms[static_cast<std::size_t>(size - 1)]);
    std::this_thread::sleep_until(started + std::chrono::duration_cast<Clock::duration>(drive));
}

std::vector<float> LensLearner::stillFrame(double& still) {
    auto first = frame();
    const auto second = frame();
    still = meanSquaredDifference(first, second);
    for (std::size_t i = 0; i < first.size(); ++i) first[i] = 0.5f * (first[i] + second[i]);
    return first;
}

LensLearner::StopRun LensLearner::runToStop(int size, int direction, int max_steps, std::stop_token& stop,
                                            bool from_stop) {
    // After each step two frames: their mean is the step's frame, their difference the noise right
    // there (it depends on the scene's blur, so one calibration does not hold across the travel).
    std::vector<std::vector<float>> frames;  // frames[i]: after i steps
    std::vector<double> still;               // still[i]: mean squared difference of frame i's pair
    std::vector<double> change;              // change[i - 1]: between frames i - 1 and i
    std::vector<bool> moved;                 // moved[i - 1]: step i changed the view
    double s0 = 0;
    frames.push_back(stillFrame(s0));
    still.push_back(s0);
    auto localNoise = [&](std::size_t i) {  // per cell of an averaged frame: the median pair difference / 4
        std::vector<double> near(still.begin() + static_cast<std::ptrdiff_t>(i >= 2 ? i - 2 : 0),
                                 still.begin() + static_cast<std::ptrdiff_t>(i + 1));
        std::nth_element(near.begin(), near.begin() + static_cast<std::ptrdiff_t>(near.size() / 2), near.end());
        return std::max(0.25 * near[near.size() / 2], 1e-9);
    };
    bool seen = false;
    bool stopped = false;
    for (int i = 1; i <= max_steps && !stopped; ++i) {
        step(size, direction, stop);
        double s = 0;
        frames.push_back(stillFrame(s));
        still.push_back(s);
        change.push_back(meanSquaredDifference(frames[frames.size() - 2], frames.back()));
        // A still lens: the change is the noise of two averaged frames, 2 × localNoise.
        moved.push_back(change.back() > kChangeFactor * 2.0 * localNoise(frames.size() - 1));
        seen = seen || moved.back();
        const std::size_t n = moved.size();
        // Three unchanged steps in a row: passing through focus can leave one or two steps unseen.
        // Leaving a stop, small steps may not show at first: wait for the first visible one.
        // Where single steps barely show, three of them do: the view must not have changed since
        // three steps ago either.
        stopped = n >= 3 && !moved[n - 1] && !moved[n - 2] && !moved[n - 3] && (seen || !from_stop) &&
                  meanSquaredDifference(frames[n - 3], frames[n]) <= kChangeFactor * 2.0 * localNoise(n);
    }
    if (!stopped && !seen)
        throw LearnFailed("the live view did not change in " + std::to_string(max_steps) + " steps of size " +
                          std::to_string(size) +
                          " (too dark or featureless?): point the camera at a detailed "
                          "scene in daylight");
    if (!stopped)
        throw LearnFailed("the lens found no end stop in " + std::to_string(max_steps) + " steps of size " +
                          std::to_string(size) +
                          ": the live view kept changing. Keep the scene still (no wind, "
                          "no passing clouds) and the camera steady");
    int moving = 0;
    for (std::size_t i = 0; i < moved.size(); ++i)
        if (moved[i]) moving = static_cast<int>(i) + 1;
    StopRun run;
    run.moving = moving;
    run.steps = moving;
    for (std::size_t i = 0; i < change.size(); ++i)
        run.peak = std::max(run.peak, std::sqrt(change[i] / (2.0 * localNoise(i + 1))));
    const std::size_t last = frames.size() - 1;
    const double noise_at_stop = localNoise(last);  // per averaged frame
    // A full step's change near the stop: the median over the steps before the last moving one.
    std::vector<double> full;
    for (int i = std::max(0, moving - 7); i < moving - 1; ++i) full.push_back(change[static_cast<std::size_t>(i)]);
    if (!full.empty()) {
        std::nth_element(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(full.size() / 2), full.end());
        run.visibility = std::sqrt(full[full.size() / 2] / (2.0 * noise_at_stop));
    }
    // The frame at the stop: the mean of the last two (unchanged) frames. The distance to the stop
    // grows linearly with the RMS difference to it, less its noise (one averaged frame against the
    // mean of two: 1.5 × an averaged frame's).
    std::vector<float> at_stop(frames[last].size());
    for (std::size_t i = 0; i < at_stop.size(); ++i) at_stop[i] = 0.5f * (frames[last][i] + frames[last - 1][i]);
    // A straight line through the (up to) five frames before the last moving step, fitted by least
    // squares, reaches zero where the stop is.
    std::vector<std::pair<double, double>> points;  // (frame index, RMS signal)
    for (int j = moving - 1; j >= 0 && j >= moving - 5; --j) {
        const double signal = meanSquaredDifference(frames[static_cast<std::size_t>(j)], at_stop) - 1.5 * noise_at_stop;
        if (signal > 0) points.emplace_back(j, std::sqrt(signal));
    }
    if (points.size() >= 2) {
        double mx = 0, my = 0;
        for (const auto& [x, y] : points) mx += x, my += y;
        mx /= static_cast<double>(points.size());
        my /= static_cast<double>(points.size());
        double sxy = 0, sxx = 0;
        for (const auto& [x, y] : points) sxy += (x - mx) * (y - my), sxx += (x - mx) * (x - mx);
        const double slope = sxy / sxx;  // negative: the signal falls toward the stop
        if (slope < 0) {
            const double estimate = mx - my / slope;
            // Trust it when it agrees with the count of moving steps (the stop lies within the last one).
            if (estimate > moving - 1.5 && estimate < moving + 1.0) run.steps = estimate;
        }
    }
    {
        std::string ratios;
        for (std::size_t i = 0; i < change.size(); ++i)
            ratios +=
                std::to_string(static_cast<int>(std::lround(10 * std::sqrt(change[i] / (2.0 * localNoise(i + 1)))))) +
                " ";
        log::get("focus")->debug(
            "lens learning: size {} toward {}: {} steps, {} moving, stop at {:.3f}, visibility {:.2f}; "
            "changes/noise ×10: {}",
            size, direction, change.size(), moving, run.steps, run.visibility, ratios);
    }
    return run;
}

void LensLearner::driveNear(std::stop_token& stop) {
    const int steps = static_cast<int>(std::ceil(largest_per_travel_ * 1.08)) + 2;
    for (int i = 0; i < steps; ++i) step(kLargest, -1, stop);
}

void LensLearner::calibrate() {
    report("calibrating", "checking the live view; keep the camera and the scene still");
    double still = 0;
    const auto view = stillFrame(still);
    if (spread(view) < 2.0)
        throw LearnFailed("the live view shows no detail (lens cap on, or too dark?): point the camera at a detailed "
                          "scene in daylight, about 20 m or more away");
}

double LensLearner::measureLargestSteps(std::stop_token stop) {
    runs_total_ = 3;
    calibrate();
    report("homing", "driving into the infinity stop");
    runToStop(kLargest, +1, kLargestStepsCap, stop);
    ++runs_done_;
    report("homing", "driving into the close-focus stop, counting the largest steps");
    const StopRun near = runToStop(kLargest, -1, kLargestStepsCap, stop, true);
    ++runs_done_;
    // A largest step must change the view plainly (a dark or featureless view, e.g. the night sky,
    // cannot locate the stops).
    if (near.moving < 1 || near.peak < 3.0)
        throw LearnFailed("the largest focus steps barely change the live view (" + std::to_string(near.peak) +
                          "× the noise): it cannot show where the end stops are");
    report("homing", "driving back into the infinity stop");
    for (int i = 0; i < static_cast<int>(std::ceil(near.steps * 1.15)) + 2; ++i) step(kLargest, +1, stop);
    return std::max(near.steps, 1.0);
}

double LensLearner::measurePlay(int detector, double largest, std::stop_token& stop) {
    // From the infinity stop, out with three detector steps; then, three times at a place Q with
    // the play taken up toward near: frame A; a step near (frame D, a full step from Q); a step far
    // (frame E: the reversal loses the play, so E lies `play` from Q). Near Q the view changes in
    // proportion to the distance, so play / step = RMS(E − A) / RMS(D − A), less the noise.
    for (int i = 0; i < 3; ++i) step(detector, -1, stop);
    std::vector<double> ratios;
    for (int i = 0; i < 3; ++i) {
        double still = 0;
        const auto a = stillFrame(still);
        const double noise = 0.25 * still;  // per cell of an averaged frame
        step(detector, -1, stop);
        const auto d = stillFrame(still);
        step(detector, +1, stop);
        const auto e = stillFrame(still);
        const double full = meanSquaredDifference(d, a) - 2.0 * noise;
        const double back = meanSquaredDifference(e, a) - 2.0 * noise;
        if (full > 4.0 * noise) ratios.push_back(std::sqrt(std::clamp(back / full, 0.0, 1.0)));
        step(detector, -1, stop);  // Q moves one step nearer, the play taken up toward near again
    }
    // Back into the infinity stop: 3 + 2 × 3 detector steps out, in largest steps with a margin.
    const int back = static_cast<int>(std::ceil(10.0 / std::max(largest, 1e-9))) + 2;
    for (int i = 0; i < back; ++i) step(kLargest, +1, stop);
    if (ratios.empty()) return 0;  // too little change to tell: no play assumed
    std::sort(ratios.begin(), ratios.end());
    const double play = ratios[ratios.size() / 2];  // in detector steps
    // The noise alone gives ratios up to about 0.2: a play below a quarter of a step is not seen.
    if (play < kSmallestVisiblePlay) {
        log::get("focus")->debug("lens learning: play below {} detector steps, too small to measure",
                                 kSmallestVisiblePlay);
        return 0;
    }
    log::get("focus")->debug("lens learning: play {:.3f} detector steps (of {} measures)", play, ratios.size());
    return play;
}

LearnResult LensLearner::run(std::stop_token stop) {
    const auto started = Clock::now();
    const config::LensEntry& guess = options_.guess;
    runs_total_ = 10;
    calibrate();

    report("homing", "driving into the infinity stop");
    runToStop(kLargest, +1, kLargestStepsCap, stop);
    ++runs_done_;
    report("homing", "driving into the close-focus stop, counting the largest steps");
    const StopRun near = runToStop(kLargest, -1, kLargestStepsCap, stop);
    largest_per_travel_ = std::max(near.steps, 1.0);
    ++runs_done_;

    // The detector: the smallest size expected to take at most ~120 steps across the travel, so a
    // single step is well visible; larger when the crossing shows it is not.
    auto expected_steps = [&](int size) {
        return largest_per_travel_ * guess.full_travel_moves[static_cast<std::size_t>(size - 1)] /
               guess.full_travel_moves[config::kStepSizes - 1];
    };
    int detector = kLargest;
    for (int size = 1; size <= config::kStepSizes; ++size)
        if (expected_steps(size) <= 120) {
            detector = size;
            break;
        }
    StopRun crossing;
    for (;;) {
        report("crossing", "crossing the travel in steps of size " + std::to_string(detector));
        const int cap = static_cast<int>(expected_steps(detector) * 3) + 20;
        crossing = runToStop(detector, +1, cap, stop, true);
        driveNear(stop);
        if (crossing.visibility >= kVisibleRatio || detector == kLargest) break;
        log::get("focus")->info("lens learning: steps of size {} change the live view too little ({:.2f}× the noise); "
                                "trying size {}",
                                detector, crossing.visibility, detector + 1);
        ++detector;
    }
    ++runs_done_;
    const double r0 = crossing.steps;
    if (r0 < 4)
        throw LearnFailed("the lens crossed its travel in " + std::to_string(crossing.moving) +
                          " visible steps: too few to measure. Point the camera at a scene with finer detail");

    // Each size: m steps, then detector steps into the stop. u[k] = s_k / s_J.
    config::PerStepSize u{};
    config::PerStepSize r{};
    std::array<int, config::kStepSizes> m{};
    LearnResult result;
    u[static_cast<std::size_t>(detector - 1)] = 1.0;
    r[static_cast<std::size_t>(detector - 1)] = 0;
    auto guess_ratio = [&](int size) {  // s_size / s_detector from the guess
        return guess.full_travel_moves[static_cast<std::size_t>(detector - 1)] /
               guess.full_travel_moves[static_cast<std::size_t>(size - 1)];
    };
    for (int size = kLargest; size >= 1; --size) {
        const auto k = static_cast<std::size_t>(size - 1);
        if (size == detector) continue;
        // The best guess of this size in detector steps: from the largest size's count for size 7,
        // otherwise from the measured next size and the guess's ratio between the two.
        double estimate = size == kLargest ? r0 / largest_per_travel_ : guess_ratio(size);
        if (size < kLargest && u[k + 1] > 0)
            estimate = u[k + 1] * guess.full_travel_moves[k + 1] / guess.full_travel_moves[k];
        const double per_step_ms = options_.step_time_ms[k] + options_.command_ms;
        // Size 1 is the unit every other size is expressed in: its leg gets twice the time.
        const double leg_ms = options_.leg_seconds * 1000.0 * (size == 1 ? 2.0 : 1.0);
        int count = static_cast<int>(std::floor(kLegFraction * r0 / std::max(estimate, 1e-9)));
        count = std::clamp(count, 1, std::max(1, static_cast<int>(leg_ms / per_step_ms)));
        for (int attempt = 0;; ++attempt) {
            report("size " + std::to_string(size), std::to_string(count) + " steps of size " + std::to_string(size) +
                                                       ", then size " + std::to_string(detector) + " into the stop");
            for (int i = 0; i < count; ++i) step(size, +1, stop);
            // A leg planned to end well short of the stop: the detector's first steps may not show.
            const bool short_leg = count * estimate < 0.9 * r0;
            const StopRun run = runToStop(detector, +1, static_cast<int>(r0 * 1.5) + 10, stop, short_leg);
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
    const StopRun check = runToStop(detector, +1, static_cast<int>(r0 * 1.5) + 10, stop, true);
    result.repeat_difference = check.steps - r0;
    const double allowed = std::max(0.5, 0.01 * r0);
    if (std::abs(result.repeat_difference) > allowed)
        throw LearnFailed("the repeated crossing took " + std::to_string(check.steps) + " steps of size " +
                          std::to_string(detector) + ", the first " + std::to_string(r0) +
                          ": the lens slipped or the scene changed. Keep the scene still and try again");
    ++runs_done_;

    // Both crossings count: the sizes from their mean.
    const double crossing_steps = 0.5 * (r0 + check.steps);
    for (std::size_t k = 0; k < config::kStepSizes; ++k)
        if (m[k] > 0 && !result.whole_travel[k]) u[k] = (crossing_steps - r[k]) / m[k];

    // Into size-1 units: s_k = u_k / u_1; the travel is the crossing less the play it took up.
    const double u1 = u[0];
    if (!(u1 > 0)) throw LearnFailed("the smallest step could not be measured");
    report("play", "measuring the play (backlash) at a reversal");
    const double play = options_.backlash > 0 ? options_.backlash
                                              : measurePlay(detector, u[config::kStepSizes - 1], stop) / u1;
    const double sigma_r = std::max(0.05, std::abs(result.repeat_difference) / std::sqrt(2.0));
    auto relative = [&](std::size_t k) {  // of u_k
        if (static_cast<int>(k) == detector - 1 || result.whole_travel[k]) return 0.0;
        return std::sqrt(2.0) * sigma_r / std::max(crossing_steps - r[k], 1e-9);
    };
    const double travel = crossing_steps / u1 - play;
    result.profile.maker = options_.maker;
    result.profile.model_id = options_.model_id;
    result.profile.name = options_.name;
    for (std::size_t k = 0; k < config::kStepSizes; ++k) {
        result.profile.full_travel_moves[k] = result.whole_travel[k] ? 1.0 : travel * u1 / u[k];
        const double rel_travel = sigma_r / r0;
        result.relative_sigma[k] = result.whole_travel[k]
                                       ? 0.0
                                       : std::sqrt(rel_travel * rel_travel + relative(k) * relative(k) +
                                                   (k == 0 ? 0.0 : relative(0) * relative(0)));
    }
    // Size 1 defines the unit: its moves are the travel; sizes must grow.
    for (std::size_t k = 1; k < config::kStepSizes; ++k)
        if (result.profile.full_travel_moves[k] > result.profile.full_travel_moves[k - 1])
            throw LearnFailed("size " + std::to_string(k + 1) + " measured smaller than size " + std::to_string(k) +
                              ": the live view was not steady enough. Try again on a still, detailed scene");
    result.profile.step_time_ms = options_.step_time_ms;
    if (play > 0) result.profile.backlash = std::round(play * 100.0) / 100.0;  // else: too small to see
    result.detector_size = detector;
    result.steps = steps_;
    result.frames = frames_;
    result.seconds = std::chrono::duration<double>(Clock::now() - started).count();
    runs_done_ = runs_total_;
    return result;
}

std::string learnedLensId() { return timetext::local(std::chrono::system_clock::now(), "learned-%Y%m%d-%H%M"); }

std::string learnedSummary(const LearnResult& result) {
    std::string moves;
    for (std::size_t k = 0; k < config::kStepSizes; ++k) {
        char item[64];
        std::snprintf(item, sizeof item, "%s%.1f (±%.1f %%)", k ? ", " : "", result.profile.full_travel_moves[k],
                      100 * result.relative_sigma[k]);
        moves += item;
    }
    char tail[96];
    std::snprintf(tail, sizeof tail, " in %.0f s (%ld steps, %ld frames)", result.seconds, result.steps, result.frames);
    return result.profile.model_id + ": moves per size " + moves + tail;
}

std::filesystem::path saveLearnedProfile(const LearnResult& result, const std::filesystem::path& directory) {
    std::string name;
    for (char c : result.profile.model_id)
        name += (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.') ? c : '_';
    if (name.empty() || name[0] == '.') name = "learned" + name;
    const auto path = directory / (name + ".json");
    nlohmann::json lens{{"maker", result.profile.maker},
                        {"model_id", result.profile.model_id},
                        {"name", result.profile.name},
                        {"full_travel_moves_by_step_size", result.profile.full_travel_moves}};
    if (result.profile.step_time_ms) lens["step_time_ms"] = *result.profile.step_time_ms;
    if (result.profile.backlash) lens["backlash"] = *result.profile.backlash;
    lens["learned"] = {{"relative_uncertainty", result.relative_sigma},
                       {"one_step_crosses_travel", result.whole_travel},
                       {"detector_size", result.detector_size},
                       {"repeat_difference_steps", result.repeat_difference},
                       {"seconds", result.seconds},
                       {"steps", result.steps},
                       {"frames", result.frames}};
    const nlohmann::json file{
        {"about", "Focus profile learned by sonyalpaca from live-view frames: full_travel_moves_by_step_size[k-1] is "
                  "how many moves of step size k carry the lens across its focus travel. Same format as the shipped "
                  "sony-lenses.json; share it, or edit it by hand."},
        {"lenses", nlohmann::json::array({lens})}};
    std::filesystem::create_directories(directory);
    config::writeFileAtomically(path, file.dump(2) + "\n");
    return path;
}

}  // namespace sonyalpaca::focus
