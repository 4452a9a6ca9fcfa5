// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "config/LensDatabase.hpp"
#include "focus/LensModel.hpp"
#include "ptp/Body.hpp"

#include <array>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <stdexcept>
#include <stop_token>
#include <string>
#include <vector>

namespace sonyalpaca::focus {

/// Turns one live-view JPEG into a coarse grid of mean grey levels (a few thousand cells, always the
/// same size for a body). The daemon passes imaging::liveViewGrid; the focus room decodes no images.
using ViewMeter = std::function<std::vector<float>(const std::vector<std::uint8_t>& jpeg)>;

/// Learning could not finish; the message says why and what to try.
class LearnFailed : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Learning was cancelled; the lens is left wherever the last step put it.
class LearnCancelled : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// What learning starts from and what it names the result.
struct LearnOptions {
    config::LensEntry guess = genericLens();  ///< the profile the runs are planned from (ratios only)
    std::string maker = "unknown";
    std::string model_id = "learned";
    std::string name = "learned lens";
    double leg_seconds = 35;  ///< drive time of the many-small-steps leg of each run (twice this for size 1)
    double command_ms = 10;   ///< what one step costs besides its drive time (planning the legs)
    double backlash = 0;      ///< known play in units; 0 = measure it (counting alone cannot see it)
    config::PerStepSize step_time_ms = kDefaultStepTimeMs;  ///< how long to let each size drive
    double settle_ms = 0;  ///< extra wait before a live-view frame (bodies whose live view lags)
};

/// Where learning is, for the page, the log and the Action.
struct LearnProgress {
    std::string phase;  ///< "calibrating", "homing", "crossing", "size K", "checking"
    int percent = 0;    ///< of the whole learning
    std::string message;
};

/// A learned profile and how well it is known.
struct LearnResult {
    config::LensEntry profile;             ///< shipped format: moves of each size across the travel
    config::PerStepSize relative_sigma{};  ///< 1-σ relative uncertainty of each size's move count
    std::array<bool, config::kStepSizes>
        whole_travel{};            ///< one step of this size crosses the whole travel: moves is 1
    int detector_size = 0;         ///< the size whose steps located the infinity stop
    double repeat_difference = 0;  ///< the repeated crossing differed by this many detector steps
    double seconds = 0;
    long steps = 0;
    long frames = 0;
};

/// Measures a lens's seven step sizes with nobody counting.
///
/// Only the two end stops are exact, so every measurement is a run from the close-focus stop to the
/// infinity stop: first m steps of the size being measured, then steps of the "detector" size J
/// (the smallest whose single step visibly changes the live view) until the live view stops
/// changing. Where the lens reached the stop, to a fraction of a step, comes from how far each of
/// the last frames is from the frame at the stop (that distance grows linearly with the focus
/// error). A run with m = 0 gives the travel in J steps (r0); a run of size k gives r_k, and
/// s_k / s_J = (r0 − r_k) / m. Play (backlash) cancels because every run starts and ends the same
/// way. The crossing is repeated at the end as the check. Cancellable at every step.
class LensLearner {
public:
    LensLearner(ptp::Body& body, ViewMeter meter, LearnOptions options,
                std::function<void(const LearnProgress&)> progress = {});

    /// Runs the whole learning (minutes); throws LearnFailed, LearnCancelled, or the body's errors.
    LearnResult run(std::stop_token stop);

    /// Only the travel in largest steps: into the infinity stop, across to the close-focus stop
    /// counting size-7 steps (to a fraction of one), and back. Ends at the infinity stop. What an
    /// unknown lens's generic profile needs. Throws as run() does.
    double measureLargestSteps(std::stop_token stop);

private:
    /// Measures the live view's noise and checks that it shows detail.
    void calibrate();
    struct StopRun {
        double steps = 0;       ///< detector steps until the lens reached the stop, with the fraction
        int moving = 0;         ///< steps whose frame changed
        double visibility = 0;  ///< how far above the noise a full step's change was (RMS ratio)
        double peak = 0;        ///< the largest change of one step over the noise (RMS ratio)
    };

    std::vector<float> frame();
    /// The mean of two frames of a still lens; `still` gets their mean squared difference.
    std::vector<float> stillFrame(double& still);
    void step(int size, int direction, std::stop_token& stop);
    /// Steps `size` toward `direction` until the live view stops changing. `from_stop`: the lens
    /// starts at the other stop, where small steps may not show at first.
    StopRun runToStop(int size, int direction, int max_steps, std::stop_token& stop, bool from_stop = false);
    /// Drives into the close-focus stop with the largest step, far enough whatever the position.
    void driveNear(std::stop_token& stop);
    /// The play (backlash) in detector steps, measured near the infinity stop; ends there.
    /// `largest`: size 7 in detector steps.
    double measurePlay(int detector, double largest, std::stop_token& stop);
    void report(const std::string& phase, const std::string& message);

    ptp::Body& body_;
    ViewMeter meter_;
    LearnOptions options_;
    std::function<void(const LearnProgress&)> progress_;
    double largest_per_travel_ = 0;  // size-7 steps across the travel (coarse)
    int runs_done_ = 0;
    int runs_total_ = 1;
    long steps_ = 0;
    long frames_ = 0;
};

/// A name for a lens learned without one: "learned-YYYYMMDD-HHMM" (local time).
std::string learnedLensId();

/// One line for logs and pages: the moves per size and the time taken.
std::string learnedSummary(const LearnResult& result);

/// Saves a learned profile as `directory`/<model id>.json in the shipped database's format (one
/// lens), with how it was learned and its uncertainties; atomically. Returns the file's path.
std::filesystem::path saveLearnedProfile(const LearnResult& result, const std::filesystem::path& directory);

}  // namespace sonyalpaca::focus
