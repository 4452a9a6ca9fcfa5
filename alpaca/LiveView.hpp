// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "alpaca/BodySession.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace sonyalpaca::alpaca {

/// One live-view JPEG as the body sent it, numbered from 1 in the order taken.
struct LiveFrame {
    std::uint64_t number = 0;
    std::vector<std::uint8_t> jpeg;
    std::chrono::steady_clock::time_point taken;
};

struct LiveViewOptions {
    double max_fps = 10;  ///< frames taken per second at most, whatever the body could give
    /// No page asked for a frame for this long: the page was closed (or the phone slept); stop.
    std::chrono::milliseconds viewer_gone{10'000};
    /// No one started, tapped or jogged for this long: stop, to spare the body's battery and the link.
    std::chrono::milliseconds idle{5 * 60'000};
    int max_waiting = 4;  ///< frame requests waiting at once; more are refused (the viewers are bounded)
};

/// Live view cannot start now; the message says why and what to do.
class LiveViewRefused : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// The body's live view for the setup page's framing and focusing: one thread takes frames from
/// the body (Body::liveView, at most max_fps a second) while live view is on, and any number of
/// page requests share the newest. It opens the body for itself (a BodySession user), so it works
/// before the imaging program connects.
///
/// It never runs beside an exposure or lens learning: `obstacle` names what is in the way, start()
/// is refused then, and a running live view pauses until it is gone (a frame being taken when an
/// exposure starts delays the shutter by that one frame). It stops by itself when no page asked for
/// a frame for viewer_gone (the page was closed), or nobody acted (start, tap, jog) for idle.
///
/// Thread-safe.
class LiveView {
public:
    /// Why live view cannot run now ("an exposure is running"), or empty.
    using Obstacle = std::function<std::string()>;

    LiveView(std::shared_ptr<BodySession> session, Obstacle obstacle, LiveViewOptions options = {});
    ~LiveView();
    LiveView(const LiveView&) = delete;
    LiveView& operator=(const LiveView&) = delete;

    /// Turns live view on (nothing happens when it is on). Throws LiveViewRefused when something is
    /// in the way.
    void start();
    /// Turns it off; `why` is shown until the next start.
    void stop(const std::string& why);
    /// Someone acted on the page (a tap, a jog): the idle time starts again.
    void touch();

    enum class Outcome {
        Frame,    ///< a frame newer than asked for
        NoneYet,  ///< none within the wait (starting, paused, or the body is slow)
        Off,      ///< live view is off
        TooMany,  ///< max_waiting requests wait already
    };
    struct Next {
        Outcome outcome = Outcome::Off;
        std::shared_ptr<const LiveFrame> frame;
    };
    /// The newest frame numbered after `after`, waiting up to `wait` for one. Each call counts as a
    /// page watching (see viewer_gone).
    Next next(std::uint64_t after, std::chrono::milliseconds wait);

    /// {"state": off|starting|running|paused|stopped, "message", "fps", "frames", "viewers"}.
    nlohmann::json status() const;
    /// The state word and message as one line (the page shows it; also sent with each frame).
    std::string stateLine() const;

private:
    enum class State { Off, Starting, Running, Paused, Stopped };
    void run(std::stop_token stop);
    void take(std::stop_token stop);
    void setState(State state, std::string message);  // lock held
    void pause(std::stop_token stop, std::chrono::milliseconds time);
    static const char* name(State state);

    std::shared_ptr<BodySession> session_;
    Obstacle obstacle_;
    LiveViewOptions options_;
    std::mutex control_mutex_;  // serialises start and stop (never held by the worker)
    mutable std::mutex mutex_;
    std::condition_variable_any changed_;
    State state_ = State::Off;
    std::string message_ = "off: press Start";
    std::shared_ptr<const LiveFrame> latest_;
    std::uint64_t frames_ = 0;
    std::deque<std::chrono::steady_clock::time_point> recent_;  // when the last frames came, for fps
    std::chrono::steady_clock::time_point last_request_{};
    std::chrono::steady_clock::time_point last_action_{};
    int waiting_ = 0;
    std::jthread worker_;
};

}  // namespace sonyalpaca::alpaca
