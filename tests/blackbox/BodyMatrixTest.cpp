// SPDX-License-Identifier: GPL-3.0-or-later
// Every body of sony-bodies.json through the whole path (issue 15): simulate-body with that body on
// a reduced sensor, `sonyalpaca info` on it, then the daemon driving it over PTP/IP, the Camera
// connected through Alpaca, and one exposure per RAW file type it offers, downloaded as ImageBytes. What is expected of each body is
// taken from the same rules the daemon applies, for the libraries this build runs with: refused at
// connect (config::gphotoProblem for libgphoto2, config::bodyDecodeProblem for LibRaw) with that
// message, or an image per readout mode. Three bodies at a time; the whole matrix takes about 10 s
// (44 bodies, Debian 12 on this machine), well under its 3-minute limit.
#include "DaemonProcess.hpp"
#include "RawHttp.hpp"
#include "SimulatorProcess.hpp"

#include "config/BodyDatabase.hpp"
#include "config/DataFiles.hpp"
#include "config/DecodeSupport.hpp"
#include "config/GphotoSupport.hpp"
#include "config/RawTypes.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <sstream>
#include <thread>

using namespace sonyalpaca;
using namespace sonyalpaca::test;
using namespace std::chrono_literals;
using Json = nlohmann::json;

namespace {

/// What happened to one body: "" when everything expected happened, else what did not.
struct Outcome {
    std::string model;
    std::string failure;
    std::string detail;  ///< "refused: ..." or the images taken, for the log
    double seconds = 0;
};

/// PUT a camera member; the reply's JSON, or throws saying what went wrong.
Json put(std::uint16_t port, const std::string& member, const std::string& form) {
    const auto reply = httpForm(port, "PUT", "/api/v1/camera/0/" + member, form);
    if (reply.status != 200) throw std::runtime_error("PUT " + member + ": HTTP " + std::to_string(reply.status));
    return reply.json();
}

Json get(std::uint16_t port, const std::string& member) {
    const auto reply = httpGet(port, "/api/v1/camera/0/" + member);
    if (reply.status != 200) throw std::runtime_error("GET " + member + ": HTTP " + std::to_string(reply.status));
    return reply.json();
}

void putOk(std::uint16_t port, const std::string& member, const std::string& form) {
    const Json reply = put(port, member, form);
    if (reply["ErrorNumber"] != 0)
        throw std::runtime_error("PUT " + member + " " + form + ": " + reply["ErrorMessage"].get<std::string>());
}

/// One exposure, waited for (at most 20 s: the virtual body on a reduced sensor needs well under a
/// second), downloaded as ImageBytes; checks the image against NumX/NumY and that it has light.
std::string exposeOnce(std::uint16_t port) {
    putOk(port, "startexposure", "Duration=0.01&Light=true");
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    while (!get(port, "imageready")["Value"].get<bool>()) {
        const Json state = get(port, "camerastate");
        if (state["Value"] == 5)
            return "the camera went to the error state: " + get(port, "lastexposureduration").dump();
        if (std::chrono::steady_clock::now() > deadline) return "no image within 20 s";
        std::this_thread::sleep_for(50ms);
    }
    const auto reply = sendRaw("127.0.0.1", port,
                               "GET /api/v1/camera/0/imagearray HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                               "Accept: application/imagebytes\r\nConnection: close\r\n\r\n",
                               30s);
    if (reply.status != 200 || reply.body.size() < 44) return "ImageBytes: HTTP " + std::to_string(reply.status);
    const auto le32 = [&](std::size_t at) {
        std::uint32_t v = 0;
        for (int i = 3; i >= 0; --i)
            v = v << 8 | static_cast<unsigned char>(reply.body[at + static_cast<std::size_t>(i)]);
        return v;
    };
    const std::uint32_t error = le32(4), rank = le32(28), dim1 = le32(32), dim2 = le32(36);
    const unsigned num_x = get(port, "numx")["Value"], num_y = get(port, "numy")["Value"];
    const unsigned size_x = get(port, "cameraxsize")["Value"], size_y = get(port, "cameraysize")["Value"];
    if (error != 0 || rank != 2)
        return "ImageBytes header: error " + std::to_string(error) + ", rank " + std::to_string(rank);
    if (dim1 != num_x || dim2 != num_y || num_x != size_x || num_y != size_y)
        return "image " + std::to_string(dim1) + "x" + std::to_string(dim2) + ", NumX/NumY " + std::to_string(num_x) +
               "x" + std::to_string(num_y) + ", CameraXSize/YSize " + std::to_string(size_x) + "x" +
               std::to_string(size_y);
    const std::size_t data = le32(16);
    const std::size_t bytes = reply.body.size() - data;
    if (bytes != std::size_t{dim1} * dim2 * 2 && bytes != std::size_t{dim1} * dim2 * 4)
        return "ImageBytes carries " + std::to_string(bytes) + " bytes for " + std::to_string(dim1) + "x" +
               std::to_string(dim2);
    // Stars and sky: the frame is not flat (a black or constant frame would be).
    std::uint32_t lowest = 0xFFFFFFFF, highest = 0;
    const std::size_t step = bytes / (std::size_t{dim1} * dim2);
    for (std::size_t at = data; at + step <= reply.body.size(); at += step) {
        std::uint32_t value = 0;
        for (std::size_t i = step; i-- > 0;) value = value << 8 | static_cast<unsigned char>(reply.body[at + i]);
        lowest = std::min(lowest, value);
        highest = std::max(highest, value);
    }
    if (highest <= lowest + 16)
        return "a flat frame: values " + std::to_string(lowest) + " to " + std::to_string(highest);
    return "";
}

Outcome runBody(const config::BodyEntry& body, const std::string& gphoto) {
    Outcome outcome{body.model, "", "", 0};
    const auto started = std::chrono::steady_clock::now();
    try {
        SimulatorProcess simulator({"--body", body.model, "--sensor-scale", "16", "--readout", "0.02"});
        TempDir state;
        // `sonyalpaca info` first (it lets go of the body when it ends): the body as a user sees it.
        const std::optional<std::string> gphoto_refusal = config::gphotoProblem(body, gphoto);
        const auto info = runProgram(sonyalpacaPath(), {"info", "--camera", simulator.source()},
                                     {{"HOME", state.path().string()}}, 20s);
        if (gphoto_refusal) {
            if (info.exit_code != 1 || info.output.find(*gphoto_refusal) == std::string::npos)
                outcome.failure = "info: expected exit 1 and \"" + *gphoto_refusal + "\", got:\n" + info.output;
        } else if (info.exit_code != 0 ||
                   info.output.find("Body:           Sony Corporation " + body.model + "\n") == std::string::npos) {
            outcome.failure = "info: exit " + std::to_string(info.exit_code) + ":\n" + info.output;
        }
        auto daemon = DaemonProcess::serve(state.path(), {"--camera", simulator.source(), "--no-discovery"});
        const std::uint16_t port = daemon.port();
        // What the daemon must do with this body here: the libgphoto2 check comes first (the body
        // cannot be opened), then LibRaw's (the types the virtual body offers are the data's).
        std::vector<std::string> offered;
        for (const auto& type : body.raw_types) offered.push_back(config::rawTypeLabel(type));
        std::optional<std::string> refusal = gphoto_refusal;
        if (!refusal)
            refusal = config::bodyDecodeProblem(body, offered.size() > 1 ? offered : std::vector<std::string>{},
                                                config::libRawSeries(), config::libRawVersion());
        const Json reply = put(port, "connected", "Connected=true");
        if (!outcome.failure.empty()) {
            // info already failed; the message says how
        } else if (refusal) {
            const std::string message = reply["ErrorMessage"];
            if (reply["ErrorNumber"] == 0 || message.find(*refusal) == std::string::npos)
                outcome.failure = "expected the refusal \"" + *refusal + "\", got " + reply.dump();
            outcome.detail = "refused: " + refusal->substr(0, 80) + "...";
        } else if (reply["ErrorNumber"] != 0) {
            outcome.failure = "connect failed: " + reply["ErrorMessage"].get<std::string>();
        } else {
            const Json modes = get(port, "readoutmodes")["Value"];
            if (modes.empty()) outcome.failure = "no readout mode";
            std::ostringstream taken;
            for (std::size_t mode = 0; mode < modes.size() && outcome.failure.empty(); ++mode) {
                putOk(port, "readoutmode", "ReadoutMode=" + std::to_string(mode));
                if (const std::string problem = exposeOnce(port); !problem.empty())
                    outcome.failure = modes[mode].get<std::string>() + ": " + problem;
                taken << (mode ? ", " : "") << modes[mode].get<std::string>() << " "
                      << get(port, "numx")["Value"].get<unsigned>() << "x"
                      << get(port, "numy")["Value"].get<unsigned>();
            }
            outcome.detail = taken.str();
        }
        if (!outcome.failure.empty())
            outcome.failure += "\ndaemon log:\n" + daemon.log() + "\nsimulator log:\n" + simulator.process.log();
    } catch (const std::exception& e) {
        outcome.failure = std::string("the test could not run it: ") + e.what();
    }
    outcome.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return outcome;
}

}  // namespace

TEST_CASE("bodies: every body of the body data, simulated, is exposed through the daemon in each RAW type, or "
          "refused at connect saying why") {
    const auto bodies = config::BodyDatabase::load(config::findDataFile("sony-bodies.json"));
    const std::string gphoto = daemonGphotoVersion();
    const auto& rows = bodies.bodies();
    REQUIRE(rows.size() >= 41);
    std::vector<Outcome> outcomes(rows.size());
    std::atomic<std::size_t> next{0};
    const auto started = std::chrono::steady_clock::now();
    {
        std::vector<std::jthread> workers;
        for (int worker = 0; worker < 3; ++worker) {
            workers.emplace_back([&] {
                for (std::size_t i = next++; i < rows.size(); i = next++) outcomes[i] = runBody(rows[i], gphoto);
            });
        }
    }
    const double total = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::size_t exposed = 0, refused = 0;
    for (const auto& outcome : outcomes) {
        CAPTURE(outcome.model);
        CHECK_MESSAGE(outcome.failure.empty(), outcome.failure);
        MESSAGE(outcome.model << " (" << outcome.seconds << " s): " << outcome.detail);
        (outcome.detail.rfind("refused", 0) == 0 ? refused : exposed) += 1;
    }
    MESSAGE(exposed << " bodies exposed, " << refused << " refused, in " << total << " s (libgphoto2 " << gphoto
                    << ", LibRaw " << config::libRawVersion() << ")");
    CHECK(exposed >= 20);
    CHECK(total < 180);
}
