// SPDX-License-Identifier: GPL-3.0-or-later
#include "server/SimulatorCommand.hpp"

#include "config/Log.hpp"
#include "ptp/sim/SimulatorHost.hpp"
#include "server/CommandOptions.hpp"
#include "server/Daemon.hpp"
#include "server/Logging.hpp"
#include "server/SimulatorControl.hpp"

#include <charconv>
#include <csignal>
#include <cstdio>
#include <stdexcept>

namespace sonyalpaca::server {
namespace {
struct Options {
    ptp::sim::SimulatorOptions simulator = [] {
        ptp::sim::SimulatorOptions defaults;
        defaults.port = 15740;  // the PTP/IP port
        return defaults;
    }();
    std::string log_level = "info";
    int control_port = -1;  ///< -1: no control interface
};

double number(const std::string& option, const std::string& text) {
    double value = 0;
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc() || ptr != text.data() + text.size())
        throw std::invalid_argument(option + ": \"" + text + "\" is not a number");
    return value;
}

std::uint32_t shutterCode(const std::string& text) {
    if (text == "bulb") return 0;
    const auto slash = text.find('/');
    if (slash == std::string::npos) return static_cast<std::uint32_t>(number("--shutter", text) * 10) << 16 | 10u;
    return static_cast<std::uint32_t>(number("--shutter", text.substr(0, slash))) << 16 |
           static_cast<std::uint32_t>(number("--shutter", text.substr(slash + 1)));
}

Options parse(int argc, const char* const* argv) {
    Options o;
    auto& lens = o.simulator.lens_options;
    auto& body = o.simulator.body_options;
    auto& faults = *o.simulator.faults;
    parseOptions(
        argc, argv,
        {
            {"--port", "N",
             [&](const std::string& v) { o.simulator.port = static_cast<std::uint16_t>(number("--port", v)); }},
            {"--bind", "ADDR", [&](const std::string& v) { o.simulator.bind = v; }},
            {"--body", "MODEL", [&](const std::string& v) { o.simulator.body = v; }},
            {"--lens", "ID", [&](const std::string& v) { o.simulator.lens = v; }},
            {"--seed", "N", [&](const std::string& v) { lens.seed = static_cast<std::uint64_t>(number("--seed", v)); }},
            {"--profile-error", "F", [&](const std::string& v) { lens.profile_error = number("--profile-error", v); }},
            {"--jitter", "F", [&](const std::string& v) { lens.jitter = number("--jitter", v); }},
            {"--backlash", "U", [&](const std::string& v) { lens.backlash = number("--backlash", v); }},
            {"--lens-position", "U", [&](const std::string& v) { lens.start_position = number("--lens-position", v); }},
            {"--move-time-scale", "F", [&](const std::string& v) { lens.time_scale = number("--move-time-scale", v); }},
            {"--readout", "S", [&](const std::string& v) { body.readout_s = number("--readout", v); }},
            {"--shutter", "S", [&](const std::string& v) { body.shutter = shutterCode(v); }},
            {"--iso", "N", [&](const std::string& v) { body.iso = static_cast<std::uint32_t>(number("--iso", v)); }},
            {"--temperature", "C", [&](const std::string& v) { body.temperature_c = number("--temperature", v); }},
            {"--sensor-scale", "N",
             [&](const std::string& v) {
                 o.simulator.sensor_scale = static_cast<unsigned>(number("--sensor-scale", v));
                 if (o.simulator.sensor_scale < 1 || o.simulator.sensor_scale > 16)
                     throw std::invalid_argument("--sensor-scale: 1 to 16");
             }},
            {"--apsc", "WHEN",
             [&](const std::string& v) {
                 if (v == "off")
                     body.apsc = ptp::sim::ApscSetting::Off;
                 else if (v == "on")
                     body.apsc = ptp::sim::ApscSetting::On;
                 else if (v == "auto")
                     body.apsc = ptp::sim::ApscSetting::Auto;
                 else
                     throw std::invalid_argument("--apsc: off, on or auto, not \"" + v + "\"");
             }},
            {"--protocol", "N",
             [&](const std::string& v) {
                 if (v != "2" && v != "3") throw std::invalid_argument("--protocol: 2 or 3, not \"" + v + "\"");
                 body.protocol = v == "2" ? 2 : 3;
             }},
            {"--live-view", "SCENE",
             [&](const std::string& v) {
                 if (v != "stars" && v != "daylight")
                     throw std::invalid_argument("--live-view: stars or daylight, not \"" + v + "\"");
                 body.live_view_stars = v == "stars";
             }},
            {"--no-events", "", [&](const std::string&) { body.events = false; }},
            {"--no-focus-drive", "", [&](const std::string&) { body.focus_drive = false; }},
            {"--log-level", "LEVEL", [&](const std::string& v) { o.log_level = v; }},
            {"--drop-after", "N",
             [&](const std::string& v) {
                 faults.drop_after_operations = static_cast<std::uint32_t>(number("--drop-after", v));
             }},
            {"--busy-captures", "K",
             [&](const std::string& v) {
                 faults.busy_captures = static_cast<std::uint32_t>(number("--busy-captures", v));
             }},
            {"--never-ready", "K",
             [&](const std::string& v) {
                 faults.never_ready_captures = static_cast<std::uint32_t>(number("--never-ready", v));
             }},
            {"--control-port", "N",
             [&](const std::string& v) { o.control_port = static_cast<int>(number("--control-port", v)); }},
        },
        "sonyalpaca simulate-body --help");
    return o;
}
}  // namespace

std::string simulateBodyUsage() {
    return "sonyalpaca simulate-body [options]: a virtual Sony body serving PTP/IP, for gphoto2 or\n"
           "`sonyalpaca serve --camera ptpip:HOST:PORT`. Try: gphoto2 --camera \"PTP/IP Camera\" \\\n"
           "  --port ptpip:127.0.0.1:PORT:PORT --summary\n\n"
           "  --port N             TCP port for both PTP/IP channels (default 15740; 0 = any free port)\n"
           "  --bind ADDR          IPv4 address to listen on (default 127.0.0.1)\n"
           "  --body MODEL         body from sony-bodies.json (default ILCE-7M3)\n"
           "  --sensor-scale N     divide the sensor size by N for fast tests (keeps the crop and RGGB)\n"
           "  --lens ID            lens from sony-lenses.json (default SEL20F18G)\n"
           "  --seed N             seeds the lens's true profile, its jitter and the star field\n"
           "  --profile-error F    true step sizes differ from the shipped ones by up to F (default 0.03)\n"
           "  --jitter F           relative spread of each focus step (default 0.005)\n"
           "  --backlash U         units lost after a reversal (default 2)\n"
           "  --lens-position U    starting lens position (default 3/4 of the travel)\n"
           "  --move-time-scale F  multiplies focus move times (default 1)\n"
           "  --shutter S          initial shutter speed: 1/100, 2.5, bulb (default 1/100)\n"
           "  --iso N              initial ISO (default 800)\n"
           "  --readout S          readout time in seconds (default from the sensor size)\n"
           "  --temperature C      sensor temperature (default 10)\n"
           "  --live-view SCENE    what the live view shows: daylight (a detailed scene, what lens\n"
           "                       learning needs; default) or stars (the night sky, sharp at best focus)\n"
           "  --no-events          keep the event channel silent\n"
           "  --drop-after N       drop the host's connection after N operations\n"
           "  --busy-captures K    answer the next K shutter presses DeviceBusy\n"
           "  --never-ready K      the next K exposures never produce a file\n"
           "  --no-focus-drive     no focus drive (as the ILCE-7M4 with libgphoto2 2.5.30)\n"
           "  --apsc WHEN          full-frame bodies: APS-C/Super 35mm crop off, on, or auto (the\n"
           "                       factory setting: crops with an APS-C lens such as SELP1650; default)\n"
           "  --protocol N         highest Sony PC-remote protocol the body speaks: 2 or 3 (default: 3\n"
           "                       for the a7 IV generation, which libgphoto2 2.5.31 cannot drive; 2\n"
           "                       simulates such a body as libgphoto2 2.5.30 and 2.5.32+ drive it)\n"
           "  --control-port N     loopback HTTP control for tests: GET /status; PUT /temperature and\n"
           "                       /best-focus with a form celsius=X or units=X, /live-view with\n"
           "                       scene=stars|daylight, PUT /health (battery, source, card, shots,\n"
           "                       overheat; docs/SIMULATOR.md) (0 = any free port)\n"
           "  --log-level LEVEL    trace, debug, info, warn, error (default info)\n";
}

int runSimulateBody(int argc, const char* const* argv) {
    if (helpWanted(argc, argv)) {
        std::fputs(simulateBodyUsage().c_str(), stdout);
        return 0;
    }
    Options options;
    try {
        options = parse(argc, argv);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "sonyalpaca simulate-body: %s\n", e.what());
        return 2;
    }
    Daemon::blockSignals();
    setupLogging(options.log_level, false);
    auto logger = log::get("ptp");
    try {
        ptp::sim::SimulatorHost host(options.simulator);
        SimulatorControl control(host.body(), host.server());
        if (options.control_port >= 0) {
            control.start(static_cast<std::uint16_t>(options.control_port));
            logger->info("simulator control on http://127.0.0.1:{}/status", control.port());
        }
        sigset_t signals;
        sigemptyset(&signals);
        sigaddset(&signals, SIGINT);
        sigaddset(&signals, SIGTERM);
        int signal = 0;
        sigwait(&signals, &signal);
        logger->info("stopping after {} operations", host.server().operations());
        control.stop();
        host.server().stop();
    } catch (const std::invalid_argument& e) {
        logger->critical("{}", e.what());
        return 2;
    } catch (const std::exception& e) {
        logger->critical("{}", e.what());
        return 1;
    }
    return 0;
}

}  // namespace sonyalpaca::server
