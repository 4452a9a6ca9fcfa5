// SPDX-License-Identifier: GPL-3.0-or-later
#include "server/CommandLine.hpp"

#include <doctest/doctest.h>

#include <fstream>

#include <unistd.h>

using namespace sonyalpaca;
using server::CommandLine;
using server::parseCommandLine;

namespace {
CommandLine parse(std::vector<const char*> args) {
    args.insert(args.begin(), "sonyalpaca");
    return parseCommandLine(static_cast<int>(args.size()), args.data());
}
config::Settings resolve(std::vector<const char*> args, std::map<std::string, std::string> env = {{"HOME", "/h"}}) {
    return server::resolveSettings(parse(std::move(args)), env);
}
}  // namespace

TEST_CASE("commands: serve, --help, --version") {
    CHECK(parse({"serve"}).command == CommandLine::Command::Serve);
    CHECK(parse({"--help"}).command == CommandLine::Command::Help);
    CHECK(parse({"serve", "--help"}).command == CommandLine::Command::Help);
    CHECK(parse({"--version"}).command == CommandLine::Command::Version);
    CHECK_THROWS_AS(parse({}), server::UsageError);
    CHECK_THROWS_AS(parse({"serv"}), server::UsageError);
    CHECK_THROWS_AS(parse({"serve", "--prot", "1"}), server::UsageError);
    CHECK_THROWS_AS(parse({"serve", "--port"}), server::UsageError);
    CHECK_THROWS_AS(parse({"serve", "--no-discovery=yes"}), server::UsageError);
    // --help or -h anywhere after serve shows the help, even after a mistake.
    CHECK(parse({"serve", "--port", "1", "-h"}).command == CommandLine::Command::Help);
    CHECK(parse({"serve", "--prot", "1", "--help"}).command == CommandLine::Command::Help);
    CHECK_THROWS_WITH(parse({"serve", "--prot", "1"}), "unknown option \"--prot\"; see sonyalpaca --help");
    CHECK_THROWS_WITH(parse({"serve", "--port"}), "--port needs a value: N");
    CHECK_THROWS_WITH(parse({"serve", "--no-discovery=yes"}), "--no-discovery takes no value");
}

TEST_CASE("serve options, in both --opt value and --opt=value forms") {
    const auto settings = resolve({"serve", "--camera", "ptpip:127.0.0.1:5000", "--bind", "127.0.0.1", "--bind=::1",
                                   "--port=0", "--discovery-port", "4000", "--no-discovery", "--state-dir", "/s",
                                   "--lens", "SEL20F18G", "--log-level", "debug", "--config", "/dev/null"});
    CHECK(settings.camera.text() == "ptpip:127.0.0.1:5000");
    CHECK(settings.bind == std::vector<std::string>{"127.0.0.1", "::1"});
    CHECK(settings.port == 0);
    CHECK(settings.discovery_port == 4000);
    CHECK_FALSE(settings.discovery);
    CHECK(settings.state_dir == "/s");
    CHECK(settings.lens == "SEL20F18G");
    CHECK(settings.log_level == "debug");
}

TEST_CASE("bad values on the command line name the option and what is allowed") {
    auto message = [](std::vector<const char*> args) {
        try {
            resolve(std::move(args));
        } catch (const config::ConfigError& e) {
            return std::string(e.what());
        }
        return std::string();
    };
    CHECK(message({"serve", "--port", "abc"}).find("--port") != std::string::npos);
    CHECK(message({"serve", "--port", "70000"}).find("1 to 65535") != std::string::npos);
    CHECK(message({"serve", "--camera", "usb"}).find("allowed: auto, simulator") != std::string::npos);
    CHECK(message({"serve", "--log-level", "loud"}).find("--log-level") != std::string::npos);
    CHECK(message({"serve", "--bind", "example.org"}).find("not an IPv4 or IPv6 address") != std::string::npos);
    CHECK(message({"serve", "--config", "/nonexistent/sonyalpaca.json"}).find("no such file") != std::string::npos);
}

TEST_CASE("the command line wins over the config file, which wins over the defaults") {
    const auto file = std::filesystem::temp_directory_path() / ("cli-test-" + std::to_string(::getpid()) + ".json");
    std::ofstream(file) << R"({"port": 2000, "discovery_port": 3000, "bind": ["::1"]})";
    const auto settings = resolve({"serve", "--config", file.c_str(), "--port", "2001"});
    CHECK(settings.port == 2001);
    CHECK(settings.discovery_port == 3000);
    CHECK(settings.bind == std::vector<std::string>{"::1"});
    CHECK(settings.state_dir == "/h/.local/state/sonyalpaca");
    CHECK(settings.camera.text() == "auto");
    std::filesystem::remove(file);
}

TEST_CASE("help lists every option with its config key and default") {
    const auto text = server::usageText();
    for (const auto& key : config::settingKeys()) {
        CAPTURE(key.key);
        CHECK(text.find(std::string(key.option)) != std::string::npos);
        CHECK(text.find("[config key \"" + std::string(key.key) + "\"]") != std::string::npos);
    }
}
