// SPDX-License-Identifier: GPL-3.0-or-later
#include "server/CommandOptions.hpp"

#include <algorithm>
#include <optional>

namespace sonyalpaca::server {

bool helpWanted(int argc, const char* const* argv) {
    return std::any_of(argv + std::min(argc, 2), argv + argc,
                       [](std::string_view argument) { return argument == "--help" || argument == "-h"; });
}

void parseOptions(int argc, const char* const* argv, const std::vector<CommandOption>& options, std::string_view help) {
    for (int i = 2; i < argc; ++i) {
        std::string name = argv[i];
        std::optional<std::string> value;
        if (const auto equals = name.find('='); name.starts_with("--") && equals != std::string::npos) {
            value = name.substr(equals + 1);
            name.resize(equals);
        }
        const auto option = std::find_if(options.begin(), options.end(),
                                         [&](const CommandOption& known) { return known.name == name; });
        if (option == options.end()) throw UsageError("unknown option \"" + name + "\"; see " + std::string(help));
        if (option->value.empty() && value) throw UsageError(name + " takes no value");
        if (!option->value.empty() && !value) {
            if (i + 1 >= argc) throw UsageError(name + " needs a value: " + std::string(option->value));
            value = argv[++i];
        }
        option->take(value.value_or(""));
    }
}

}  // namespace sonyalpaca::server
