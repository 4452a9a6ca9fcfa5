// SPDX-License-Identifier: GPL-3.0-or-later
#include "server/SystemdNotifier.hpp"

#include <systemd/sd-daemon.h>

#include <cstdint>

namespace sonyalpaca::server {

SystemdNotifier::SystemdNotifier() {
    std::uint64_t usec = 0;
    if (sd_watchdog_enabled(0, &usec) > 0 && usec > 0)
        watchdog_interval_ = std::chrono::microseconds(static_cast<long long>(usec / 2));
}

void SystemdNotifier::ready(const std::string& status) const { sd_notifyf(0, "READY=1\nSTATUS=%s", status.c_str()); }

void SystemdNotifier::stopping() const { sd_notify(0, "STOPPING=1\nSTATUS=stopping"); }

void SystemdNotifier::status(const std::string& status) const { sd_notifyf(0, "STATUS=%s", status.c_str()); }

void SystemdNotifier::watchdogPing() const { sd_notify(0, "WATCHDOG=1"); }

}  // namespace sonyalpaca::server
