// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "config/Settings.hpp"

#include <csignal>
#include <filesystem>
#include <optional>

namespace sonyalpaca::server {

/// The daemon's life: wires the body, the devices, the HTTP API and discovery; reports readiness
/// and pings the watchdog; runs until SIGTERM or SIGINT; then stops everything within 2 s.
class Daemon {
public:
    /// `config_file` is where the setup page saves settings (the --config file, or STATE_DIR/settings.json
    /// without it); none = read-only. `base_file` is the file it overrides (the default config file
    /// under STATE_DIR/settings.json), whose values the page shows as defaults.
    explicit Daemon(config::Settings settings, std::optional<std::filesystem::path> config_file = std::nullopt,
                    std::optional<std::filesystem::path> base_file = std::nullopt)
        : settings_(std::move(settings)), config_file_(std::move(config_file)), base_file_(std::move(base_file)) {}

    /// Blocks SIGINT, SIGTERM and SIGHUP in the calling thread, so threads started later inherit the
    /// mask and the main loop alone receives them; ignores SIGPIPE. Call before any thread starts.
    static void blockSignals();

    /// Runs until stopped; returns the process exit code (0 after a signal, 1 when it cannot run,
    /// 2 for a configuration error found at start).
    int run();

private:
    config::Settings settings_;
    std::optional<std::filesystem::path> config_file_;
    std::optional<std::filesystem::path> base_file_;
};

}  // namespace sonyalpaca::server
