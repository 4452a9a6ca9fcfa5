// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "alpaca/BodyMemory.hpp"
#include "ptp/Body.hpp"

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace sonyalpaca::alpaca {

/// The temperatures of one image's maker notes, °C; each unset when the file did not carry it.
struct FrameTemperatures {
    std::optional<double> sensor;
    std::optional<double> ambient;
    std::optional<double> battery;
};

/// What an image (or the body) told about the optics and the temperature.
struct FrameFacts {
    std::optional<double> temperature;  ///< °C, from the maker notes
    std::string lens;                   ///< lens model or id as reported, empty when unknown
};

/// The body shared by the devices it serves (Camera n and Focuser n): opened when the first of them
/// connects, closed when the last disconnects. Thread-safe.
class BodySession {
public:
    explicit BodySession(std::shared_ptr<ptp::Body> body) : body_(std::move(body)) {}

    /// Opens the body if needed and counts one more user. Throws ptp::BodyUnavailable.
    void acquire();
    /// Counts one user less; closes the body when none is left.
    void release() noexcept;
    /// Throws ptp::BodyUnavailable at once when acquire() cannot succeed now.
    void checkReachable() const { body_->checkReachable(); }

    ptp::Body& body() const noexcept { return *body_; }

    /// Keeps what is seen of each body in `memory` and, at each opening, takes the lens last seen on
    /// the body as the reported lens until an image reports one. Call before the first acquire().
    void remember(std::shared_ptr<BodyMemory> memory) { memory_ = std::move(memory); }
    /// The memory of bodies seen, or null (tests).
    BodyMemory* memory() const noexcept { return memory_.get(); }
    /// BodyMemory's key of the body opened last ("MODEL SERIAL"); empty before the first opening.
    std::string bodyKey() const;
    /// True while the reported lens is only the one remembered from an earlier connection.
    bool lensRemembered() const;

    /// The lens the body carries as far as anything reported it (an image's maker notes; the
    /// simulator's configuration), empty when unknown.
    std::string reportedLens() const;
    /// The last temperature reported.
    std::optional<double> temperature() const;
    /// The temperatures of the last image that carried any.
    FrameTemperatures frameTemperatures() const;
    /// Keeps an image's temperatures (called by the camera after each image, with report()).
    void reportTemperatures(const FrameTemperatures& temperatures);
    /// Records new facts and tells every listener (called by the camera after each image).
    void report(const FrameFacts& facts);
    /// `listener` is called (on the reporting thread, without locks held) with every report until
    /// removed with the number returned.
    int onReport(std::function<void(const FrameFacts&)> listener);
    /// Removes a listener; waits for a call of it in progress to finish.
    void removeListener(int id);

private:
    std::shared_ptr<ptp::Body> body_;
    mutable std::mutex mutex_;
    int users_ = 0;
    mutable std::mutex facts_mutex_;  // guards the facts and the listeners (mutex_ is held while opening)
    std::mutex report_mutex_;         // one report at a time, so removing a listener waits for it
    std::string lens_;
    bool lens_remembered_ = false;
    std::string body_key_;
    std::shared_ptr<BodyMemory> memory_;
    std::optional<double> temperature_;
    FrameTemperatures temperatures_;
    std::vector<std::pair<int, std::function<void(const FrameFacts&)>>> listeners_;
    int next_listener_ = 1;
};

}  // namespace sonyalpaca::alpaca
