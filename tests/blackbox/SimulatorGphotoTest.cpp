// SPDX-License-Identifier: GPL-3.0-or-later
// The virtual body driven by the stock gphoto2 command line, as ../shared/reference/gphoto-sony.md §6.6
// runs it: the same libgphoto2 code path the daemon's backend takes.
#include "DaemonProcess.hpp"

#include <doctest/doctest.h>

#include <fstream>
#include <regex>

using namespace sonyalpaca::test;
using namespace std::chrono_literals;

namespace {
/// A simulate-body process on an ephemeral loopback port, and gphoto2 runs against it.
struct SimulatedBody {
    TempDir home;  // gphoto2 writes ~/.gphoto/settings
    DaemonProcess process;
    std::string port;

    explicit SimulatedBody(std::vector<std::string> extra = {})
        : process([&] {
              std::vector<std::string> args{"simulate-body", "--port", "0", "--sensor-scale", "8", "--readout", "0.2",
                                            "--move-time-scale", "0.1"};
              args.insert(args.end(), extra.begin(), extra.end());
              return args;
          }()) {
        const auto found = process.waitForLog(R"(serving PTP/IP on 127\.0\.0\.1:(\d+))");
        REQUIRE_MESSAGE(found, process.log());
        port = *found;
    }

    RunResult gphoto2(std::vector<std::string> args, std::chrono::milliseconds timeout = 30s) {
        std::vector<std::string> all{"--camera", "PTP/IP Camera", "--port", "ptpip:127.0.0.1:" + port + ":" + port};
        all.insert(all.end(), args.begin(), args.end());
        auto result = runProgram("gphoto2", all, {{"HOME", home.path().string()}}, timeout);
        INFO("gphoto2 output:\n" << result.output << "\nsimulator log:\n" << process.log());
        CHECK(result.exit_code == 0);
        return result;
    }

    std::string config(const std::string& name) {
        const auto result = gphoto2({"--get-config", name});
        std::smatch match;
        const std::regex current(R"(Current: ([^\n]*))");
        return std::regex_search(result.output, match, current) ? match[1].str() : std::string();
    }
};
}  // namespace

TEST_CASE("simulator: gphoto2 --summary sees a Sony ILCE-7M3 with its properties") {
    SimulatedBody body;
    const auto summary = body.gphoto2({"--summary"});
    CHECK(summary.output.find("Manufacturer: Sony Corporation") != std::string::npos);
    CHECK(summary.output.find("Model: ILCE-7M3") != std::string::npos);
    CHECK(summary.output.find("Vendor Extension ID: 0x11") != std::string::npos);
    CHECK(summary.output.find("Near Far(0xd2d1)") != std::string::npos);
    const auto list = body.gphoto2({"--list-config"});
    for (const char* widget : {"/main/actions/manualfocus", "/main/actions/bulb", "/main/imgsettings/iso",
                               "/main/capturesettings/shutterspeed", "/main/capturesettings/imagequality",
                               "/main/capturesettings/focusmode", "/main/settings/capturetarget"})
        CHECK(list.output.find(widget) != std::string::npos);
}

TEST_CASE("simulator: settings reach their exact values through Sony's dial stepping") {
    SimulatedBody body;
    body.gphoto2({"--set-config", "iso=3200"});
    CHECK(body.config("iso") == "3200");
    body.gphoto2({"--set-config", "iso=100"});
    CHECK(body.config("iso") == "100");
    body.gphoto2({"--set-config", "shutterspeed=1/8"});
    CHECK(body.config("shutterspeed") == "1/8");
    body.gphoto2({"--set-config", "shutterspeed=25"});
    CHECK(body.config("shutterspeed") == "25");
    body.gphoto2({"--set-config", "imagequality=RAW+JPEG (Fine)"});
    CHECK(body.config("imagequality") == "RAW+JPEG (Fine)");
    body.gphoto2({"--set-config", "focusmode=Automatic"});
    CHECK(body.config("focusmode") == "Automatic");
    body.gphoto2({"--set-config", "d222=17"});
    CHECK(body.config("d222") == "17");
}

TEST_CASE("simulator: manualfocus steps move the lens; -N is near") {
    SimulatedBody body({"--lens", "SEL20F18G", "--jitter", "0", "--backlash", "0", "--lens-position", "500"});
    CHECK(body.config("manualfocus") == "0");
    body.gphoto2({"--set-config", "manualfocus=-3"});
    body.gphoto2({"--set-config", "manualfocus=7"});
    CHECK(body.process.log().find("host connected") != std::string::npos);
}

TEST_CASE("simulator: the focus drive can be absent, as on the ILCE-7M4 with libgphoto2 2.5.30") {
    SimulatedBody body({"--no-focus-drive", "--body", "ILCE-7M4"});
    const auto list = body.gphoto2({"--list-config"});
    CHECK(list.output.find("/main/actions/manualfocus") == std::string::npos);
    CHECK(body.gphoto2({"--summary"}).output.find("Model: ILCE-7M4") != std::string::npos);
}

TEST_CASE("simulator: capture, preview, trigger and bulb deliver files") {
    SimulatedBody body({"--shutter", "1/100"});
    TempDir out;
    const auto dir = out.path().string();
    body.gphoto2({"--capture-image-and-download", "--filename", dir + "/cap.%C"});
    CHECK(std::filesystem::file_size(dir + "/cap.arw") > 1000);
    body.gphoto2({"--set-config", "imagequality=RAW+JPEG (Fine)", "--capture-image-and-download", "--filename",
                  dir + "/pair%n.%C"});
    CHECK(std::filesystem::exists(dir + "/pair1.arw"));
    CHECK(std::filesystem::exists(dir + "/pair2.jpg"));
    body.gphoto2({"--capture-preview", "--filename", dir + "/pv.jpg"});
    std::ifstream preview(dir + "/thumb_pv.jpg", std::ios::binary);
    CHECK(preview.get() == 0xFF);
    CHECK(preview.get() == 0xD8);
    const auto trigger =
        body.gphoto2({"--trigger-capture", "--wait-event-and-download=3s", "--filename", dir + "/trig.%C"});
    CHECK(std::filesystem::exists(dir + "/trig.arw"));
}

TEST_CASE("simulator: a bulb exposure runs from bulb=1 to bulb=0") {
    SimulatedBody body({"--shutter", "bulb"});
    TempDir out;
    const auto dir = out.path().string();
    body.gphoto2({"--set-config", "bulb=1", "--wait-event=2s", "--set-config", "bulb=0",
                  "--wait-event-and-download=3s", "--filename", dir + "/bulb.%C"});
    CHECK(std::filesystem::exists(dir + "/bulb.arw"));
}

TEST_CASE("simulator: a second host is refused while one is connected, and reconnects work") {
    SimulatedBody body;
    for (int i = 0; i < 3; ++i) CHECK(body.gphoto2({"--summary"}).exit_code == 0);
}
