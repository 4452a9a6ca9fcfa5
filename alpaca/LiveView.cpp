// SPDX-License-Identifier: GPL-3.0-or-later
#include "alpaca/LiveView.hpp"

#include "config/Log.hpp"

#include <cmath>
#include <cstdio>

namespace sonyalpaca::alpaca {
namespace {
using Clock = std::chrono::steady_clock;

std::string seconds(std::chrono::milliseconds time) {
    const auto ms = time.count();
    if (ms >= 120'000 && ms % 60'000 == 0) return std::to_string(ms / 60'000) + " minutes";
    if (ms % 1000 == 0) return std::to_string(ms / 1000) + " s";
    char text[32];
    std::snprintf(text, sizeof text, "%.1f s", static_cast<double>(ms) / 1000.0);
    return text;
}
}  // namespace

LiveView::LiveView(std::shared_ptr<BodySession> session, Obstacle obstacle, LiveViewOptions options)
    : session_(std::move(session)), obstacle_(std::move(obstacle)), options_(options) {}

LiveView::~LiveView() {
    worker_.request_stop();
    changed_.notify_all();
}

const char* LiveView::name(State state) {
    switch (state) {
    case State::Off: return "off";
    case State::Starting: return "starting";
    case State::Running: return "running";
    case State::Paused: return "paused";
    case State::Stopped: return "stopped";
    }
    return "off";
}

void LiveView::setState(State state, std::string message) {
    if (state != state_ || message != message_) {
        if (state == State::Stopped || state == State::Paused || state_ == State::Paused)
            log::get("alpaca")->info("live view: {}", message);
        state_ = state;
        message_ = std::move(message);
    }
    changed_.notify_all();
}

void LiveView::start() {
    std::lock_guard control(control_mutex_);
    {
        std::lock_guard lock(mutex_);
        if (state_ == State::Starting || state_ == State::Running || state_ == State::Paused) {
            last_action_ = Clock::now();
            return;
        }
    }
    if (const std::string why = obstacle_ ? obstacle_() : std::string(); !why.empty())
        throw LiveViewRefused("live view cannot start while " + why + "; start it when that is done");
    worker_ = {};  // the last run's thread, finished (it ended by itself or was asked to stop)
    {
        std::lock_guard lock(mutex_);
        const auto now = Clock::now();
        last_action_ = last_request_ = now;
        latest_.reset();
        recent_.clear();
        setState(State::Starting, "starting: opening the body's live view");
    }
    log::get("alpaca")->info("live view: started");
    worker_ = std::jthread([this](std::stop_token stop) { run(stop); });
}

void LiveView::stop(const std::string& why) {
    std::lock_guard control(control_mutex_);
    {
        std::lock_guard lock(mutex_);
        if (state_ == State::Starting || state_ == State::Running || state_ == State::Paused)
            setState(State::Stopped, "stopped: " + why);
    }
    worker_.request_stop();
    changed_.notify_all();
}

void LiveView::touch() {
    std::lock_guard lock(mutex_);
    last_action_ = Clock::now();
}

void LiveView::pause(std::stop_token stop, std::chrono::milliseconds time) {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, stop, time, [] { return false; });
}

void LiveView::run(std::stop_token stop) {
    try {
        session_->acquire();
    } catch (const std::exception& e) {
        std::lock_guard lock(mutex_);
        if (!stop.stop_requested())
            setState(State::Stopped, std::string("stopped: the body cannot be opened: ") + e.what());
        return;
    }
    take(stop);
    session_->release();
    std::lock_guard lock(mutex_);
    if (state_ != State::Stopped) setState(State::Stopped, "stopped");
}

void LiveView::take(std::stop_token stop) {
    const auto interval = std::chrono::duration_cast<Clock::duration>(
        std::chrono::duration<double>(1.0 / std::max(options_.max_fps, 0.1)));
    auto due = Clock::now();
    while (!stop.stop_requested()) {
        {
            std::lock_guard lock(mutex_);
            const auto now = Clock::now();
            if (now - last_request_ > options_.viewer_gone) {
                setState(State::Stopped, "stopped: no page asked for a frame for " + seconds(options_.viewer_gone) +
                                             " (closed or asleep); press Start to go on");
                return;
            }
            if (now - last_action_ > options_.idle) {
                setState(State::Stopped, "stopped after " + seconds(options_.idle) +
                                             " without a start, tap or jog, to spare the body; press Start to go on");
                return;
            }
        }
        if (const std::string why = obstacle_ ? obstacle_() : std::string(); !why.empty()) {
            {
                std::lock_guard lock(mutex_);
                setState(State::Paused, "paused while " + why + "; it goes on by itself afterwards");
            }
            pause(stop, std::chrono::milliseconds(200));
            continue;
        }
        const auto body = session_->body().state();
        if (body == ptp::BodyState::Reconnecting || body == ptp::BodyState::Disconnected) {
            {
                std::lock_guard lock(mutex_);
                setState(State::Paused, "paused: the body is reconnecting (the connection was lost)");
            }
            pause(stop, std::chrono::milliseconds(500));
            continue;
        }
        if (const auto now = Clock::now(); now < due) {
            pause(stop,
                  std::chrono::duration_cast<std::chrono::milliseconds>(due - now) + std::chrono::milliseconds(1));
            continue;  // look again: an exposure may have started meanwhile
        }
        const auto asked = Clock::now();
        std::vector<std::uint8_t> jpeg;
        try {
            jpeg = session_->body().liveView();
        } catch (const std::exception& e) {
            {
                std::lock_guard lock(mutex_);
                setState(State::Paused, std::string("paused: the body gave no live-view frame: ") + e.what());
            }
            pause(stop, std::chrono::milliseconds(500));
            continue;
        }
        due = asked + interval;
        const auto now = Clock::now();
        std::lock_guard lock(mutex_);
        auto frame = std::make_shared<LiveFrame>();
        frame->number = ++frames_;
        frame->jpeg = std::move(jpeg);
        frame->taken = now;
        latest_ = std::move(frame);
        recent_.push_back(now);
        while (recent_.size() > 2 && now - recent_.front() > std::chrono::seconds(2)) recent_.pop_front();
        if (!stop.stop_requested()) setState(State::Running, "running");
    }
}

LiveView::Next LiveView::next(std::uint64_t after, std::chrono::milliseconds wait) {
    std::unique_lock lock(mutex_);
    const auto active = [this] {
        return state_ == State::Starting || state_ == State::Running || state_ == State::Paused;
    };
    if (!active()) return {Outcome::Off, nullptr};
    if (waiting_ >= options_.max_waiting) return {Outcome::TooMany, nullptr};
    ++waiting_;
    last_request_ = Clock::now();
    changed_.wait_for(lock, wait, [&] { return (latest_ && latest_->number > after) || !active(); });
    --waiting_;
    last_request_ = Clock::now();
    if (latest_ && latest_->number > after) return {Outcome::Frame, latest_};
    return {active() ? Outcome::NoneYet : Outcome::Off, nullptr};
}

nlohmann::json LiveView::status() const {
    std::lock_guard lock(mutex_);
    double fps = 0;
    if (state_ == State::Running && recent_.size() >= 2) {
        const double span = std::chrono::duration<double>(recent_.back() - recent_.front()).count();
        if (span > 0) fps = std::round(10.0 * static_cast<double>(recent_.size() - 1) / span) / 10.0;
    }
    return {{"state", name(state_)}, {"message", message_}, {"fps", fps}, {"frames", frames_}, {"viewers", waiting_}};
}

std::string LiveView::stateLine() const {
    std::lock_guard lock(mutex_);
    return message_;
}

}  // namespace sonyalpaca::alpaca
