// SPDX-License-Identifier: GPL-3.0-or-later
// The virtual body driven by the stock gphoto2 command line, as ../shared/reference/gphoto-sony.md §6.6
// runs it: the same libgphoto2 code path the daemon's backend takes.
#include "DaemonProcess.hpp"
#include "RawHttp.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <doctest/doctest.h>

#include <chrono>
#include <fstream>
#include <memory>
#include <regex>
#include <thread>

using namespace sonyalpaca::test;
using namespace std::chrono_literals;

namespace {
/// A simulate-body process on an ephemeral loopback port, and gphoto2 runs against it.
struct SimulatedBody {
    TempDir home;  // gphoto2 writes ~/.gphoto/settings
    DaemonProcess process;
    std::string port;
    std::uint16_t control_port = 0;

    explicit SimulatedBody(std::vector<std::string> extra = {})
        : process([&] {
              std::vector<std::string> args{"simulate-body",
                                            "--port",
                                            "0",
                                            "--sensor-scale",
                                            "8",
                                            "--readout",
                                            "0.2",
                                            "--move-time-scale",
                                            "0.1",
                                            "--control-port",
                                            "0"};
              args.insert(args.end(), extra.begin(), extra.end());
              return args;
          }()) {
        const auto found = process.waitForLog(R"(serving PTP/IP on 127\.0\.0\.1:(\d+))");
        REQUIRE_MESSAGE(found, process.log());
        port = *found;
        const auto control = process.waitForLog(R"(simulator control on http://127\.0\.0\.1:(\d+))");
        REQUIRE(control);
        control_port = static_cast<std::uint16_t>(std::stoi(*control));
    }

    /// Runs gphoto2 against the body; checks it succeeds unless `expect_failure`.
    RunResult gphoto2(std::vector<std::string> args, bool expect_failure = false,
                      std::chrono::milliseconds timeout = 30s) {
        std::vector<std::string> all{"--camera", "PTP/IP Camera", "--port", "ptpip:127.0.0.1:" + port + ":" + port};
        all.insert(all.end(), args.begin(), args.end());
        auto result = runProgram("gphoto2", all, {{"HOME", home.path().string()}}, timeout);
        INFO("gphoto2 output:\n" << result.output << "\nsimulator log:\n" << process.log());
        CHECK((result.exit_code == 0) != expect_failure);
        return result;
    }

    /// Sets faults through the control interface (form fields of PUT /fault).
    void fault(const std::string& form) { CHECK(httpForm(control_port, "PUT", "/fault", form).status == 200); }

    nlohmann::json status() { return httpGet(control_port, "/status").json(); }

    std::string config(const std::string& name) {
        const auto result = gphoto2({"--get-config", name});
        std::smatch match;
        const std::regex current(R"(Current: ([^\n]*))");
        return std::regex_search(result.output, match, current) ? match[1].str() : std::string();
    }
};

/// A host that opens a PTP/IP command channel to the body on 127.0.0.1:`port` (InitCommandRequest)
/// and holds it until it goes. `answer`: the type of the body's reply (2 InitCommandAck, 5 InitFail,
/// 0 none within 10 s).
struct PtpIpHost {
    int fd = -1;
    std::uint32_t answer = 0;

    explicit PtpIpHost(const std::string& port) {
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_port = htons(static_cast<std::uint16_t>(std::stoi(port)));
        ::inet_pton(AF_INET, "127.0.0.1", &address.sin_addr);
        fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        REQUIRE(::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0);
        const timeval limit{10, 0};
        ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
        // Length, type 1, a GUID, an empty UTF-16 name, protocol version 1.0 (little-endian).
        std::uint8_t request[8 + 16 + 2 + 4] = {sizeof request, 0, 0, 0, 1};
        request[sizeof request - 2] = 1;
        REQUIRE(::send(fd, request, sizeof request, MSG_NOSIGNAL) == static_cast<ssize_t>(sizeof request));
        std::uint8_t reply[8];
        if (::recv(fd, reply, sizeof reply, MSG_WAITALL) == static_cast<ssize_t>(sizeof reply))
            for (int i = 7; i >= 4; --i) answer = answer << 8 | std::uint32_t{reply[i]};
    }
    ~PtpIpHost() { ::close(fd); }
    PtpIpHost(const PtpIpHost&) = delete;
    PtpIpHost& operator=(const PtpIpHost&) = delete;
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

TEST_CASE("simulator: manualfocus steps move the lens, -N is near") {
    SimulatedBody body(
        {"--lens", "SELP1650", "--jitter", "0", "--backlash", "0", "--profile-error", "0", "--lens-position", "100"});
    CHECK(body.config("manualfocus") == "0");
    body.gphoto2({"--set-config", "manualfocus=-3"});
    CHECK(body.status()["lens_position"].get<double>() == doctest::Approx(100 - 264.0 / 40.5));
    body.gphoto2({"--set-config", "manualfocus=7"});
    CHECK(body.status()["lens_position"].get<double>() == doctest::Approx(264.0));  // the infinity end stop
    CHECK(body.status()["focus_steps"] == nlohmann::json::array({0, 0, 1, 0, 0, 0, 1}));
}

TEST_CASE("simulator: best focus drifts with temperature") {
    SimulatedBody body({"--lens", "SELP1650"});
    const double at_20 = body.status()["best_focus"].get<double>();
    CHECK(httpForm(body.control_port, "PUT", "/temperature", "celsius=-5").status == 200);
    CHECK(body.status()["best_focus"].get<double>() != doctest::Approx(at_20));
    CHECK(httpForm(body.control_port, "PUT", "/temperature", "celsius=cold").status == 400);
}

TEST_CASE("simulator: every fault is observable through libgphoto2") {
    SimulatedBody body({"--shutter", "1/100"});
    TempDir out;
    const auto file = out.path().string() + "/f.%C";

    // DeviceBusy on the shutter: the capture fails, the next one works.
    body.fault("busy_captures=1");
    body.gphoto2({"--capture-image-and-download", "--filename", file}, true);
    body.gphoto2({"--capture-image-and-download", "--filename", file, "--force-overwrite"});

    // A silent event channel: libgphoto2 polls 0xD215 and still gets the file.
    body.fault("events=0");
    body.gphoto2({"--capture-image-and-download", "--filename", file, "--force-overwrite"});
    body.fault("events=1");

    // An image that never becomes ready: nothing arrives within the wait.
    body.fault("never_ready=1");
    const auto never = body.gphoto2(
        {"--trigger-capture", "--wait-event-and-download=2s", "--filename", out.path().string() + "/never.%C"});
    CHECK_FALSE(std::filesystem::exists(out.path() / "never.arw"));

    // The connection drops after a few operations, or in mid-transfer.
    body.fault("drop_after=3");
    body.gphoto2({"--summary"}, true);
    body.fault("drop_mid_transfer=1");
    body.gphoto2({"--capture-image-and-download", "--filename", file, "--force-overwrite"}, true);

    // A reply later than libgphoto2's fixed 2.5 s PTP/IP timeout.
    body.fault("slow_ms=3000&slow_operations=1");
    body.gphoto2({"--summary"}, true);

    // Unplugged: nothing answers; back after the time.
    body.fault("unplug_ms=1500");
    body.gphoto2({"--summary"}, true);
    std::this_thread::sleep_for(1600ms);
    body.gphoto2({"--summary"});
    CHECK(httpForm(body.control_port, "PUT", "/fault", "nothing=1").status == 400);
}

TEST_CASE("simulator: the focus drive can be absent, as on the ILCE-7M4 with libgphoto2 2.5.30") {
    SimulatedBody body({"--no-focus-drive", "--body", "ILCE-7M4", "--protocol", "2"});
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
    body.gphoto2({"--set-config", "bulb=1", "--wait-event=2s", "--set-config", "bulb=0", "--wait-event-and-download=3s",
                  "--filename", dir + "/bulb.%C"});
    CHECK(std::filesystem::exists(dir + "/bulb.arw"));
}

TEST_CASE("simulator: a second host is refused while one is connected, and reconnects work") {
    SimulatedBody body;
    auto host = std::make_unique<PtpIpHost>(body.port);
    CHECK(host->answer == 2);                 // InitCommandAck: this host holds the body
    CHECK(PtpIpHost(body.port).answer == 5);  // InitFail
    body.gphoto2({"--summary"}, true);        // libgphoto2 as the second host
    CHECK(body.process.waitForLog(R"(refused a second host[\s\S]*refused a second host)"));
    host.reset();
    // Free again: hosts come one after another.
    for (int i = 0; i < 2; ++i) body.gphoto2({"--summary"});
}

TEST_CASE("simulator: a host that reconnects at once is let in when its old connection winds down") {
    // Disconnect then Connect in a row: the new connection can arrive before the body has seen the
    // old one close. It waits for the hand-over rather than failing (bench_soak's 100 cycles met it).
    SimulatedBody body;
    auto first = std::make_unique<PtpIpHost>(body.port);
    REQUIRE(first->answer == 2);
    std::jthread closer([&first] {
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        first.reset();
    });
    CHECK(PtpIpHost(body.port).answer == 2);  // InitCommandAck once the first has gone
}
