// SPDX-License-Identifier: GPL-3.0-or-later
// sonyalpaca: ASCOM Alpaca Camera and Focuser for a Sony Alpha body.
#include "config/RawTypes.hpp"
#include "ptp/gphoto/GPhotoSession.hpp"
#include "server/CommandLine.hpp"
#include "server/Daemon.hpp"
#include "server/InfoCommand.hpp"
#include "server/LearnLensCommand.hpp"
#include "server/Logging.hpp"
#include "server/SimulatorCommand.hpp"
#include "sonyalpaca/Version.hpp"

#include <malloc.h>

#include <cstdio>
#include <exception>
#include <filesystem>
#include <optional>
#include <string_view>

using namespace sonyalpaca;

namespace {
/// Frames are large (50-125 MB) and short-lived. glibc's default raises its mmap threshold to 32 MB
/// and its trim threshold to 64 MB after the first large free, after which up to 64 MB of freed
/// memory stays resident in the heap for good (bench_memory: 24 MB held after a 61 MP frame). Fixed
/// thresholds give every block of 1 MB or more back to the system when it is freed, and keep at most
/// 1 MB free at the heap's top (with 4 MB, a 24 MP frame's steady RSS wandered between 1.08x and 1.20x
/// the frame from one exposure to the next). And glibc gives a thread that finds the heap busy an
/// arena of its own (up to 8 per core), each keeping its freed memory: two are plenty for a daemon
/// whose threads mostly wait. bench_memory: 24 MP 2.05x peak / 1.04x steady, 61 MP 2.02x / 1.01x.
void returnLargeBlocksToTheSystem() noexcept {
    ::mallopt(M_MMAP_THRESHOLD, 1 << 20);
    ::mallopt(M_TRIM_THRESHOLD, 1 << 20);
    ::mallopt(M_ARENA_MAX, 2);
}
}  // namespace

int main(int argc, char** argv) noexcept try {
    returnLargeBlocksToTheSystem();
    server::CommandLine command_line;
    config::Settings settings;
    std::optional<std::filesystem::path> settings_file;  // where the setup page saves
    std::optional<std::filesystem::path> base_file;      // the file settings_file overrides
    const auto environment = config::processEnvironment();
    if (argc >= 2 && std::string_view(argv[1]) == "simulate-body") return server::runSimulateBody(argc, argv);
    if (argc >= 2 && std::string_view(argv[1]) == "info") return server::runInfo(argc, argv);
    if (argc >= 2 && std::string_view(argv[1]) == "learn-lens") return server::runLearnLens(argc, argv);
    try {
        command_line = server::parseCommandLine(argc, argv);
        if (command_line.command == server::CommandLine::Command::Help) {
            std::fputs(server::usageText().c_str(), stdout);
            return 0;
        }
        if (command_line.command == server::CommandLine::Command::Version) {
            // The libraries whose versions decide which bodies work (docs/BODIES.md).
            std::printf("sonyalpaca %s\nlibgphoto2 %s\nLibRaw %s\n", kVersion, ptp::gphoto::libraryVersion().c_str(),
                        config::libRawVersion().c_str());
            return 0;
        }
        settings = server::resolveSettings(command_line, environment);
        settings_file = command_line.config_file;
        if (!settings_file) {
            // The setup page saves to the state directory (the service may not write /etc): what
            // it saved wins over the default config file and loses to the command line.
            settings_file = config::stateSettingsFile(settings.state_dir);
            config::applyStateSettingsFile(settings, *settings_file, command_line.settings);
            base_file = server::kDefaultConfigFile;
        }
    } catch (const std::exception& e) {  // UsageError, ConfigError
        std::fprintf(stderr, "sonyalpaca: %s\n", e.what());
        return 2;
    }
    server::Daemon::blockSignals();
    server::setupLogging(settings.log_level, server::stderrIsJournal(environment));
    return server::Daemon(std::move(settings), std::move(settings_file), std::move(base_file)).run();
} catch (const std::exception& e) {
    std::fprintf(stderr, "sonyalpaca: fatal: %s\n", e.what());
    return 1;
} catch (...) {
    std::fprintf(stderr, "sonyalpaca: fatal: unknown error\n");
    return 1;
}
