// SPDX-License-Identifier: GPL-3.0-or-later
#include "server/CommandOptions.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace sonyalpaca;
using server::CommandOption;
using server::UsageError;

namespace {
/// What a sub-command with --port N, --name NAME and the flag --quiet was handed, in order.
std::vector<std::string> parse(std::vector<const char*> args) {
    args.insert(args.begin(), {"sonyalpaca", "demo"});
    std::vector<std::string> taken;
    const std::vector<CommandOption> options{
        {"--port", "N", [&](const std::string& v) { taken.push_back("port " + v); }},
        {"--name", "NAME", [&](const std::string& v) { taken.push_back("name " + v); }},
        {"--quiet", "", [&](const std::string& v) { taken.push_back("quiet" + v); }},
    };
    server::parseOptions(static_cast<int>(args.size()), args.data(), options, "sonyalpaca demo --help");
    return taken;
}

std::string usageMessage(std::vector<const char*> args) {
    try {
        parse(std::move(args));
    } catch (const UsageError& e) {
        return e.what();
    }
    return "no error";
}

bool help(std::vector<const char*> args) {
    args.insert(args.begin(), {"sonyalpaca", "demo"});
    return server::helpWanted(static_cast<int>(args.size()), args.data());
}
}  // namespace

TEST_CASE("sub-command options: --name value, --name=value and flags, handed over in order") {
    CHECK(parse({}).empty());
    CHECK(parse({"--port", "80", "--quiet", "--name=a=b", "--port=", "--name", "x y"}) ==
          std::vector<std::string>{"port 80", "quiet", "name a=b", "port ", "name x y"});
    // The next argument is the value whatever it looks like.
    CHECK(parse({"--name", "--port"}) == std::vector<std::string>{"name --port"});
    CHECK(parse({"--name", "-h"}) == std::vector<std::string>{"name -h"});
}

TEST_CASE("sub-command options: what is wrong is named, with where to look") {
    CHECK(usageMessage({"--prot", "80"}) == "unknown option \"--prot\"; see sonyalpaca demo --help");
    CHECK(usageMessage({"--prot=80"}) == "unknown option \"--prot\"; see sonyalpaca demo --help");
    CHECK(usageMessage({"80"}) == "unknown option \"80\"; see sonyalpaca demo --help");
    CHECK(usageMessage({"-port=80"}) == "unknown option \"-port=80\"; see sonyalpaca demo --help");
    CHECK(usageMessage({"--name"}) == "--name needs a value: NAME");
    CHECK(usageMessage({"--port", "1", "--port"}) == "--port needs a value: N");
    CHECK(usageMessage({"--quiet=yes"}) == "--quiet takes no value");
    CHECK(usageMessage({"--quiet="}) == "--quiet takes no value");
}

TEST_CASE("sub-command options: what an option's handler throws reaches the caller, after the options before it") {
    std::vector<std::string> taken;
    const std::vector<CommandOption> options{
        {"--name", "NAME", [&](const std::string& v) { taken.push_back(v); }},
        {"--port", "N",
         [](const std::string& v) { throw std::invalid_argument("--port: \"" + v + "\" is not a number"); }},
    };
    const char* argv[] = {"sonyalpaca", "demo", "--name", "a", "--port", "x", "--name", "b"};
    CHECK_THROWS_WITH_AS(server::parseOptions(8, argv, options, "help"), "--port: \"x\" is not a number",
                         std::invalid_argument);
    CHECK(taken == std::vector<std::string>{"a"});
}

TEST_CASE("sub-command options: --help or -h anywhere asks for the help") {
    CHECK(help({"--help"}));
    CHECK(help({"-h"}));
    CHECK(help({"--port", "80", "--bogus", "--help"}));
    CHECK_FALSE(help({}));
    CHECK_FALSE(help({"--port", "80", "--helpful"}));
    const char* only_command[] = {"sonyalpaca"};
    CHECK_FALSE(server::helpWanted(1, only_command));
    CHECK_FALSE(server::helpWanted(0, only_command));
}
