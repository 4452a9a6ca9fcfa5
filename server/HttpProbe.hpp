// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace sonyalpaca::server {

/// The address the daemon asks itself on to learn whether its HTTP server answers: 127.0.0.1 when
/// it serves every address (the default, "::" or "0.0.0.0"), else the first address it is bound to.
std::string probeAddress(const std::vector<std::string>& bind);

/// One HTTP round trip to the daemon's own API (GET /management/apiversions on address:port, a new
/// connection): true when a 200 came back within `timeout`. For the watchdog, which is fed only
/// while the server really answers: a server whose workers are all held (by slow or stuck
/// clients, or a stuck handler) fails it, and systemd restarts the daemon. Never throws.
bool httpAnswers(const std::string& address, std::uint16_t port, std::chrono::milliseconds timeout) noexcept;

}  // namespace sonyalpaca::server
