// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "config/Settings.hpp"

#include <nlohmann/json_fwd.hpp>

#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace sonyalpaca::config {

/// One value of a setting, typed, before validation.
using SettingValue = std::variant<std::string, long long, bool, std::vector<std::string>, double>;

/// One setting: its key in the JSON config file, its command-line option, its help and default,
/// and how a value is validated and stored. Declared once, used by the file loader, the command
/// line and the help text.
struct SettingKey {
    enum class Type { String, Port, Bool, StringList, Number };
    std::string_view key;       ///< JSON key, e.g. "discovery_port"
    std::string_view option;    ///< command-line option, e.g. "--discovery-port"
    std::string_view argument;  ///< "N", "ADDR", ...; empty for a flag that sets a Bool to false
    std::string_view help;
    std::string_view default_text;
    Type type;
    /// Validates and stores; throws std::invalid_argument saying what is allowed.
    void (*apply)(Settings&, const SettingValue&);
};

/// Every setting, in the order the help text lists them.
std::span<const SettingKey> settingKeys();

/// The key whose command-line option is `option` (e.g. "--port"), or nullptr.
const SettingKey* findOption(std::string_view option);

/// Parses a command-line argument for `key` into a typed value. Throws std::invalid_argument.
SettingValue parseOptionText(const SettingKey& key, std::string_view text);

/// Validates and applies `value` for `key`; throws ConfigError starting with `where` (the file and
/// key, or the command-line option) followed by what is allowed.
void applySetting(Settings& settings, const SettingKey& key, const SettingValue& value, std::string_view where);

/// Applies a whole JSON config document. Unknown keys, wrong types and bad values throw ConfigError
/// naming the key, the file and what is allowed.
void applyJson(Settings& settings, const nlohmann::json& document, const std::string& source);

/// Reads and applies the config file at `path`. If `required` is false a missing file is not an error.
/// Throws ConfigError.
void applyFile(Settings& settings, const std::filesystem::path& path, bool required);

/// The settings file of the state directory, STATE_DIR/settings.json: where the setup page saves
/// settings when the daemon runs without --config (the service cannot write /etc).
std::filesystem::path stateSettingsFile(const std::filesystem::path& state_dir);

/// Applies the state directory's settings file `path`, if it exists, over `settings` (defaults and
/// the default config file), then `overrides` (the command line's settings) again, so that they keep
/// winning. The file cannot move the state directory it lives in: state_dir in it is a ConfigError,
/// as is anything applyFile refuses.
void applyStateSettingsFile(Settings& settings, const std::filesystem::path& path,
                            std::span<const std::pair<const SettingKey*, SettingValue>> overrides);

}  // namespace sonyalpaca::config
