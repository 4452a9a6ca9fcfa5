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

namespace {
/// One setting from the command line into `result`; a repeated list option (--bind) adds to the
/// list it started.
void addSetting(CommandLine& result, std::map<const SettingKey*, std::size_t>& list_index, const SettingKey& key,
                const std::string& text) {
    if (key.argument.empty()) {  // a flag: --no-discovery
        result.settings.emplace_back(&key, false);
        return;
    }
    config::SettingValue value;
    try {
        value = config::parseOptionText(key, text);
    } catch (const std::invalid_argument& e) {
        throw config::ConfigError("command line: " + std::string(key.option) + ": " + e.what());
    }
    if (key.type == SettingKey::Type::StringList) {
        if (auto found = list_index.find(&key); found != list_index.end()) {
            std::get<std::vector<std::string>>(result.settings[found->second].second).push_back(text);
            return;
        }
        list_index[&key] = result.settings.size();
    }
    result.settings.emplace_back(&key, std::move(value));
}
}  // namespace

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
    if (helpWanted(argc, argv)) return result;
    result.command = CommandLine::Command::Serve;
    std::map<const SettingKey*, std::size_t> list_index;  // where a repeated list option collects
    std::vector<CommandOption> options{
        {"--config", "FILE", [&](const std::string& file) { result.config_file = file; }}};
    for (const auto& key : config::settingKeys())
        options.push_back({key.option, key.argument, [&, setting = &key](const std::string& text) {
                               addSetting(result, list_index, *setting, text);
                           }});
    parseOptions(argc, argv, options, "sonyalpaca --help");
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
