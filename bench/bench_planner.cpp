// SPDX-License-Identifier: GPL-3.0-or-later
// The optimal move planner (focus::planMove) against the existing Windows driver's greedy rule, over
// 1,000 random moves on each shipped lens: true landing error, command count, drive time and the
// planner's own run time (issue 6, Performance).
//
// The greedy rule, as the Windows driver applies it: each step size's length is kept as a whole
// number, travel / moves truncated. While the remaining distance it believes in is at least half the
// smallest step, it drives toward the target the step whose whole-number length is nearest to that
// distance (overshooting if that is nearer) and adds that whole number to its belief; it gives up
// when the nearest step would not bring it closer. It times each step with a sleep of 100 ms times
// the step size, whatever the motor really needs.
//
// Both plans are then walked on the true real-valued step lengths of the profile (no jitter), with
// the same backlash and hard end stops, to get the true landing error. Drive time is compared on one
// physical timing model, the virtual body's: a step of size k takes 25 + 35 (k - 1) ms plus 50 ms
// for the command. Half of the moves are small (under 20 units). Four scenarios: backlash 0 and 2,
// each with the approach free and fixed (far). Targets at the end stops are checked apart, and any
// move the planner cannot plan or lands off is counted and shown. Usage: bench_planner [lenses.json]
#include "config/DataFiles.hpp"
#include "config/LensDatabase.hpp"
#include "focus/LensModel.hpp"
#include "focus/MovePlanner.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

using namespace sonyalpaca;
using Clock = std::chrono::steady_clock;

namespace {
constexpr int kMoves = 1000;              // random moves per lens
constexpr int kEdgeStarts = 10;           // random starts per end-stop target (outside the table)
constexpr double kSmallMove = 20;         // "small" moves are shorter than this, in units
constexpr int kGreedyStepLimit = 100000;  // bounds the greedy loop; reaching it is reported
constexpr double kTolerance = 0.5;        // the landing goal, in units
constexpr double kSlack = 1e-9;           // rounding allowed on top of the goal

double stepTimeMs(int size) { return 25.0 + 35.0 * (size - 1); }
constexpr double kCommandMs = 50;

/// One scenario: the backlash of the true lens (known to the planner) and the planner's approach.
struct Scenario {
    const char* title;
    double backlash;
    int approach;
};

/// The true lens: real-valued step lengths, backlash as play between motor and lens, hard end stops.
class TrueLens {
public:
    TrueLens(const focus::DriveModel& model, double position, int previous_direction)
        : model_(model), lens_(position), motor_(position + (previous_direction > 0 ? model.backlash : 0)) {}

    /// The lens follows the motor within a play of `backlash`: moving far it trails the motor by
    /// the backlash, moving near it sits on the motor; a step that reverses first takes up the play.
    void step(const focus::Step& step) {
        const double length = model_.step_length[static_cast<std::size_t>(step.size - 1)];
        motor_ += step.direction * length;
        lens_ = std::clamp(lens_, motor_ - model_.backlash, motor_);
        if (lens_ > model_.travel) {
            lens_ = model_.travel;
            motor_ = lens_ + model_.backlash;
        } else if (lens_ < 0) {
            lens_ = 0;
            motor_ = 0;
        }
    }

    double position() const noexcept { return lens_; }

private:
    const focus::DriveModel& model_;
    double lens_;
    double motor_;
};

/// Where `steps` leave the true lens.
double walk(const focus::DriveModel& model, double from, int previous_direction,
            const std::vector<focus::Step>& steps) {
    TrueLens lens(model, from, previous_direction);
    for (const auto& step : steps) lens.step(step);
    return lens.position();
}

/// Whether `steps` drive the true lens into an end stop (it would have gone further).
bool hitsEndStop(const focus::DriveModel& model, double from, int previous_direction,
                 const std::vector<focus::Step>& steps) {
    TrueLens lens(model, from, previous_direction);
    for (const auto& step : steps) {
        const double before = lens.position();
        lens.step(step);
        const double length = model.step_length[static_cast<std::size_t>(step.size - 1)];
        if (std::abs(lens.position() - before) < length - model.backlash - 1e-9 &&
            (lens.position() <= 0 || lens.position() >= model.travel))
            return true;
    }
    return false;
}

/// The Windows driver's plan; `whole` holds its truncated step lengths. Sets `runaway` when the
/// loop bound was reached.
std::vector<focus::Step> greedyPlan(const std::array<int, 7>& whole, double from, double target, bool& runaway) {
    std::vector<focus::Step> steps;
    double belief = from;
    runaway = false;
    for (int i = 0; i < kGreedyStepLimit; ++i) {
        const double remaining = target - belief;
        const double distance = std::abs(remaining);
        if (distance < 0.5 * whole[0]) return steps;
        std::size_t best = 0;
        for (std::size_t k = 1; k < whole.size(); ++k)
            if (std::abs(distance - whole[k]) < std::abs(distance - whole[best])) best = k;
        if (std::abs(distance - whole[best]) >= distance) return steps;  // no step helps
        const int direction = remaining > 0 ? 1 : -1;
        steps.push_back({static_cast<int>(best) + 1, direction});
        belief += direction * whole[best];
    }
    runaway = true;
    return steps;
}

double physicalTimeMs(const std::vector<focus::Step>& steps) {
    double time = 0;
    for (const auto& step : steps) time += stepTimeMs(step.size) + kCommandMs;
    return time;
}

double sleepTimeMs(const std::vector<focus::Step>& steps) {
    double time = 0;
    for (const auto& step : steps) time += 100.0 * step.size;
    return time;
}

/// The driver as it runs: each step's command round trip, then its fixed sleep.
double asRunTimeMs(const std::vector<focus::Step>& steps) {
    return sleepTimeMs(steps) + kCommandMs * static_cast<double>(steps.size());
}

/// Sums over the moves of one lens for one planner.
struct Tally {
    double error_sum = 0;
    double error_max = 0;
    double commands = 0;
    double time_ms = 0;
    double sleep_ms = 0;
    double as_run_ms = 0;
    int off_target = 0;  // landed further than the goal

    void add(double error, const std::vector<focus::Step>& steps) {
        error_sum += error;
        error_max = std::max(error_max, error);
        commands += static_cast<double>(steps.size());
        time_ms += physicalTimeMs(steps);
        sleep_ms += sleepTimeMs(steps);
        as_run_ms += asRunTimeMs(steps);
        if (error > kTolerance + kSlack) ++off_target;
    }
};

/// What one scenario found over all lenses.
struct Summary {
    double optimal_error_max = 0;
    double saving_sum = 0;
    double as_run_saving_sum = 0;
    int lenses = 0;
    double plan_us_max = 0;  // over all lenses
    std::string slowest_id;
    double longest_travel = 0;
    double longest_plan_us_max = 0;
    double longest_plan_us_p99 = 0;
    std::string longest_id;
    int throws = 0;
    int off_target = 0;
    int model_mismatch = 0;  // the plan's own end differs from the true walk
    int greedy_runaways = 0;
    int greedy_end_stops = 0;  // greedy moves that drove into an end stop
    int edge_moves = 0;        // moves to targets at and near the end stops
    int edge_throws = 0;
    int edge_off = 0;
    std::vector<std::string> failures;       // the first few of the random moves, for the report
    std::vector<std::string> edge_failures;  // the first few at the end stops
};

void remember(std::vector<std::string>& list, const std::string& text) {
    if (list.size() < 6) list.push_back(text);
}

void runLens(const config::LensEntry& entry, const Scenario& scenario, std::uint64_t seed, Summary& summary) {
    const focus::LensModel lens(entry);
    focus::DriveModel model;
    std::array<int, 7> whole{};
    for (std::size_t k = 0; k < 7; ++k) {
        const int size = static_cast<int>(k) + 1;
        model.step_length[k] = lens.stepLength(size);
        model.step_time_ms[k] = stepTimeMs(size);
        whole[k] = static_cast<int>(lens.stepLength(size));  // the driver's truncation
    }
    model.command_ms = kCommandMs;
    model.backlash = scenario.backlash;
    model.jitter = 0;
    model.travel = lens.travel();
    model.tolerance = kTolerance;

    std::mt19937_64 random(seed);
    std::uniform_real_distribution<double> anywhere(0, model.travel);
    std::bernoulli_distribution coin(0.5);
    Tally greedy, optimal;
    std::vector<double> plan_us;
    plan_us.reserve(kMoves);
    for (int move = 0; move < kMoves; ++move) {
        const double from = anywhere(random);
        double target;
        if (move % 2 == 0) {
            target = anywhere(random);
        } else {
            std::uniform_real_distribution<double> near(std::max(0.0, from - kSmallMove),
                                                        std::min(model.travel, from + kSmallMove));
            target = near(random);
        }
        const int previous = coin(random) ? 1 : -1;

        bool runaway = false;
        const auto greedy_steps = greedyPlan(whole, from, target, runaway);
        if (runaway) ++summary.greedy_runaways;
        if (hitsEndStop(model, from, previous, greedy_steps)) ++summary.greedy_end_stops;
        greedy.add(std::abs(walk(model, from, previous, greedy_steps) - target), greedy_steps);

        const auto started = Clock::now();
        focus::Plan plan;
        try {
            plan = focus::planMove(model, from, target, scenario.approach, previous);
        } catch (const std::exception& e) {
            ++summary.throws;
            char text[256];
            std::snprintf(text, sizeof text, "%s: from %.4f to %.4f (previous %+d) threw: ", entry.model_id.c_str(),
                          from, target, previous);
            remember(summary.failures, text + std::string(e.what()));
            continue;
        }
        plan_us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - started).count());
        const double end = walk(model, from, previous, plan.steps);
        const double error = std::abs(end - target);
        optimal.add(error, plan.steps);
        if (std::abs(end - plan.end) > 1e-6 || std::abs(plan.time_ms - physicalTimeMs(plan.steps)) > 1e-6)
            ++summary.model_mismatch;
        if (error > kTolerance + kSlack) {
            std::string steps;
            for (const auto& step : plan.steps) steps += (step.direction > 0 ? " +" : " -") + std::to_string(step.size);
            char text[256];
            std::snprintf(text, sizeof text,
                          "%s: from %.4f to %.4f (previous %+d) landed %.4f off; plan%s ends at %.4f, "
                          "the walk at %.4f",
                          entry.model_id.c_str(), from, target, previous, error, steps.c_str(), plan.end, end);
            remember(summary.failures, text);
        }
    }

    // Targets at and near the end stops, which uniform targets almost never hit: Alpaca clients do
    // ask for 0 and MaxStep. Counted apart from the table.
    for (const double target : {0.0, 0.25, 1.0, model.travel - 1, model.travel - 0.25, model.travel}) {
        for (int i = 0; i < kEdgeStarts; ++i) {
            const double from = anywhere(random);
            const int previous = coin(random) ? 1 : -1;
            ++summary.edge_moves;
            char text[256];
            try {
                const auto plan = focus::planMove(model, from, target, scenario.approach, previous);
                const double error = std::abs(walk(model, from, previous, plan.steps) - target);
                if (error > kTolerance + kSlack) {
                    ++summary.edge_off;
                    std::snprintf(text, sizeof text,
                                  "%s: end-stop target, from %.4f to %.4f (previous %+d) landed %.4f off",
                                  entry.model_id.c_str(), from, target, previous, error);
                    remember(summary.edge_failures, text);
                }
            } catch (const std::exception& e) {
                ++summary.edge_throws;
                std::snprintf(text, sizeof text,
                              "%s: end-stop target, from %.4f to %.4f (previous %+d) threw: ", entry.model_id.c_str(),
                              from, target, previous);
                remember(summary.edge_failures, text + std::string(e.what()));
            }
        }
    }

    const double n = kMoves;
    const double planned = std::max<double>(1, static_cast<double>(plan_us.size()));  // moves the planner answered
    double us_sum = 0, us_max = 0;
    for (double us : plan_us) {
        us_sum += us;
        us_max = std::max(us_max, us);
    }
    std::sort(plan_us.begin(), plan_us.end());
    const double us_p99 = plan_us.empty() ? 0 : plan_us[plan_us.size() * 99 / 100];
    const double saving = 100.0 * (1.0 - (optimal.time_ms / planned) / (greedy.time_ms / n));
    const double as_run_saving = 100.0 * (1.0 - (optimal.time_ms / planned) / (greedy.as_run_ms / n));
    std::printf("%-18s %6.0f | %6.3f %7.2f %5.1f %7.0f %7.0f | %6.3f %6.3f %5.1f %7.0f | %6.1f%% %6.1f%% | %6.1f %7.1f "
                "%7.1f\n",
                entry.model_id.c_str(), model.travel, greedy.error_sum / n, greedy.error_max, greedy.commands / n,
                greedy.time_ms / n, greedy.sleep_ms / n, optimal.error_sum / planned, optimal.error_max,
                optimal.commands / planned, optimal.time_ms / planned, saving, as_run_saving, us_sum / planned, us_p99,
                us_max);

    summary.optimal_error_max = std::max(summary.optimal_error_max, optimal.error_max);
    summary.off_target += optimal.off_target;
    summary.saving_sum += saving;
    summary.as_run_saving_sum += as_run_saving;
    ++summary.lenses;
    if (us_max > summary.plan_us_max) {
        summary.plan_us_max = us_max;
        summary.slowest_id = entry.model_id;
    }
    if (model.travel > summary.longest_travel) {
        summary.longest_travel = model.travel;
        summary.longest_id = entry.model_id;
        summary.longest_plan_us_max = us_max;
        summary.longest_plan_us_p99 = us_p99;
    }
}

const char* verdict(bool pass) { return pass ? "PASS" : "FAIL"; }

void runScenario(const config::LensDatabase& database, const Scenario& scenario) {
    std::printf("\n== %s: backlash %.0f, approach %s ==\n", scenario.title, scenario.backlash,
                scenario.approach == 0 ? "free" : (scenario.approach > 0 ? "far" : "near"));
    std::printf("%-18s %6s | %-42s | %-28s | %-15s | %s\n", "", "", "greedy (Windows driver)", "optimal (planMove)",
                "saving vs greedy", "planning (us)");
    std::printf("%-18s %6s | %6s %7s %5s %7s %7s | %6s %6s %5s %7s | %7s %7s | %6s %7s %7s\n", "lens", "travel", "err",
                "errmax", "cmds", "time", "sleep", "err", "errmax", "cmds", "time", "time", "as-run", "mean", "p99",
                "max");
    Summary summary;
    std::uint64_t seed = 20240601;
    for (const auto& entry : database.lenses()) runLens(entry, scenario, seed++, summary);

    const double saving = summary.lenses > 0 ? summary.saving_sum / summary.lenses : 0;
    const double as_run_saving = summary.lenses > 0 ? summary.as_run_saving_sum / summary.lenses : 0;
    std::printf("-- summary (%s) --\n", scenario.title);
    std::printf("optimal max |landing error| over all lenses: %.4f units (goal <= 0.5): %s%s\n",
                summary.optimal_error_max,
                verdict(summary.optimal_error_max <= kTolerance + kSlack && summary.throws == 0),
                summary.throws > 0 ? " (some moves found no plan at all, below)" : "");
    std::printf("average drive-time saving over the lenses against the driver as it runs (its sleeps plus 50 ms per "
                "command): %.1f %% (goal >= 30 %%): %s\n",
                as_run_saving, verdict(as_run_saving >= 30));
    std::printf("  (both timed by the same motor model: %.1f %%; the planner's gain there is landing within 0.5)\n",
                saving);
    std::printf("max planning time, longest lens %s (travel %.0f): %.1f us, p99 %.1f us (goal <= 1000 us): %s\n",
                summary.longest_id.c_str(), summary.longest_travel, summary.longest_plan_us_max,
                summary.longest_plan_us_p99, verdict(summary.longest_plan_us_max <= 1000));
    std::printf("  (slowest over all lenses: %.1f us on %s)\n", summary.plan_us_max, summary.slowest_id.c_str());
    std::printf("planner failures: %d threw, %d landed off by more than 0.5, %d plans disagreeing with the walk\n",
                summary.throws, summary.off_target, summary.model_mismatch);
    std::printf("end-stop targets (0, 0.25, 1 and the same from the far stop, %d starts each, all lenses): "
                "%d of %d threw, %d landed off by more than 0.5\n",
                kEdgeStarts, summary.edge_throws, summary.edge_moves, summary.edge_off);
    std::printf("greedy moves that drove into an end stop: %d\n", summary.greedy_end_stops);
    if (summary.greedy_runaways > 0)
        std::printf("greedy moves cut at %d steps: %d\n", kGreedyStepLimit, summary.greedy_runaways);
    for (const auto& failure : summary.failures) std::printf("  %s\n", failure.c_str());
    for (const auto& failure : summary.edge_failures) std::printf("  %s\n", failure.c_str());
}
}  // namespace

int main(int argc, char** argv) noexcept {
    try {
        const std::filesystem::path path = argc > 1 ? std::filesystem::path(argv[1])
                                                    : config::findDataFile("sony-lenses.json");
        const auto database = config::LensDatabase::load(path);
        std::printf("%d random moves per lens (half under %.0f units), %zu lenses from %s\n", kMoves, kSmallMove,
                    database.lenses().size(), path.c_str());
        std::printf("true step lengths, no jitter; errors in units, times are means per move in ms:\n"
                    "  time = (25 + 35 (k-1)) ms + 50 ms per step of size k (the virtual body), for both planners;\n"
                    "  sleep = the driver's own 100 ms x k; as-run = sleep + 50 ms per command\n");
        const auto started = Clock::now();
        for (const Scenario& scenario : {Scenario{"no backlash", 0, 0}, Scenario{"no backlash, fixed approach", 0, +1},
                                         Scenario{"backlash 2", 2, 0}, Scenario{"backlash 2, fixed approach", 2, +1}})
            runScenario(database, scenario);
        std::printf("\nbench run time: %.1f s\n", std::chrono::duration<double>(Clock::now() - started).count());
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_planner: %s\n", e.what());
        return 1;
    }
}
