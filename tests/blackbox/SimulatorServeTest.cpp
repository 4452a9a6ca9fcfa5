// SPDX-License-Identifier: GPL-3.0-or-later
// The daemon with the built-in simulated body: the whole path from Alpaca through libgphoto2 and
// PTP/IP to the virtual body, and `sonyalpaca info`.
#include "DaemonProcess.hpp"
#include "RawHttp.hpp"

#include <doctest/doctest.h>
#include <libraw/libraw.h>

#include <csignal>

using namespace sonyalpaca::test;
using namespace std::chrono_literals;

TEST_CASE("serve --camera simulator: Camera and Focuser connect to the virtual body and share it") {
    TempDir state;
    auto daemon = DaemonProcess::serve(state.path(), {"--camera", "simulator"});
    for (const char* device : {"camera", "focuser"}) {
        CAPTURE(device);
        const std::string base = std::string("/api/v1/") + device + "/0/";
        const auto reply = httpForm(daemon.port(), "PUT", base + "connected", "Connected=true");
        REQUIRE(reply.status == 200);
        CHECK(reply.json()["ErrorNumber"] == 0);
        CHECK(httpGet(daemon.port(), base + "connected").json()["Value"] == true);
    }
    CHECK(httpForm(daemon.port(), "PUT", "/api/v1/camera/0/connected", "Connected=false").json()["ErrorNumber"] == 0);
    CHECK(httpGet(daemon.port(), "/api/v1/focuser/0/connected").json()["Value"] == true);
    CHECK(daemon.log().find("Camera connected (Sony ILCE-7M3") != std::string::npos);
    daemon.signal(SIGTERM);
    CHECK(daemon.wait(3s) == 0);
}

TEST_CASE("info: prints the body's identity, settings and capabilities") {
    TempDir home;
    const auto simulated =
        runProgram(sonyalpacaPath(), {"info", "--camera", "simulator"}, {{"HOME", home.path().string()}}, 20s);
    CHECK(simulated.exit_code == 0);
    CHECK(simulated.output.find("Body:           Sony Corporation ILCE-7M3") != std::string::npos);
    CHECK(simulated.output.find("Shutter speeds: 55 listed, 30 s to 1/8000 s") != std::string::npos);
    CHECK(simulated.output.find("Focus drive:    yes") != std::string::npos);

    // A separate simulate-body process, reached over PTP/IP like a body on the network.
    DaemonProcess body({"simulate-body", "--port", "0", "--sensor-scale", "8", "--body", "ILCE-7M4", "--no-focus-drive",
                        "--protocol", "2"});
    const auto port = body.waitForLog(R"(serving PTP/IP on 127\.0\.0\.1:(\d+))");
    REQUIRE(port);
    const auto remote = runProgram(sonyalpacaPath(), {"info", "--camera", "ptpip:127.0.0.1:" + *port},
                                   {{"HOME", home.path().string()}}, 20s);
    CHECK(remote.exit_code == 0);
    CHECK(remote.output.find("ILCE-7M4") != std::string::npos);
    CHECK(remote.output.find("Focus drive:    no") != std::string::npos);
    CHECK(remote.output.find("RAW file type:  Uncompressed RAW (choices: Uncompressed RAW, Compressed RAW, "
                             "Lossless Compressed RAW)") != std::string::npos);
    // What the camera will do at connect: the a7 IV is refused where LibRaw does not know it (Debian 12).
    const bool knows_a7iv = LibRaw::versionNumber() >= LIBRAW_MAKE_VERSION(0, 21, 0);
    CHECK(remote.output.find(knows_a7iv ? "Raw decoding:   LibRaw "
                                        : "Raw decoding:   refused - Sony ILCE-7M4 (a7 IV)") != std::string::npos);
    CHECK(simulated.output.find("Raw decoding:   LibRaw ") != std::string::npos);  // the a7 III, everywhere

    const auto nothing = runProgram(sonyalpacaPath(), {"info", "--camera", "ptpip:127.0.0.1:1"}, {}, 20s);
    CHECK(nothing.exit_code == 1);
    CHECK(nothing.output.find("no Sony body answers at ptpip:127.0.0.1:1") != std::string::npos);
    CHECK(runProgram(sonyalpacaPath(), {"info", "--bogus"}, {}, 5s).exit_code == 2);
}
