// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "config/Settings.hpp"
#include "config/SettingsSchema.hpp"
#include "server/CommandOptions.hpp"

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace sonyalpaca::server {

/// What the command line asks for.
struct CommandLine {
    enum class Command { Serve, Help, Version };
    Command command = Command::Help;
    std::optional<std::filesystem::path> config_file;  ///< --config
    /// Settings given on the command line, in order (a repeated list option collects its values).
    std::vector<std::pair<const config::SettingKey*, config::SettingValue>> settings;
};

/// Parses argv. Throws UsageError for unknown commands or options and missing values,
/// config::ConfigError for a value its option does not allow.
CommandLine parseCommandLine(int argc, const char* const* argv);

/// The --help text.
std::string usageText();

/// The default config file: /etc/sonyalpaca/config.json.
inline const std::filesystem::path kDefaultConfigFile = "/etc/sonyalpaca/config.json";

/// Defaults, then the config file (the default one only if it exists), then the command line, then
/// the default state directory if none was set. Throws config::ConfigError naming the key.
config::Settings resolveSettings(const CommandLine& command_line,
                                 const std::map<std::string, std::string>& environment);

}  // namespace sonyalpaca::server
