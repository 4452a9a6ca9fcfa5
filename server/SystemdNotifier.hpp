// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace sonyalpaca::server {

/// sd_notify(3) for Type=notify services; does nothing when NOTIFY_SOCKET is not set.
class SystemdNotifier {
public:
    SystemdNotifier();

    void ready(const std::string& status) const;
    void stopping() const;
    void status(const std::string& status) const;
    void watchdogPing() const;

    /// How often to ping the watchdog (half of WatchdogSec), or nullopt when no watchdog is asked for.
    std::optional<std::chrono::microseconds> watchdogInterval() const noexcept { return watchdog_interval_; }

private:
    std::optional<std::chrono::microseconds> watchdog_interval_;
};

}  // namespace sonyalpaca::server
