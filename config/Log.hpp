// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <spdlog/spdlog.h>

#include <memory>
#include <string>

namespace sonyalpaca::log {

/// The named logger of a room ("alpaca", "ptp", "focus", "imaging", "server", "config"). Created on
/// first use with the default logger's sinks and level, so levels and output are set in one place
/// (server/Logging). Thread-safe.
std::shared_ptr<spdlog::logger> get(const std::string& name);

}  // namespace sonyalpaca::log
