// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>

namespace sonyalpaca::ptp::sim {

/// Faults the simulated body can be told to show, from options at start or at run time (control
/// interface), so the daemon's handling of each can be tested. Counters count down as faults fire.
/// Thread-safe.
class Faults {
public:
    /// The command connection is dropped after this many more operations (0: off).
    std::atomic<std::uint32_t> drop_after_operations{0};
    /// The next object download stops halfway and the connection drops.
    std::atomic<bool> drop_mid_transfer{false};
    /// The next this-many shutter presses are answered DeviceBusy.
    std::atomic<std::uint32_t> busy_captures{0};
    /// The next this-many shutter presses are answered StoreFull (buffer or card full).
    std::atomic<std::uint32_t> store_full_captures{0};
    /// The next this-many exposures never produce a file (0xD215 stays 0).
    std::atomic<std::uint32_t> never_ready_captures{0};
    /// Replies to the next `slow_operations` operations wait this long first (over 2.5 s makes
    /// libgphoto2's PTP/IP transport time out).
    std::atomic<std::uint32_t> slow_reply_ms{0};
    std::atomic<std::uint32_t> slow_operations{0};
    /// The event channel stays silent while false.
    std::atomic<bool> events{true};

    /// The body vanishes (connections dropped, new ones closed at once) for `duration`.
    void unplug(std::chrono::milliseconds duration) {
        std::lock_guard lock(mutex_);
        unplugged_until_ = std::chrono::steady_clock::now() + duration;
    }
    bool unplugged() const {
        std::lock_guard lock(mutex_);
        return std::chrono::steady_clock::now() < unplugged_until_;
    }

    /// Takes one from `counter` if it is above zero; true if it did (the fault fires).
    static bool take(std::atomic<std::uint32_t>& counter) {
        std::uint32_t value = counter.load();
        while (value > 0 && !counter.compare_exchange_weak(value, value - 1)) {
        }
        return value > 0;
    }

private:
    mutable std::mutex mutex_;
    std::chrono::steady_clock::time_point unplugged_until_{};
};

}  // namespace sonyalpaca::ptp::sim
