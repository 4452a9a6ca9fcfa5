// SPDX-License-Identifier: GPL-3.0-or-later
#include "focus/AbsoluteFocuser.hpp"

#include "config/Log.hpp"
#include "focus/LensModel.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <stdexcept>

namespace sonyalpaca::focus {
namespace {
using Clock = std::chrono::steady_clock;
/// How long halt() waits for the step in progress to finish.
constexpr auto kHaltWait = std::chrono::seconds(5);

}  // namespace

std::string_view activityName(Activity activity) noexcept {
    switch (activity) {
    case Activity::Idle: return "idle";
    case Activity::Moving: return "moving";
    case Activity::Homing: return "homing";
    case Activity::Learning: return "learning";
    case Activity::WaitingForBody: return "waiting for the body to reconnect";
    }
    return "idle";
}

double AbsoluteFocuser::unknownSigma(double travel) noexcept { return travel / std::sqrt(12.0); }

void AbsoluteFocuser::loosenPosition() {
    tracker_.restore(tracker_.position(), std::max(tracker_.sigma(), unknownSigma(model_.travel)),
                     tracker_.lastDirection(), false, tracker_.farGap());
}

AbsoluteFocuser::AbsoluteFocuser(ptp::Body& body, FocuserSetup setup)
    : body_(body),
      setup_(std::move(setup)),
      model_(driveModel(setup_.lens, setup_.settings.backlash)),
      tracker_(model_) {
    max_step_ = static_cast<long>(std::floor(model_.travel + 1e-9));
    restore();
    body_sessions_ = body_.sessions();
    worker_ = std::jthread([this](std::stop_token stop) { run(stop); });
}

AbsoluteFocuser::~AbsoluteFocuser() {
    worker_.request_stop();
    wake_.notify_all();
    if (worker_.joinable()) worker_.join();
}

long AbsoluteFocuser::maxStep() const noexcept { return max_step_.load(); }

config::LensEntry AbsoluteFocuser::lens() const {
    std::lock_guard lock(mutex_);
    return setup_.lens;
}

bool AbsoluteFocuser::generic() const {
    std::lock_guard lock(mutex_);
    return setup_.generic;
}

bool AbsoluteFocuser::tempCompAvailable() const {
    std::lock_guard lock(mutex_);
    return setup_.lens.temperature_coefficient.has_value();
}

void AbsoluteFocuser::refuseWhileLearning(const char* what) const {
    if (learning_.active)
        throw FocuserBusy(std::string(what) + " refused: the lens is being learned (" + learning_.phase + ", " +
                          std::to_string(learning_.percent) + " %); Halt cancels the learning");
}

long AbsoluteFocuser::position() const {
    std::lock_guard lock(mutex_);
    return position_;
}

bool AbsoluteFocuser::isMoving() const {
    std::lock_guard lock(mutex_);
    return busy();
}

void AbsoluteFocuser::post(JobKind kind, long target, Step step, const char* what) {
    refuseWhileLearning(what);
    running_cancel_.request_stop();
    pending_ = Job{kind, target, step, ++generation_};
    last_error_.clear();
    wake_.notify_all();
}

void AbsoluteFocuser::move(long target) {
    const long clamped = std::clamp(target, 0L, maxStep());
    std::lock_guard lock(mutex_);
    post(JobKind::Move, clamped, Step{1, 1}, "the move");
    target_ = clamped;
}

void AbsoluteFocuser::home() {
    std::lock_guard lock(mutex_);
    post(JobKind::Home, maxStep(), Step{1, 1}, "homing");
}

void AbsoluteFocuser::jog(int size, int direction) {
    if (size < 1 || size > config::kStepSizes)
        throw std::invalid_argument("a focus step size is 1 to 7, not " + std::to_string(size));
    if (direction != 1 && direction != -1)
        throw std::invalid_argument("a jog goes +1 (far) or -1 (near), not " + std::to_string(direction));
    std::lock_guard lock(mutex_);
    post(JobKind::Jog, target_, Step{size, direction}, "the jog");
}

void AbsoluteFocuser::halt() {
    std::unique_lock lock(mutex_);
    if (!busy()) return;
    pending_.reset();
    running_cancel_.request_stop();
    if (!running_) {
        // The worker had not taken the job yet: nothing runs, so nothing to wait for.
        activity_ = Activity::Idle;
        if (learning_.active) {
            learning_.active = false;
            learning_.error = "cancelled";
        }
        wake_.notify_all();
        return;
    }
    wake_.notify_all();
    // Wait for the job that runs now, not for "not busy": another client's next Move would make the
    // focuser busy again before this thread wakes, and Halt would wait out its whole limit.
    const unsigned long cut = running_generation_;
    if (!wake_.wait_for(lock, kHaltWait, [&] { return done_generation_ >= cut; }))
        log::get("focus")->warn("halt: the focus step in progress has not finished after {} s",
                                std::chrono::duration_cast<std::chrono::seconds>(kHaltWait).count());
}

bool AbsoluteFocuser::tempComp() const {
    std::lock_guard lock(mutex_);
    return temp_comp_;
}

void AbsoluteFocuser::setTempComp(bool on) {
    std::lock_guard lock(mutex_);
    if (!setup_.lens.temperature_coefficient)
        throw std::logic_error("the lens profile " + setup_.lens.model_id +
                               " has no temperature_coefficient, so there is no temperature compensation");
    temp_comp_ = on;
    reference_temperature_ = last_temperature_;
}

void AbsoluteFocuser::temperatureChanged(double celsius) {
    long target = 0;
    {
        std::lock_guard lock(mutex_);
        last_temperature_ = celsius;
        if (!temp_comp_ || !setup_.lens.temperature_coefficient) return;
        if (!reference_temperature_) {
            reference_temperature_ = celsius;
            return;
        }
        const double coefficient = *setup_.lens.temperature_coefficient;
        const double shift = coefficient * (celsius - *reference_temperature_);
        if (std::abs(shift) < 1 || busy() || coefficient == 0) return;
        const long units = std::lround(shift);
        *reference_temperature_ += static_cast<double>(units) / coefficient;
        target = target_ + units;
        log::get("focus")->info("temperature compensation: {:.1f} °C moves the focus by {} steps", celsius, units);
    }
    move(target);
}

std::optional<double> AbsoluteFocuser::lastTemperature() const {
    std::lock_guard lock(mutex_);
    return last_temperature_;
}

FocuserStatus AbsoluteFocuser::status() const {
    std::lock_guard lock(mutex_);
    FocuserStatus s;
    s.lens_id = setup_.lens.model_id;
    s.lens_name = setup_.lens.name;
    s.generic_lens = setup_.generic;
    s.travel = model_.travel;
    s.estimate = tracker_.position();
    s.sigma = tracker_.sigma();
    s.homed = tracker_.homed();
    s.homing_due = homingDue();
    s.position = position_;
    s.target = target_;
    s.moving = busy();
    s.activity = activity_;
    s.steps_done = steps_done_;
    s.steps_total = steps_total_;
    s.last_error = last_error_;
    s.learning = learning_;
    return s;
}

nlohmann::json AbsoluteFocuser::statusJson() const {
    const FocuserStatus s = status();
    return {{"lens", s.lens_id},
            {"lens_name", s.lens_name},
            {"generic_lens", s.generic_lens},
            {"travel", s.travel},
            {"estimate", s.estimate},
            {"uncertainty", s.sigma},
            {"homed", s.homed},
            {"homing_due", s.homing_due},
            {"position", s.position},
            {"target", s.target},
            {"moving", s.moving},
            {"activity", activityName(s.activity)},
            {"steps_done", s.steps_done},
            {"steps_total", s.steps_total},
            {"last_error", s.last_error},
            {"learning",
             {{"active", s.learning.active},
              {"phase", s.learning.phase},
              {"percent", s.learning.percent},
              {"message", s.learning.message},
              {"result", s.learning.result},
              {"profile_file", s.learning.profile_file},
              {"error", s.learning.error}}}};
}

bool AbsoluteFocuser::homingDue() const {
    const double bound = setup_.settings.rehome_sigma;
    const bool may_rehome = setup_.settings.homing != config::HomingPolicy::Never;
    return needs_homing_ || (may_rehome && bound > 0 && tracker_.sigma() > bound);
}

void AbsoluteFocuser::run(std::stop_token stop) {
    worker_stop_ = stop;
    std::unique_lock lock(mutex_);
    while (!stop.stop_requested()) {
        wake_.wait(lock, stop, [&] { return pending_.has_value(); });
        if (stop.stop_requested()) break;
        const Job job = std::move(*pending_);
        pending_.reset();
        running_ = true;
        running_generation_ = job.generation;
        running_cancel_ = job.cancel;
        lock.unlock();
        try {
            // The focuser's end cancels the job as a halt does.
            const std::stop_callback end(stop, [cancel = job.cancel]() mutable { cancel.request_stop(); });
            runJob(job);
        } catch (const std::exception& e) {
            const std::string what = job.kind == JobKind::Home    ? std::string("homing")
                                     : job.kind == JobKind::Learn ? std::string("lens learning")
                                     : job.kind == JobKind::Jog   ? "the jog of size " + std::to_string(job.step.size)
                                                                  : "the move to " + std::to_string(job.target);
            log::get("focus")->error("focuser: {} failed: {}", what, e.what());
            lock.lock();
            last_error_ = what + " failed: " + e.what();
            position_ = std::lround(tracker_.position());
            lock.unlock();
        }
        lock.lock();
        running_ = false;
        done_generation_ = job.generation;
        position_ = std::clamp(position_, 0L, maxStep());
        if (!pending_) activity_ = Activity::Idle;
        wake_.notify_all();  // halt() waits for done_generation_
    }
    lock.unlock();
    save(false);
}

void AbsoluteFocuser::runJob(const Job& job) {
    const std::stop_token cancel = job.cancel.get_token();
    noticeReconnect();
    if (job.kind == JobKind::Learn) {
        driveLearn(cancel);
        return;
    }
    if (job.kind == JobKind::Jog) {
        driveJog(job.step);
        return;
    }
    // A move or homing outlives a lost body: it waits while the body reconnects, then starts over
    // from where the tracker is (homing first if the loss made it due).
    for (int round = 1;; ++round) {
        try {
            driveJob(job, cancel);
            return;
        } catch (const ptp::BodyUnavailable& e) {
            if (round > 3 || body_.state() != ptp::BodyState::Reconnecting) throw;
            log::get("focus")->warn("focuser: {}; the move waits for the body", e.what());
            switch (waitForBody(cancel)) {
            case BodyWait::Back: break;
            case BodyWait::Halted: return;
            case BodyWait::Gone:
                throw ptp::BodyUnavailable(fmt::format("{}; it did not come back within {:g} s", e.what(),
                                                       static_cast<double>(body_away_wait_.load().count()) / 1000));
            }
            noticeReconnect();
        }
    }
}

void AbsoluteFocuser::driveJob(const Job& job, std::stop_token cancel) {
    bool due = false;
    {
        std::lock_guard lock(mutex_);
        due = job.kind == JobKind::Home || homingDue();
    }
    if (due && job.kind == JobKind::Move) {
        const auto state = body_.state();
        if (state == ptp::BodyState::Exposing || state == ptp::BodyState::Downloading) {
            // Never drive into the end stop during an exposure: the move runs from the estimate.
            std::lock_guard lock(mutex_);
            if (!deferred_logged_)
                log::get("focus")->info("focuser: homing is due but the camera is exposing; moving from the estimate "
                                        "({:.1f} ± {:.1f}) and homing at a later move",
                                        tracker_.position(), tracker_.sigma());
            deferred_logged_ = true;
            due = false;
        }
    }
    if (due && !driveHome(cancel)) return;
    if (job.kind == JobKind::Move) driveTo(job.target, cancel);
}

AbsoluteFocuser::BodyWait AbsoluteFocuser::waitForBody(std::stop_token cancel) {
    std::unique_lock lock(mutex_);
    const Activity was = activity_;
    activity_ = Activity::WaitingForBody;
    const auto until = Clock::now() + body_away_wait_.load();
    auto result = BodyWait::Gone;
    for (int round = 0; round < 100'000 && Clock::now() < until; ++round) {
        if (cancel.stop_requested()) {
            result = BodyWait::Halted;
            break;
        }
        const auto state = body_.state();
        if (state != ptp::BodyState::Reconnecting) {
            result = state == ptp::BodyState::Disconnected ? BodyWait::Gone : BodyWait::Back;
            break;
        }
        wake_.wait_for(lock, cancel, std::chrono::milliseconds(50), [] { return false; });
    }
    activity_ = was;
    return result;
}

void AbsoluteFocuser::noticeReconnect() {
    const std::uint64_t sessions = body_.sessions();
    std::lock_guard lock(mutex_);
    if (sessions == body_sessions_) return;
    body_sessions_ = sessions;
    loosenPosition();
    if (setup_.settings.homing != config::HomingPolicy::Never) needs_homing_ = true;
    log::get("focus")->warn("focuser: the body reconnected; its lens may have moved while it was away: position "
                            "{:.1f} ± {:.1f}{}",
                            tracker_.position(), tracker_.sigma(),
                            needs_homing_ ? ", homing at the next move" : " (homing is off)");
}

bool AbsoluteFocuser::driveHome(std::stop_token cancel) {
    bool measure = false;
    {
        std::lock_guard lock(mutex_);
        measure = setup_.generic && setup_.meter && !generic_travel_found_;
    }
    if (measure && measureGenericTravel(cancel)) return true;
    if (cancel.stop_requested()) return false;
    double distance = 0;
    {
        std::lock_guard lock(mutex_);
        distance = homingDistance(model_, setup_.generic) + 3 * tracker_.sigma();
    }
    return driveIntoStop(1, distance, true, cancel);
}

bool AbsoluteFocuser::driveIntoStop(int direction, double distance, bool homing, std::stop_token cancel) {
    const double length = model_.step_length[config::kStepSizes - 1];
    const int total = std::max(1, static_cast<int>(std::ceil(distance / length)));
    {
        std::lock_guard lock(mutex_);
        activity_ = homing ? Activity::Homing : Activity::Moving;
        steps_done_ = 0;
        steps_total_ = total;
    }
    auto logger = log::get("focus");
    const char* stop_name = direction > 0 ? "infinity" : "near";
    if (homing)
        logger->info("focuser: homing: {} steps of size {} into the infinity end stop", total, config::kStepSizes);
    save(true);
    int reported_quarter = 0;
    for (int i = 0; i < total; ++i) {
        if (cancel.stop_requested()) {
            logger->info("focuser: the drive into the {} end stop stopped after {} of {} steps; the position stays "
                         "an estimate",
                         stop_name, i, total);
            {
                std::lock_guard lock(mutex_);
                position_ = std::lround(tracker_.position());
            }
            save(false);
            return false;
        }
        driveStep({config::kStepSizes, direction});
        if (const int quarter = 4 * (i + 1) / total; homing && quarter > reported_quarter && quarter < 4) {
            reported_quarter = quarter;
            logger->info("focuser: homing {} %", 25 * quarter);
        }
    }
    {
        std::lock_guard lock(mutex_);
        tracker_.atEndStop(direction);
        if (direction > 0) needs_homing_ = false;
        deferred_logged_ = false;
        position_ = direction > 0 ? maxStep() : 0;
    }
    if (homing) logger->info("focuser: homed at the infinity end stop, position {}", maxStep());
    save(false);
    return true;
}

bool AbsoluteFocuser::driveTo(long target, std::stop_token cancel) {
    // A target at an end stop: drive into it, where the position is exact.
    if (target <= 0 || target >= maxStep()) {
        const int direction = target <= 0 ? -1 : 1;
        double distance = 0;
        {
            std::lock_guard lock(mutex_);
            distance = (direction > 0 ? model_.travel - tracker_.position() : tracker_.position()) +
                       3 * tracker_.sigma() + model_.backlash + 1;
        }
        if (!driveIntoStop(direction, distance, false, cancel)) return false;
        std::lock_guard lock(mutex_);
        position_ = target;
        return true;
    }
    Plan plan;
    {
        std::lock_guard lock(mutex_);
        activity_ = Activity::Moving;
        const double goal = std::min(static_cast<double>(target), model_.travel);
        const double from = tracker_.position();
        plan = planMoveFromGap(model_, from, tracker_.farGap(), goal, setup_.settings.approach);
        steps_done_ = 0;
        steps_total_ = static_cast<int>(plan.steps.size());
    }
    if (!plan.steps.empty()) save(true);
    for (const auto& step : plan.steps) {
        if (cancel.stop_requested()) {
            {
                std::lock_guard lock(mutex_);
                position_ = std::lround(tracker_.position());
                log::get("focus")->info("focuser: move to {} stopped at {:.1f} ± {:.1f}", target, tracker_.position(),
                                        tracker_.sigma());
            }
            save(false);
            return false;
        }
        driveStep(step);
    }
    {
        std::lock_guard lock(mutex_);
        const double estimate = tracker_.position();
        // Landed: Position reads the target exactly; the residual stays in the estimate.
        position_ = std::abs(estimate - static_cast<double>(target)) <= model_.tolerance + 1e-9 ? target
                                                                                                : std::lround(estimate);
        log::get("focus")->debug("focuser: moved to {} in {} steps (estimate {:.2f} ± {:.2f})", target,
                                 plan.steps.size(), estimate, tracker_.sigma());
    }
    save(false);
    return true;
}

void AbsoluteFocuser::driveJog(const Step& step) {
    {
        std::lock_guard lock(mutex_);
        activity_ = Activity::Moving;
        steps_done_ = 0;
        steps_total_ = 1;
        // The jog's target is where its step leaves the lens, from the start: the status never shows
        // the new position with the previous target.
        PositionTracker after = tracker_;
        after.step(step);
        target_ = std::clamp(std::lround(after.position()), 0L, maxStep());
    }
    save(true);
    driveStep(step);
    {
        std::lock_guard lock(mutex_);
        position_ = std::clamp(std::lround(tracker_.position()), 0L, maxStep());
        target_ = position_;
        log::get("focus")->info("focuser: jog of size {} {}: now {:.1f} ± {:.1f}", step.size,
                                step.direction > 0 ? "far" : "near", tracker_.position(), tracker_.sigma());
    }
    save(false);
}

void AbsoluteFocuser::driveStep(const Step& step) {
    const auto started = Clock::now();
    body_.focusStep(step.size, step.direction);
    {
        std::lock_guard lock(mutex_);
        tracker_.step(step);
        position_ = std::clamp(std::lround(tracker_.position()), 0L, maxStep());
        ++steps_done_;
    }
    // The body takes the command at once; the lens moves for the step's drive time.
    const auto drive =
        std::chrono::duration<double, std::milli>(model_.step_time_ms[static_cast<std::size_t>(step.size - 1)]);
    const auto until = started + std::chrono::duration_cast<Clock::duration>(drive);
    std::unique_lock lock(mutex_);
    wake_.wait_until(lock, worker_stop_, until, [] { return false; });
}

}  // namespace sonyalpaca::focus
