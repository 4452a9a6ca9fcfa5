// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <spdlog/sinks/sink.h>
#include <spdlog/spdlog.h>

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

namespace sonyalpaca::log {

/// The named logger of a room ("alpaca", "ptp", "focus", "imaging", "server", "config"). Created on
/// first use with the default logger's sinks and level, so levels and output are set in one place
/// (server/Logging). Thread-safe.
std::shared_ptr<spdlog::logger> get(const std::string& name);

/// The number of lines recentLines() keeps.
inline constexpr std::size_t kRecentLines = 200;

/// A sink that keeps the last kRecentLines log messages in memory (spdlog's ringbuffer sink), for the
/// setup page. One per process; add it to the default logger's sinks before the first get() so every
/// room writes to it. Thread-safe.
std::shared_ptr<spdlog::sinks::sink> recentLinesSink();

/// The messages the recent-lines sink holds, oldest first, as "2026-11-26 16:53:59 focus info text"
/// (local time; no pattern set on the loggers applies); empty when it was never registered.
std::vector<std::string> recentLines();

}  // namespace sonyalpaca::log
