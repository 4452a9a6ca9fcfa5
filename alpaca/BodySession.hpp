// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "ptp/Body.hpp"

#include <memory>
#include <mutex>

namespace sonyalpaca::alpaca {

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

private:
    std::shared_ptr<ptp::Body> body_;
    mutable std::mutex mutex_;
    int users_ = 0;
};

}  // namespace sonyalpaca::alpaca
