// SPDX-License-Identifier: GPL-3.0-or-later
// The libgphoto2 backend against the virtual body over PTP/IP on loopback: the same libgphoto2 code
// path as a body on USB.
#include "config/DataFiles.hpp"
#include "ptp/gphoto/DeviceHolders.hpp"
#include "ptp/gphoto/GPhotoBody.hpp"
#include "ptp/sim/SimulatorHost.hpp"

#include "LibRawDecode.hpp"
#include "StarMeasure.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace sonyalpaca;
using namespace std::chrono_literals;
using ptp::gphoto::GPhotoBody;

namespace {
/// libgphoto2 writes ~/.gphoto/settings: give the tests a HOME of their own.
struct PrivateHome {
    PrivateHome() {
        const auto home = std::filesystem::temp_directory_path() / ("gphoto-test-home-" + std::to_string(::getpid()));
        std::filesystem::create_directories(home);
        ::setenv("HOME", home.c_str(), 1);
    }
};
const PrivateHome kHome;

ptp::sim::SimulatorOptions fastSimulator() {
    ptp::sim::SimulatorOptions options;
    options.sensor_scale = 8;
    options.lens = "SELP1650";
    options.lens_options.jitter = 0;
    options.lens_options.backlash = 0;
    options.lens_options.profile_error = 0;
    options.lens_options.start_position = 100;
    options.body_options.readout_s = 0.1;
    return options;
}

/// A virtual body and the backend opened on it.
struct Rig {
    ptp::sim::SimulatorHost simulator;
    GPhotoBody body;
    explicit Rig(const ptp::sim::SimulatorOptions& options = fastSimulator())
        : simulator(options),
          body({config::CameraSource::Kind::PtpIp, "127.0.0.1", simulator.port()},
               config::BodyDatabase::load(config::findDataFile("sony-bodies.json"))) {
        body.open();
    }
};

bool isArw(const std::vector<std::uint8_t>& file) {
    return file.size() > 8 && file[0] == 'I' && file[1] == 'I' && file[2] == 42 && file[3] == 0;
}
}  // namespace

TEST_CASE("gphoto backend: opens the body, reads its identity, prepares it for tethering") {
    Rig rig;
    CHECK(rig.body.isOpen());
    const auto identity = rig.body.identity();
    CHECK(identity.model == "ILCE-7M3");
    CHECK(identity.serial == "SIM0000000000001");
    CHECK(rig.body.describe().find("ILCE-7M3") != std::string::npos);
    CHECK(rig.body.hasFocusDrive());
    CHECK_NOTHROW(rig.body.checkReachable());
    rig.body.close();
    CHECK_FALSE(rig.body.isOpen());
    rig.body.open();  // reconnects
    CHECK(rig.body.isOpen());
}

TEST_CASE("gphoto backend: RAW file types by name, uncompressed is chosen at open") {
    Rig rig;
    CHECK(rig.body.rawTypes() == std::vector<std::string>{"Uncompressed RAW", "Compressed RAW"});
    CHECK(rig.body.rawType() == "Uncompressed RAW");
    const auto uncompressed = rig.body.expose(0.1, {}).file.size();
    rig.body.setRawType("Compressed RAW");
    CHECK(rig.body.rawType() == "Compressed RAW");
    const auto compressed = rig.body.expose(0.1, {}).file.size();
    CHECK(compressed < uncompressed * 6 / 10);  // cRAW: 1 byte per pixel instead of 2
    CHECK_THROWS_AS(rig.body.setRawType("Lossless Compressed RAW"), ptp::BodyError);
    CHECK_THROWS_AS(rig.body.setRawType("JPEG"), ptp::BodyError);
}

TEST_CASE("gphoto backend: the APS-C/Super 35mm setting is read through libgphoto2's sensorcrop widget") {
    auto options = fastSimulator();  // the APS-C kit lens: Auto crops
    CHECK(Rig(options).body.sensorCrop() == std::optional<bool>(true));
    options.body_options.apsc = ptp::sim::ApscSetting::Off;
    CHECK(Rig(options).body.sensorCrop() == std::optional<bool>(false));
    options.body_options.apsc = ptp::sim::ApscSetting::Auto;
    options.lens = "SEL20F18G";
    CHECK(Rig(options).body.sensorCrop() == std::optional<bool>(false));
    options.body = "ILCE-6400";  // an APS-C body has no such setting
    CHECK_FALSE(Rig(options).body.sensorCrop().has_value());
}

TEST_CASE("gphoto backend: ISO reaches exact values by Sony's dial stepping") {
    Rig rig;
    const auto choices = rig.body.isoChoices();
    REQUIRE(choices.size() > 10);
    for (const char* iso : {"100", "3200", "50", "102400", "800"}) {
        CAPTURE(iso);
        rig.body.setIso(iso);
        CHECK(rig.body.iso() == iso);
    }
    CHECK_THROWS_AS(rig.body.setIso("123"), ptp::BodyError);
}

TEST_CASE("gphoto backend: a listed exposure downloads the ARW, the nearest listed speed is used") {
    Rig rig;
    const auto speeds = rig.body.shutterSpeeds();
    REQUIRE_FALSE(speeds.empty());
    CHECK(speeds.front() == doctest::Approx(30.0));
    const auto before = std::chrono::system_clock::now();
    const auto exposure = rig.body.expose(0.5, {});
    CHECK(isArw(exposure.file));
    CHECK(exposure.seconds == doctest::Approx(0.5));
    CHECK(exposure.start >= before - 1s);
    const auto odd = rig.body.expose(0.42, {});  // not listed: 0.4 is nearer than 0.5 in ratio
    CHECK(odd.seconds == doctest::Approx(0.4));
    // From 1 s on the backend triggers and waits for the file itself (noise reduction can double it).
    const auto start = std::chrono::steady_clock::now();
    const auto long_one = rig.body.expose(1.6, {});
    CHECK(isArw(long_one.file));
    CHECK(long_one.seconds == doctest::Approx(1.6));
    CHECK(std::chrono::steady_clock::now() - start >= 1600ms);
    CHECK(rig.simulator.body().exposureCount() == 3);
}

TEST_CASE("gphoto backend: focus steps land as commanded, negative is near") {
    Rig rig;
    auto& sim = rig.simulator.body();
    const double start = sim.lensPosition();
    rig.body.focusStep(3, -1);
    CHECK(sim.lensPosition() == doctest::Approx(start - 264.0 / 40.5));
    // The next step comes while the lens still moves: the body says busy, the backend retries.
    rig.body.focusStep(7, +1);
    rig.body.focusStep(1, -1);
    CHECK(sim.lensPosition() == doctest::Approx(264.0 - 1.0));
    CHECK(sim.focusStepCounts()[6] == 1);
    CHECK_THROWS_AS(rig.body.focusStep(8, 1), ptp::BodyError);
}

TEST_CASE("gphoto backend: focus steps with the body in autofocus are refused with what to do") {
    Rig rig;
    // Focus mode turned to AF-S on the body (0x500A = 2); libgphoto2 sees it once its 2 s cache expires.
    rig.simulator.body().handle(0x9205, std::array<std::uint32_t, 1>{0x500A}, std::array<std::uint8_t, 2>{2, 0});
    std::this_thread::sleep_for(2100ms);
    const double before = rig.simulator.body().lensPosition();
    try {
        rig.body.focusStep(3, +1);
        FAIL("expected an error");
    } catch (const ptp::BodyError& e) {
        INFO(std::string(e.what()));
        CHECK(std::string(e.what()).find("set the body to MF") != std::string::npos);
    }
    CHECK(rig.simulator.body().lensPosition() == before);
}

TEST_CASE("gphoto backend: a body without a focus drive still works as a camera") {
    auto options = fastSimulator();
    options.body_options.focus_drive = false;
    Rig rig(options);
    CHECK_FALSE(rig.body.hasFocusDrive());
    CHECK_THROWS_AS(rig.body.focusStep(1, 1), ptp::BodyError);
    CHECK(isArw(rig.body.expose(0.1, {}).file));
}

TEST_CASE("gphoto backend: live view gives a JPEG") {
    Rig rig;
    const auto jpeg = rig.body.liveView();
    REQUIRE(jpeg.size() > 100);
    CHECK(jpeg[0] == 0xFF);
    CHECK(jpeg[1] == 0xD8);
}

TEST_CASE("gphoto backend: a bulb exposure is timed by the host and can be stopped early") {
    auto options = fastSimulator();
    options.body_options.shutter = 0;  // the dial on BULB
    Rig rig(options);
    std::stop_source stop;
    ptp::BodyState during = ptp::BodyState::Idle;
    std::thread stopper([&] {
        std::this_thread::sleep_for(1000ms);
        during = rig.body.state();
        std::this_thread::sleep_for(500ms);
        stop.request_stop();
    });
    CHECK(rig.body.state() == ptp::BodyState::Idle);
    const auto exposure = rig.body.expose(600, stop.get_token());
    stopper.join();
    CHECK(isArw(exposure.file));
    CHECK(exposure.seconds == doctest::Approx(1.5).epsilon(0.2));
    CHECK(during == ptp::BodyState::Exposing);
    CHECK(rig.body.state() == ptp::BodyState::Idle);
    rig.body.close();
    CHECK(rig.body.state() == ptp::BodyState::Disconnected);
}

TEST_CASE("gphoto backend: a 35 s bulb exposure, timed by the host") {
    auto options = fastSimulator();
    options.body_options.shutter = 0;  // the dial on BULB
    Rig rig(options);
    const auto started = std::chrono::steady_clock::now();
    const auto exposure = rig.body.expose(35, {});
    CHECK(isArw(exposure.file));
    CHECK(exposure.seconds == doctest::Approx(35).epsilon(0.01));
    CHECK(std::chrono::steady_clock::now() - started < 40s);
}

TEST_CASE("gphoto backend: over 30 s without BULB on the dial is a clear error") {
    Rig rig;
    try {
        rig.body.expose(45, {});
        FAIL("expected an error");
    } catch (const ptp::BodyError& e) {
        CHECK(std::string(e.what()).find("BULB") != std::string::npos);
    }
}

TEST_CASE("gphoto backend: a lost body is BodyUnavailable, then reconnects by itself when it is back") {
    Rig rig;
    rig.simulator.server().unplug(1500ms);
    const auto unplugged = std::chrono::steady_clock::now();
    // (Reading a setting may come from libgphoto2's 2 s property cache; an exposure must talk.)
    CHECK_THROWS_AS(rig.body.expose(0.1, {}), ptp::BodyUnavailable);
    CHECK_FALSE(rig.body.isOpen());
    CHECK_THROWS_AS(rig.body.iso(), ptp::BodyUnavailable);
    const auto deadline = unplugged + 10s;
    while (!rig.body.isOpen() && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(50ms);
    REQUIRE(rig.body.isOpen());
    const double back_after = std::chrono::duration<double>(std::chrono::steady_clock::now() - unplugged).count() - 1.5;
    MESSAGE("reconnected " << back_after << " s after the body came back");
    CHECK(back_after <= 5.0);
    CHECK(rig.body.iso() == "800");
    CHECK(rig.body.expose(0.1, {}).file.size() > 1000);
}

TEST_CASE("gphoto backend: a download cut by a dropped connection is collected after reconnecting") {
    Rig rig;
    rig.simulator.body().faults().drop_mid_transfer = true;
    const auto exposure = rig.body.expose(0.1, {});
    CHECK(isArw(exposure.file));
    CHECK(exposure.seconds == doctest::Approx(0.1));
    CHECK(rig.body.isOpen());
    CHECK(rig.simulator.body().exposureCount() == 1);  // the same frame, not a second exposure
}

TEST_CASE("gphoto backend: after close() a lost body is not reopened") {
    Rig rig;
    rig.simulator.server().unplug(300ms);
    CHECK_THROWS_AS(rig.body.expose(0.1, {}), ptp::BodyUnavailable);
    rig.body.close();
    std::this_thread::sleep_for(1500ms);
    CHECK_FALSE(rig.body.isOpen());
    rig.body.open();
    CHECK(rig.body.isOpen());
}

TEST_CASE("gphoto backend: a busy shutter is retried with back-off, then reported") {
    Rig rig;
    rig.simulator.body().faults().busy_captures = 2;
    CHECK(rig.body.expose(0.1, {}).file.size() > 1000);
    rig.simulator.body().faults().busy_captures = 50;
    try {
        rig.body.expose(0.1, {});
        FAIL("expected an error");
    } catch (const ptp::BodyBusy& e) {
        CHECK(std::string(e.what()).find("stayed busy") != std::string::npos);
    }
    CHECK(rig.body.isOpen());
}

TEST_CASE("gphoto backend: the mode dial away from M is a clear error") {
    Rig rig;
    // The dial turned to A on the body (0x500E = 3); libgphoto2 sees it once its 2 s cache expires.
    rig.simulator.body().handle(0x9205, std::array<std::uint32_t, 1>{0x500E}, std::array<std::uint8_t, 2>{3, 0});
    std::this_thread::sleep_for(2100ms);
    try {
        rig.body.expose(0.5, {});
        FAIL("expected an error");
    } catch (const ptp::BodyError& e) {
        CHECK(std::string(e.what()).find("mode dial") != std::string::npos);
    }
}

TEST_CASE("gphoto backend: nothing reachable is refused at once") {
    GPhotoBody body({config::CameraSource::Kind::PtpIp, "127.0.0.1", 1},
                    config::BodyDatabase::load(config::findDataFile("sony-bodies.json")));
    CHECK_THROWS_AS(body.checkReachable(), ptp::BodyUnavailable);
    CHECK_THROWS_AS(body.open(), ptp::BodyUnavailable);
    CHECK_THROWS_AS(body.iso(), ptp::BodyUnavailable);
}

TEST_CASE("gphoto backend: autofocus through the real path finds a V-curve") {
    // Frames taken through libgphoto2 at lens positions across best focus, decoded by LibRaw,
    // measured like autofocus software measures them: the star size is smallest near best focus.
    auto options = fastSimulator();
    options.sensor_scale = 4;
    options.body_options.iso = 1600;
    options.lens_options.start_position = 198;  // best focus is at 249.4 (10 °C): 3 steps of size 4 below
    Rig rig(options);
    auto& sim = rig.simulator.body();
    const double best = sim.bestFocus();
    std::vector<double> distance, hfr;
    for (int frame = 0; frame < 5; ++frame) {
        if (frame > 0) rig.body.focusStep(4, +1);
        distance.push_back(sim.lensPosition() - best);
        const auto exposure = rig.body.expose(1.0, {});
        const auto decoded = test::decodeWithLibRaw(exposure.file);
        REQUIRE(decoded.unpack_status == 0);
        ptp::sim::RawImage raw;
        raw.layout = {decoded.raw_width,
                      decoded.raw_height,
                      static_cast<unsigned>(decoded.inset_left),
                      static_cast<unsigned>(decoded.inset_top),
                      static_cast<unsigned>(decoded.inset_width),
                      static_cast<unsigned>(decoded.inset_height)};
        raw.pixels = decoded.raw;
        raw.white_level = decoded.maximum;
        const auto measured = test::measureHfr(raw);
        CAPTURE(distance.back());
        CAPTURE(measured.stars);
        CHECK(measured.stars >= 5);
        hfr.push_back(measured.median_hfr_px);
    }
    const auto sharpest = static_cast<std::size_t>(std::min_element(hfr.begin(), hfr.end()) - hfr.begin());
    const auto nearest =
        static_cast<std::size_t>(std::min_element(distance.begin(), distance.end(),
                                                  [](double a, double b) { return std::abs(a) < std::abs(b); }) -
                                 distance.begin());
    INFO("distances and HFRs: " << distance[0] << "/" << hfr[0] << " " << distance[1] << "/" << hfr[1] << " "
                                << distance[2] << "/" << hfr[2] << " " << distance[3] << "/" << hfr[3] << " "
                                << distance[4] << "/" << hfr[4]);
    CHECK(sharpest == nearest);
    for (std::size_t i = 0; i < sharpest; ++i) CHECK(hfr[i] > hfr[i + 1]);               // the left arm falls
    for (std::size_t i = sharpest; i + 1 < hfr.size(); ++i) CHECK(hfr[i + 1] > hfr[i]);  // the right arm rises
}

TEST_CASE("gphoto backend: the program holding a device is named") {
    // A child process holds a file open, as gvfs holds the camera's USB device node.
    const auto file = std::filesystem::temp_directory_path() / ("held-" + std::to_string(::getpid()));
    std::ofstream(file) << "x";
    const pid_t child = ::fork();
    if (child == 0) {
        const int fd = ::open(file.c_str(), O_RDONLY);
        (void)fd;
        ::sleep(5);
        ::_exit(0);
    }
    std::vector<ptp::gphoto::Holder> holders;
    for (int i = 0; i < 100 && holders.empty(); ++i) {
        std::this_thread::sleep_for(20ms);
        holders = ptp::gphoto::processesHolding(file);
    }
    ::kill(child, SIGKILL);
    ::waitpid(child, nullptr, 0);
    std::filesystem::remove(file);
    REQUIRE(holders.size() == 1);
    CHECK(holders[0].pid == child);
    CHECK_FALSE(holders[0].name.empty());
    CHECK(ptp::gphoto::processesHolding("/nonexistent/device").empty());
}

TEST_CASE("gphoto backend: a silent event channel still delivers the exposure (libgphoto2 polls)") {
    Rig rig;
    rig.simulator.body().faults().events = false;
    CHECK(isArw(rig.body.expose(0.1, {}).file));
    CHECK(isArw(rig.body.expose(1.0, {}).file));  // the triggered path waits by polling too
}

TEST_CASE("gphoto backend: a reply slower than libgphoto2's 2.5 s fails that call, the body works again after") {
    Rig rig;
    rig.simulator.body().faults().slow_reply_ms = 3000;
    rig.simulator.body().faults().slow_operations = 1;
    CHECK_THROWS_AS(rig.body.setIso("100"), ptp::BodyError);
    // Whether libgphoto2 resynchronises or the session is reopened, the body answers again soon.
    bool done = false;
    const auto deadline = std::chrono::steady_clock::now() + 15s;
    while (!done && std::chrono::steady_clock::now() < deadline) {
        try {
            rig.body.setIso("100");
            done = rig.body.iso() == "100";
        } catch (const std::exception& e) {
            MESSAGE("not yet: " << e.what());
            std::this_thread::sleep_for(500ms);
        }
    }
    CHECK(done);
}

TEST_CASE("gphoto backend: a full buffer or card is named in the error") {
    Rig rig;
    rig.simulator.body().faults().store_full_captures = 1;
    try {
        rig.body.expose(0.1, {});
        FAIL("expected an error");
    } catch (const ptp::BodyError& e) {
        INFO(std::string(e.what()));
        CHECK(std::string(e.what()).find("buffer or memory card is full") != std::string::npos);
    }
    CHECK(isArw(rig.body.expose(0.1, {}).file));
}

TEST_CASE("gphoto backend: focus steps while the body is gone fail clearly, and work once it is back") {
    Rig rig;
    rig.simulator.server().unplug(1000ms);
    CHECK_THROWS_AS(rig.body.focusStep(2, +1), ptp::BodyUnavailable);
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (!rig.body.isOpen() && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(50ms);
    REQUIRE(rig.body.isOpen());
    const double before = rig.simulator.body().lensPosition();
    rig.body.focusStep(2, +1);
    CHECK(rig.simulator.body().lensPosition() == doctest::Approx(before + 264.0 / 101.0));
}

TEST_CASE("gphoto backend: an image that never becomes ready is a clear error after the wait") {
    Rig rig;
    rig.simulator.body().faults().never_ready_captures = 1;
    const auto started = std::chrono::steady_clock::now();
    CHECK_THROWS_AS(rig.body.expose(0.1, {}), ptp::BodyError);  // libgphoto2 waits up to 35 s
    MESSAGE("gave up after " << std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count()
                             << " s");
    CHECK(rig.body.isOpen());
    CHECK(isArw(rig.body.expose(0.1, {}).file));
}

namespace {
/// Waits up to `timeout` for the body's health to satisfy `wanted`.
template <typename Wanted>
bool waitForHealth(GPhotoBody& body, Wanted wanted, std::chrono::milliseconds timeout = 10s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        if (const auto health = body.health(); health && wanted(*health)) return true;
        std::this_thread::sleep_for(20ms);
    }
    return false;
}
}  // namespace

TEST_CASE("gphoto backend: battery, card and overheating are read at open and refreshed while the body is idle") {
    using Health = ptp::sim::SimulatedHealth;
    ptp::sim::SimulatorHost simulator(fastSimulator());
    GPhotoBody body({config::CameraSource::Kind::PtpIp, "127.0.0.1", simulator.port()},
                    config::BodyDatabase::load(config::findDataFile("sony-bodies.json")), 300ms);
    CHECK_FALSE(body.health());  // not open: nothing known
    body.open();
    auto health = body.health();
    REQUIRE(health);
    CHECK(health->battery_percent == 100);
    CHECK(health->source == ptp::PowerSource::Battery);
    CHECK(health->battery_bars == "4/4");
    CHECK(health->card == ptp::CardState::In);
    CHECK(health->remaining_shots == 999);
    CHECK(health->overheat == ptp::Overheat::None);
    CHECK_FALSE(health->lowBattery());

    // The body changes; the refresh thread sees it (the 2 s cache and the 300 ms interval).
    simulator.body().setHealth({10, Health::Source::Battery, Health::Card::None, 0, 2});
    CHECK(waitForHealth(body, [](const ptp::BodyHealth& h) {
        return h.battery_percent == 10 && h.card == ptp::CardState::None && h.overheat == ptp::Overheat::Overheating;
    }));
    health = body.health();
    REQUIRE(health);
    CHECK(health->lowBattery());
    CHECK(health->battery_bars == "1/4");
    CHECK_FALSE(health->remaining_shots);

    simulator.body().setHealth({10, Health::Source::Usb, Health::Card::Error, 50, 1});
    CHECK(waitForHealth(body, [](const ptp::BodyHealth& h) {
        return h.source == ptp::PowerSource::UsbPower && h.card == ptp::CardState::Error &&
               h.overheat == ptp::Overheat::PreOverheating;
    }));
    CHECK_FALSE(body.health()->lowBattery());  // on USB power
    simulator.body().setHealth({80, Health::Source::Dummy, Health::Card::In, 321, 0});
    CHECK(waitForHealth(body, [](const ptp::BodyHealth& h) {
        return h.source == ptp::PowerSource::DummyBattery && !h.battery_percent && h.remaining_shots == 321;
    }));

    // Exposures go on while the refresh runs as often as it may.
    for (int i = 0; i < 3; ++i) CHECK(isArw(body.expose(0.1, {}).file));
    body.close();
    CHECK_FALSE(body.health());
}

TEST_CASE("gphoto backend: a health refresh is a few cached reads, or one round trip once libgphoto2's cache is old") {
    ptp::sim::SimulatorHost simulator(fastSimulator());
    GPhotoBody body({config::CameraSource::Kind::PtpIp, "127.0.0.1", simulator.port()},
                    config::BodyDatabase::load(config::findDataFile("sony-bodies.json")), std::chrono::hours(1));
    body.open();
    const auto timed = [&] {
        const auto operations = simulator.server().operations();
        const auto start = std::chrono::steady_clock::now();
        body.refreshHealth();
        const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
        return std::pair(ms, simulator.server().operations() - operations);
    };
    std::vector<double> times;
    for (int i = 0; i < 20; ++i) {
        const auto [ms, operations] = timed();
        times.push_back(ms);
        CHECK(operations == 0);  // within the cache: nothing sent
    }
    std::sort(times.begin(), times.end());
    const double cached = times[times.size() / 2];
    std::this_thread::sleep_for(3100ms);  // libgphoto2's cache counts whole seconds
    const auto [fresh, operations] = timed();
    CHECK(operations == 1);  // GetAllDevicePropData
    MESSAGE("one health refresh: " << cached << " ms (median; at most " << times.back() << ") from libgphoto2's cache, "
                                   << fresh << " ms with its cache expired (" << operations
                                   << " PTP operation; against the simulator on loopback)");
    CHECK(cached < 100);
    CHECK(fresh < 1000);
}
