// SPDX-License-Identifier: GPL-3.0-or-later
#include "server/InfoCommand.hpp"

#include "config/BodyDatabase.hpp"
#include "config/DataFiles.hpp"
#include "config/DecodeSupport.hpp"
#include "config/RawTypes.hpp"
#include "config/Settings.hpp"
#include "ptp/gphoto/GPhotoBody.hpp"
#include "ptp/sim/SimulatorHost.hpp"
#include "server/CommandOptions.hpp"
#include "server/Logging.hpp"

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <sstream>
#include <string>

#include <unistd.h>

namespace sonyalpaca::server {
namespace {
std::string join(const std::vector<std::string>& items) {
    std::string text;
    for (const auto& item : items) text += (text.empty() ? "" : ", ") + item;
    return text;
}

std::string speedText(double seconds) {
    std::ostringstream out;
    if (seconds >= 0.3)
        out << seconds << " s";
    else
        out << "1/" << static_cast<long>(1.0 / seconds + 0.5) << " s";
    return out.str();
}
}  // namespace

const char* infoUsage() {
    return "usage: sonyalpaca info [--camera auto|simulator|ptpip:HOST[:PORT]]\n"
           "Opens the body and shows its identity, settings, lists and capabilities.\n"
           "  --camera auto|simulator|ptpip:HOST[:PORT]  the body (default auto: USB)\n";
}

int runInfo(int argc, const char* const* argv) {
    if (helpWanted(argc, argv)) {
        std::fputs(infoUsage(), stdout);
        return 0;
    }
    config::CameraSource source;
    try {
        parseOptions(argc, argv,
                     {{"--camera", "auto|simulator|ptpip:HOST[:PORT]",
                       [&](const std::string& v) { source = config::CameraSource::parse(v); }}},
                     "sonyalpaca info --help");
    } catch (const std::exception& e) {
        std::fprintf(stderr, "sonyalpaca info: %s\n", e.what());
        return 2;
    }
    setupLogging("warn", false);
    const char* home = std::getenv("HOME");
    if (!home || ::access(home, W_OK) != 0) ::setenv("HOME", "/tmp", 1);  // libgphoto2 writes ~/.gphoto
    try {
        std::unique_ptr<ptp::sim::SimulatorHost> simulator;
        if (source.kind == config::CameraSource::Kind::Simulator) {
            simulator = std::make_unique<ptp::sim::SimulatorHost>(ptp::sim::SimulatorOptions{});
            source = {config::CameraSource::Kind::PtpIp, "127.0.0.1", simulator->port()};
        }
        const auto bodies = config::BodyDatabase::load(config::findDataFile("sony-bodies.json"));
        ptp::gphoto::GPhotoBody body(source, bodies);
        body.checkReachable();
        body.open();
        const auto identity = body.identity();
        const auto speeds = body.shutterSpeeds();
        std::printf("Body:           %s %s\n", identity.manufacturer.c_str(), identity.model.c_str());
        std::printf("Serial number:  %s\n", identity.serial.c_str());
        std::printf("Firmware:       %s\n", identity.firmware.c_str());
        std::printf("Connection:     %s\n", body.describe().c_str());
        std::printf("ISO:            %s (choices: %s)\n", body.iso().c_str(), join(body.isoChoices()).c_str());
        if (!speeds.empty())
            std::printf("Shutter speeds: %zu listed, %s to %s; longer exposures use BULB\n", speeds.size(),
                        speedText(speeds.front()).c_str(), speedText(speeds.back()).c_str());
        const auto raw_types = body.rawTypes();
        if (!raw_types.empty())
            std::printf("RAW file type:  %s (choices: %s)\n", body.rawType().c_str(), join(raw_types).c_str());
        // What the camera will do at connect (config::bodyDecodeProblem), so a user sees it before a client connects.
        std::string decoding;
        if (const auto* entry = bodies.find(identity.model)) {
            const auto problem =
                config::bodyDecodeProblem(*entry, raw_types, config::libRawSeries(), config::libRawVersion());
            decoding = problem ? "refused - " + *problem : "LibRaw " + config::libRawVersion() + " decodes this body";
        } else {
            decoding = "LibRaw " + config::libRawVersion() +
                       "; the body is not in the body database, so whether "
                       "LibRaw decodes its files correctly is not known";
        }
        std::printf("Raw decoding:   %s\n", decoding.c_str());
        std::printf("Focus drive:    %s\n", body.hasFocusDrive()
                                                ? "yes (7 step sizes each way)"
                                                : "no - the camera works, the focuser cannot move the lens");
        body.close();
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "sonyalpaca info: %s\n", e.what());
        return 1;
    }
}

}  // namespace sonyalpaca::server
