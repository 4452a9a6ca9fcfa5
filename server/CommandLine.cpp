// SPDX-License-Identifier: GPL-3.0-or-later
#include "server/CommandLine.hpp"

#include "sonyalpaca/Version.hpp"

#include <string_view>

namespace sonyalpaca::server {

using config::SettingKey;

std::string usageText() {
    std::string text = std::string("sonyalpaca ") + kVersion +
                       " - ASCOM Alpaca Camera and Focuser for a Sony Alpha body on USB\n\n"
                       "Usage:\n"
                       "  sonyalpaca serve [options]   run the daemon\n"
                       "  sonyalpaca info [--camera SOURCE]\n"
                       "                               show the body: identity, settings, capabilities\n"
                       "  sonyalpaca learn-lens [options]\n"
                       "                               learn the lens's focus step sizes (see --help)\n"
                       "  sonyalpaca simulate-body [options]\n"
                       "                               run the virtual Sony body alone (PTP/IP; see --help)\n"
                       "  sonyalpaca --help            show this help\n"
                       "  sonyalpaca --version         show the version\n\n"
                       "Options of serve (each also a key of the JSON config file; the command line wins):\n";
    auto line = [&](std::string left, std::string_view help, std::string_view def) {
        if (left.size() < 28) left.resize(28, ' ');
        text += "  " + left + " " + std::string(help);
        if (!def.empty()) text += "\n  " + std::string(29, ' ') + "default: " + std::string(def);
        text += "\n";
    };
    line("--config FILE", "JSON config file", kDefaultConfigFile.string() + " if it exists");
    for (const auto& key : config::settingKeys()) {
        std::string left(key.option);
        if (!key.argument.empty()) left += " " + std::string(key.argument);
        line(left, std::string(key.help) + "  [config key \"" + std::string(key.key) + "\"]", key.default_text);
    }
    text += "\nExit codes: 0 stopped by SIGTERM/SIGINT, 1 could not run (port in use, ...), "
            "2 bad command line or config.\n";
    return text;
}

CommandLine parseCommandLine(int argc, const char* const* argv) {
    CommandLine result;
    if (argc < 2) throw UsageError("no command given; run \"sonyalpaca serve\" to start the daemon, or see --help");
    const std::string_view first = argv[1];
    if (first == "--help" || first == "-h" || first == "help") return result;
    if (first == "--version" || first == "-V") {
        result.command = CommandLine::Command::Version;
        return result;
    }
    if (first != "serve")
        throw UsageError("unknown command \"" + std::string(first) +
                         "\"; known: serve, info, learn-lens, simulate-body, --help, --version");
    result.command = CommandLine::Command::Serve;
    std::map<const SettingKey*, std::size_t> list_index;  // where a repeated list option collects
    for (int i = 2; i < argc; ++i) {
        std::string_view argument = argv[i];
        if (argument == "--help" || argument == "-h") {
            result.command = CommandLine::Command::Help;
            return result;
        }
        std::string option(argument);
        std::optional<std::string> inline_value;
        if (const auto equals = argument.find('='); argument.rfind("--", 0) == 0 && equals != std::string_view::npos) {
            option = std::string(argument.substr(0, equals));
            inline_value = std::string(argument.substr(equals + 1));
        }
        auto takeValue = [&](std::string_view what) -> std::string {
            if (inline_value) return *inline_value;
            if (i + 1 >= argc) throw UsageError(option + " needs a value: " + std::string(what));
            return argv[++i];
        };
        if (option == "--config") {
            result.config_file = takeValue("FILE");
            continue;
        }
        const SettingKey* key = config::findOption(option);
        if (!key) throw UsageError("unknown option \"" + option + "\"; see sonyalpaca --help");
        if (key->argument.empty()) {  // a flag: --no-discovery
            if (inline_value) throw UsageError(option + " takes no value");
            result.settings.emplace_back(key, false);
            continue;
        }
        const std::string text = takeValue(key->argument);
        config::SettingValue value;
        try {
            value = config::parseOptionText(*key, text);
        } catch (const std::invalid_argument& e) {
            throw config::ConfigError("command line: " + option + ": " + e.what());
        }
        if (key->type == SettingKey::Type::StringList) {
            if (auto found = list_index.find(key); found != list_index.end()) {
                auto& list = std::get<std::vector<std::string>>(result.settings[found->second].second);
                list.push_back(text);
                continue;
            }
            list_index[key] = result.settings.size();
        }
        result.settings.emplace_back(key, std::move(value));
    }
    return result;
}

config::Settings resolveSettings(const CommandLine& command_line,
                                 const std::map<std::string, std::string>& environment) {
    config::Settings settings;
    if (command_line.config_file)
        config::applyFile(settings, *command_line.config_file, true);
    else
        config::applyFile(settings, kDefaultConfigFile, false);
    for (const auto& [key, value] : command_line.settings)
        config::applySetting(settings, *key, value, "command line: " + std::string(key->option));
    if (settings.state_dir.empty()) settings.state_dir = config::defaultStateDir(environment);
    if (settings.images.dir.empty()) settings.images.dir = settings.state_dir / "images";
    return settings;
}

}  // namespace sonyalpaca::server
