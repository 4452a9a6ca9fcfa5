// SPDX-License-Identifier: GPL-3.0-or-later
// The Alpaca Focuser end to end: the daemon drives the virtual body's lens over PTP/IP through
// libgphoto2, and the tests read the lens's true position from the simulator's control port.
// conformu-checks.md §5 (F1–F15), and issue 6's accuracy, Halt, clamp and persistence checks.
#include "DaemonProcess.hpp"
#include "RawHttp.hpp"
#include "SimulatorProcess.hpp"

#include <doctest/doctest.h>

#include <csignal>
#include <optional>
#include <random>
#include <thread>

using namespace sonyalpaca::test;
using namespace std::chrono_literals;

namespace {
constexpr const char* kLens = "SEL20F18G";  // travel 533 units; size 7 is about 381 units

/// A simulate-body process with a jittery lens with backlash, and a daemon driving it.
struct Rig {
    TempDir state;
    SimulatorProcess simulator;
    std::optional<DaemonProcess> daemon;

    explicit Rig(std::vector<std::string> extra = {})
        : simulator([&] {
              std::vector<std::string> args{"--sensor-scale", "8",     "--lens",     kLens, "--profile-error",   "0",
                                            "--jitter",       "0.002", "--backlash", "2",   "--move-time-scale", "0.2",
                                            "--seed",         "11"};
              args.insert(args.end(), extra.begin(), extra.end());
              return args;
          }()) {
        writeTestLensProfile(state.path());
    }

    void start(std::vector<std::string> extra = {}) {
        std::vector<std::string> args{"--camera", simulator.source(), "--lens", kLens};
        args.insert(args.end(), extra.begin(), extra.end());
        daemon.emplace(DaemonProcess::serve(state.path(), args));
    }

    nlohmann::json get(const std::string& member) { return alpacaGet(daemon->port(), "focuser/0", member); }
    nlohmann::json put(const std::string& member, const std::string& form = "") {
        return alpacaPut(daemon->port(), "focuser/0", member, form);
    }
    long position() { return get("position")["Value"].get<long>(); }
    double truePosition() { return simulator.status()["lens_position"].get<double>(); }

    /// Polls IsMoving as a client does until it is false; false when `limit` passed (F13: 60 s).
    bool waitStill(std::chrono::milliseconds limit = 60s) {
        const auto until = std::chrono::steady_clock::now() + limit;
        while (get("ismoving")["Value"] == true) {
            if (std::chrono::steady_clock::now() > until) return false;
            std::this_thread::sleep_for(20ms);
        }
        return true;
    }

    /// Move as ConformU times it: returns within 1 s, then IsMoving is polled.
    void move(long target) {
        const auto started = std::chrono::steady_clock::now();
        const auto reply = put("move", "Position=" + std::to_string(target));
        CHECK(reply["ErrorNumber"] == 0);
        CHECK(std::chrono::steady_clock::now() - started < 1s);
        REQUIRE(waitStill());
    }

    void connect() {
        const auto reply = put("connected", "Connected=true");
        REQUIRE_MESSAGE(reply["ErrorNumber"] == 0, reply.dump() << "\n" << daemon->log());
    }
};
}  // namespace

TEST_CASE("focuser: the IFocuserV4 checks F1-F15 over HTTP") {
    Rig rig;
    rig.start();
    rig.connect();
    CHECK(rig.get("absolute")["Value"] == true);                    // F1
    CHECK(rig.get("ismoving")["Value"] == false);                   // F2
    const long max_step = rig.get("maxstep")["Value"].get<long>();  // F3
    CHECK(max_step == 533);
    const long max_increment = rig.get("maxincrement")["Value"].get<long>();  // F4
    CHECK(max_increment >= 1);
    CHECK(max_increment <= max_step);
    const long start = rig.position();  // F5
    CHECK(start >= 0);
    CHECK(start <= max_step);
    const auto step_size = rig.get("stepsize");  // F6: not known
    CHECK(step_size["ErrorNumber"] == 0x400);
    CHECK(step_size["ErrorMessage"].get<std::string>().find("microns") != std::string::npos);
    CHECK(rig.get("tempcompavailable")["Value"] == false);       // F7
    CHECK(rig.get("tempcomp")["Value"] == false);                // F8
    const auto tempcomp = rig.put("tempcomp", "TempComp=true");  // F9
    CHECK(tempcomp["ErrorNumber"] == 0x400);
    CHECK(tempcomp["ErrorMessage"].get<std::string>().find("temperature_coefficient") != std::string::npos);
    CHECK(rig.put("tempcomp", "TempComp=false")["ErrorNumber"] == 0x400);
    const auto temperature = rig.get("temperature");  // F10: no image yet
    CHECK(temperature["ErrorNumber"] == 0x400);
    CHECK(rig.put("halt")["ErrorNumber"] == 0);  // F11 while idle

    // F12: Position + MaxStep/10 (the first move homes into the infinity stop first), and back.
    long target = start + max_step / 10;
    if (target > max_step) target = start - max_step / 10;
    rig.move(target);
    CHECK(rig.position() == target);  // exactly the target: N.I.N.A. waits for Position == target
    CHECK(std::abs(rig.truePosition() - static_cast<double>(target)) <= 1.5);
    rig.move(start);
    CHECK(rig.position() == start);
    CHECK(std::abs(rig.truePosition() - static_cast<double>(start)) <= 1.5);

    // F15's clamps, which ConformU skips for a focuser without temperature compensation.
    rig.move(0);
    CHECK(rig.position() == 0);
    rig.move(-10);
    CHECK(rig.position() == 0);
    CHECK(rig.truePosition() <= 1.5);
    rig.move(max_step / 2);
    CHECK(rig.position() == max_step / 2);
    rig.move(max_step);
    CHECK(rig.position() == max_step);
    rig.move(max_step + 10);
    CHECK(rig.position() == max_step);
    CHECK(rig.truePosition() >= static_cast<double>(max_step) - 1.5);
    // Out of Int32 range or not a number: HTTP 400, not a move.
    CHECK(httpForm(rig.daemon->port(), "PUT", "/api/v1/focuser/0/move", "Position=9999999999").status == 400);
    CHECK(httpForm(rig.daemon->port(), "PUT", "/api/v1/focuser/0/move", "Position=near").status == 400);

    // DeviceState: the known values only.
    const auto state = rig.get("devicestate")["Value"];
    REQUIRE(state.is_array());
    CHECK(state.size() == 2);
    CHECK(state[0]["Name"] == "IsMoving");
    CHECK(state[1]["Name"] == "Position");
    CHECK(state[1]["Value"] == max_step);

    // Actions: status, and home with progress.
    CHECK(rig.get("supportedactions")["Value"] == nlohmann::json{"home", "status", "learn"});
    auto status = nlohmann::json::parse(rig.put("action", "Action=status&Parameters=")["Value"].get<std::string>());
    CHECK(status["lens"] == kLens);
    CHECK(status["homed"] == true);
    CHECK(status["uncertainty"].get<double>() < 1.0);
    CHECK(status["generic_lens"] == false);
    rig.move(100);
    const auto home = rig.put("action", "Action=Home&Parameters=");
    CHECK(home["ErrorNumber"] == 0);
    CHECK(rig.get("ismoving")["Value"] == true);
    REQUIRE(rig.waitStill());
    status = nlohmann::json::parse(rig.put("action", "Action=status&Parameters=")["Value"].get<std::string>());
    CHECK(status["position"] == max_step);
    CHECK(status["uncertainty"] == 0.0);
    CHECK(status["steps_done"] == status["steps_total"]);
    CHECK(rig.truePosition() == doctest::Approx(533.0));
    CHECK(rig.put("action", "Action=calibrate&Parameters=")["ErrorNumber"] == 0x40C);
    CHECK(rig.daemon->log().find("homing: ") != std::string::npos);
}

TEST_CASE("focuser: 100 random moves with jitter and backlash keep the lens within 1.5 units of Position") {
    Rig rig;
    rig.start();
    rig.connect();
    std::mt19937 random(2024);
    std::uniform_int_distribution<long> anywhere(0, 533);
    std::uniform_int_distribution<long> nudge(-25, 25);
    double worst = 0;
    long target = rig.position();
    for (int i = 0; i < 100; ++i) {
        // Half large moves anywhere, half small ones around the last (autofocus-like, with reversals).
        target = i % 2 ? std::clamp(target + nudge(random), 0L, 533L) : anywhere(random);
        rig.move(target);
        CAPTURE(i);
        CAPTURE(target);
        CHECK(rig.position() == target);
        const double error = std::abs(rig.truePosition() - static_cast<double>(target));
        worst = std::max(worst, error);
        CHECK(error <= 1.5);
    }
    MESSAGE("worst |true - Position| over 100 moves: " << worst << " units");
    // The re-homings the growing uncertainty asked for are in the log.
    CHECK(rig.daemon->log().find("homed at the infinity end stop") != std::string::npos);
}

TEST_CASE("focuser: Halt stops the lens, and Position stays where the lens is") {
    Rig rig;
    rig.start();
    rig.connect();
    rig.move(520);
    rig.put("move", "Position=5");
    std::this_thread::sleep_for(30ms);
    CHECK(rig.put("halt")["ErrorNumber"] == 0);
    CHECK(rig.get("ismoving")["Value"] == false);
    const double stopped = rig.truePosition();
    std::this_thread::sleep_for(200ms);
    CHECK(rig.truePosition() == doctest::Approx(stopped));  // nothing moves after Halt
    CHECK(std::abs(rig.truePosition() - static_cast<double>(rig.position())) <= 1.5);
    rig.move(300);  // and the focuser carries on from there
    CHECK(std::abs(rig.truePosition() - 300.0) <= 1.5);
}

TEST_CASE("focuser: the position survives a daemon restart without homing again") {
    Rig rig;
    rig.start();
    rig.connect();
    rig.move(321);
    const double there = rig.truePosition();
    rig.daemon->signal(SIGTERM);
    REQUIRE(rig.daemon->wait(5s) == 0);
    rig.daemon.reset();

    const auto steps_before = rig.simulator.status()["focus_steps"];
    rig.start();
    rig.connect();
    CHECK(rig.position() == 321);
    CHECK(rig.daemon->log().find("position 321 restored from the saved state") != std::string::npos);
    rig.move(300);
    CHECK(std::abs(rig.truePosition() - 300.0) <= 1.5);
    // No homing run: only the handful of steps of a 21-unit move.
    const auto steps_after = rig.simulator.status()["focus_steps"];
    long taken = 0;
    for (std::size_t k = 0; k < 7; ++k) taken += steps_after[k].get<long>() - steps_before[k].get<long>();
    CHECK(taken <= 8);
    CHECK(there == doctest::Approx(321).epsilon(0.01));
}

TEST_CASE(
    "focuser: a Move while the body is unplugged waits for it - the lens lands with no client retry, homed again") {
    Rig rig;
    rig.start();
    rig.connect();
    rig.move(400);
    REQUIRE(httpForm(rig.simulator.control_port, "PUT", "/fault", "unplug_ms=3000").status == 200);
    const auto reply = rig.put("move", "Position=150");
    CHECK(reply["ErrorNumber"] == 0);
    // Meanwhile the setup page says the body is reconnecting, and the focuser is still moving.
    bool reconnecting_shown = false;
    bool moving_meanwhile = false;
    for (int i = 0; i < 40 && !reconnecting_shown; ++i) {
        reconnecting_shown = httpGet(rig.daemon->port(), "/setup/status.json").body.find("reconnecting") !=
                             std::string::npos;
        moving_meanwhile = moving_meanwhile || (reconnecting_shown && rig.get("ismoving")["Value"] == true);
        std::this_thread::sleep_for(50ms);
    }
    CHECK(reconnecting_shown);
    CHECK(moving_meanwhile);
    REQUIRE_MESSAGE(rig.waitStill(40s), rig.daemon->log());
    CHECK_MESSAGE(rig.get("position")["Value"] == 150, rig.daemon->log());
    CHECK(std::abs(rig.truePosition() - 150.0) <= 1.5);
    const std::string log = rig.daemon->log();
    CHECK(log.find("the move waits for the body") != std::string::npos);
    CHECK(log.find("the body reconnected; its lens may have moved") != std::string::npos);
    CHECK(rig.get("connected")["Value"] == true);
}

TEST_CASE("focuser: a body without the focus drive keeps the camera and says why the focuser cannot work") {
    Rig rig({"--no-focus-drive"});
    rig.start();
    const auto reply = rig.put("connected", "Connected=true");
    CHECK(reply["ErrorNumber"] != 0);
    CHECK(reply["ErrorMessage"].get<std::string>().find("no focus drive") != std::string::npos);
    CHECK(rig.get("connected")["Value"] == false);
    const auto camera = httpForm(rig.daemon->port(), "PUT", "/api/v1/camera/0/connected", "Connected=true");
    CHECK(camera.json()["ErrorNumber"] == 0);
}
