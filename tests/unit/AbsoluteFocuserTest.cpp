// SPDX-License-Identifier: GPL-3.0-or-later
#include "focus/AbsoluteFocuser.hpp"

#include "TestBody.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <random>
#include <thread>

using namespace sonyalpaca;
using namespace std::chrono_literals;

namespace {
struct Rig {
    test::TestStateDir state;
    test::TestBody body;
    config::FocuserSettings settings;
    config::LensEntry lens = test::testLens(body);

    Rig() { body.open(); }

    focus::FocuserSetup setup(std::string body_id = "TEST 1") const {
        return {lens, false, settings, state.path / "focuser.json", std::move(body_id), {}, state.path / "lenses"};
    }
};

/// Waits (bounded) until the focuser is still.
bool settle(const focus::AbsoluteFocuser& focuser, std::chrono::milliseconds limit = 5s) {
    const auto until = std::chrono::steady_clock::now() + limit;
    while (focuser.isMoving()) {
        if (std::chrono::steady_clock::now() > until) return false;
        std::this_thread::sleep_for(1ms);
    }
    return true;
}
}  // namespace

TEST_CASE("absolute focuser: the first move homes into infinity, then lands exactly on the target") {
    Rig rig;
    rig.body.setLensPosition(37.0);
    focus::AbsoluteFocuser focuser(rig.body, rig.setup());
    CHECK_FALSE(focuser.isMoving());
    CHECK(focuser.maxStep() == 100);
    CHECK(focuser.status().homing_due);
    focuser.move(42);
    CHECK(focuser.isMoving());  // asynchronous: moving as soon as move() returns
    REQUIRE(settle(focuser));
    CHECK(focuser.position() == 42);
    CHECK(std::abs(rig.body.lensPosition() - 42.0) <= 0.5);
    const auto status = focuser.status();
    CHECK(status.homed);
    CHECK_FALSE(status.homing_due);
    CHECK(status.last_error.empty());
    CHECK(std::abs(status.estimate - 42.0) <= 0.5);
}

TEST_CASE("absolute focuser: every target of the travel lands within half a step, Position reads the target") {
    Rig rig;
    focus::AbsoluteFocuser focuser(rig.body, rig.setup());
    std::mt19937 random(7);
    std::uniform_int_distribution<long> target(0, 100);
    for (int i = 0; i < 40; ++i) {
        const long goal = target(random);
        focuser.move(goal);
        REQUIRE(settle(focuser));
        CAPTURE(goal);
        CHECK(focuser.position() == goal);
        CHECK(std::abs(rig.body.lensPosition() - static_cast<double>(goal)) <= 0.5 + 1e-9);
    }
}

TEST_CASE("absolute focuser: targets beyond the travel clamp to the end stops") {
    Rig rig;
    focus::AbsoluteFocuser focuser(rig.body, rig.setup());
    focuser.move(-10);
    REQUIRE(settle(focuser));
    CHECK(focuser.position() == 0);
    CHECK(rig.body.lensPosition() <= 0.5);
    focuser.move(100 + 10);
    REQUIRE(settle(focuser));
    CHECK(focuser.position() == 100);
    CHECK(rig.body.lensPosition() >= 99.5);
}

TEST_CASE("absolute focuser: halt stops after the current step and the position stays right") {
    Rig rig;
    rig.lens.step_time_ms = std::array<double, 7>{100, 100, 100, 100, 100, 100, 100};
    rig.settings.homing = config::HomingPolicy::Never;
    rig.body.setLensPosition(0.0);
    rig.body.travel = 100;
    focus::AbsoluteFocuser focuser(rig.body, rig.setup());
    // Known position: home first (7 steps of 100 from wherever it is).
    focuser.home();
    REQUIRE(settle(focuser));
    CHECK(focuser.position() == 100);
    focuser.move(3);  // 100 → 3 takes at least two steps of 100 ms
    std::this_thread::sleep_for(30ms);
    focuser.halt();
    CHECK_FALSE(focuser.isMoving());
    const int steps_at_halt = rig.body.focus_steps;
    const auto status = focuser.status();
    CHECK(status.steps_done < status.steps_total);  // the plan was cut short
    CHECK(status.estimate == doctest::Approx(rig.body.lensPosition()));
    CHECK(focuser.position() == std::lround(rig.body.lensPosition()));
    std::this_thread::sleep_for(100ms);
    CHECK(rig.body.focus_steps == steps_at_halt);  // nothing moves after Halt returned
}

TEST_CASE("absolute focuser: Halt returns within one step time plus 100 ms under a storm of Moves") {
    // Another client moves back and forth as fast as it can while this one halts: each Halt waits for
    // the job it cut, never for "not busy", which the next Move makes true again at once.
    Rig rig;
    constexpr double kStepMs = 50;
    rig.lens.step_time_ms = std::array<double, 7>{kStepMs, kStepMs, kStepMs, kStepMs, kStepMs, kStepMs, kStepMs};
    rig.settings.homing = config::HomingPolicy::Never;
    focus::AbsoluteFocuser focuser(rig.body, rig.setup());
    std::atomic<bool> stop{false};
    std::atomic<int> moves{0};
    std::thread storm([&] {
        const auto until = std::chrono::steady_clock::now() + 30s;  // bounded whatever happens below
        for (int i = 0; i < 1'000'000 && !stop && std::chrono::steady_clock::now() < until; ++i) {
            focuser.move(i % 2 == 0 ? 0 : 100);
            ++moves;
            std::this_thread::sleep_for(std::chrono::microseconds(200 + (i % 3) * 4000));
        }
    });
    std::vector<double> latencies;
    for (int i = 0; i < 100; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(3 + i % 17));
        const auto started = std::chrono::steady_clock::now();
        focuser.halt();
        latencies.push_back(
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count());
    }
    stop = true;
    storm.join();
    std::sort(latencies.begin(), latencies.end());
    const double p50 = latencies[latencies.size() / 2];
    const double p99 = latencies[latencies.size() * 99 / 100];
    MESSAGE("Halt latency under ", moves.load(), " Moves: p50 ", p50, " ms, p99 ", p99, " ms, max ", latencies.back(),
            " ms (step time ", kStepMs, " ms)");
    CHECK(moves > 100);
    // Halt waits for the step in progress, not for the Moves that follow it: the median within one
    // step time plus 100 ms, and even the slowest (a loaded CI machine: 177 ms seen) far below the
    // 5 s Halt used to wait out under such a storm.
    CHECK(p50 <= kStepMs + 100);
    CHECK(latencies.back() < 1000);
    focuser.halt();
    CHECK(settle(focuser));
}

TEST_CASE("absolute focuser: a new move while moving retargets from where the lens is") {
    Rig rig;
    rig.lens.step_time_ms = std::array<double, 7>{20, 20, 20, 20, 20, 20, 20};
    focus::AbsoluteFocuser focuser(rig.body, rig.setup());
    focuser.move(10);
    std::this_thread::sleep_for(30ms);
    focuser.move(77);
    REQUIRE(settle(focuser));
    CHECK(focuser.position() == 77);
    CHECK(std::abs(rig.body.lensPosition() - 77.0) <= 0.5);
}

TEST_CASE("absolute focuser: the state survives a restart with the same body and lens, not with another") {
    Rig rig;
    {
        focus::AbsoluteFocuser focuser(rig.body, rig.setup());
        focuser.move(63);
        REQUIRE(settle(focuser));
        CHECK(focuser.position() == 63);
    }
    {
        std::ifstream in(rig.state.path / "focuser.json");
        const auto saved = nlohmann::json::parse(in);
        CHECK(saved["lens"] == "TESTLENS");
        CHECK(saved["moving"] == false);
        CHECK(saved["tracker"]["homed"] == true);
    }
    const int steps_before = rig.body.focus_steps;
    {
        focus::AbsoluteFocuser again(rig.body, rig.setup());
        CHECK(again.position() == 63);
        CHECK_FALSE(again.status().homing_due);
        again.move(60);  // no homing: only the few steps of the move
        REQUIRE(settle(again));
        CHECK(again.position() == 60);
        CHECK(rig.body.focus_steps - steps_before < 6);
    }
    focus::AbsoluteFocuser other_body(rig.body, rig.setup("TEST 2"));
    CHECK(other_body.status().homing_due);
    CHECK_FALSE(other_body.status().homed);
}

TEST_CASE("absolute focuser: a state cut mid-move is not trusted") {
    Rig rig;
    {
        focus::AbsoluteFocuser focuser(rig.body, rig.setup());
        focuser.move(20);
        REQUIRE(settle(focuser));
    }
    std::ifstream in(rig.state.path / "focuser.json");
    auto saved = nlohmann::json::parse(in);
    saved["moving"] = true;
    std::ofstream(rig.state.path / "focuser.json") << saved.dump();
    focus::AbsoluteFocuser focuser(rig.body, rig.setup());
    CHECK(focuser.status().homing_due);
    CHECK(focuser.status().sigma > 10);
}

TEST_CASE("absolute focuser: a damaged state file means an unknown position, never a crash") {
    Rig rig;
    std::ofstream(rig.state.path / "focuser.json") << "{ not json";
    focus::AbsoluteFocuser focuser(rig.body, rig.setup());
    CHECK(focuser.status().homing_due);
    focuser.move(30);
    REQUIRE(settle(focuser));
    CHECK(focuser.position() == 30);
}

TEST_CASE("absolute focuser: homing policy every-connect homes again, never trusts and does not home") {
    Rig rig;
    {
        focus::AbsoluteFocuser focuser(rig.body, rig.setup());
        focuser.move(50);
        REQUIRE(settle(focuser));
    }
    rig.settings.homing = config::HomingPolicy::EveryConnect;
    CHECK(focus::AbsoluteFocuser(rig.body, rig.setup()).status().homing_due);
    rig.settings.homing = config::HomingPolicy::Never;
    std::filesystem::remove(rig.state.path / "focuser.json");
    focus::AbsoluteFocuser focuser(rig.body, rig.setup());
    CHECK_FALSE(focuser.status().homed);
    const int steps_before = rig.body.focus_steps;
    focuser.move(50);
    REQUIRE(settle(focuser));
    CHECK(rig.body.focus_steps - steps_before < 6);  // no homing run
}

TEST_CASE("absolute focuser: growing uncertainty re-homes before a move, but never during an exposure") {
    Rig rig;
    rig.lens.jitter = 0.02;  // the model believes each step scatters by 2 %
    rig.settings.rehome_sigma = 3.0;
    focus::AbsoluteFocuser focuser(rig.body, rig.setup());
    focuser.move(10);
    REQUIRE(settle(focuser));
    // Large moves back and forth: sigma grows past the bound.
    for (int i = 0; i < 20 && !focuser.status().homing_due; ++i) {
        focuser.move(i % 2 ? 5 : 95);
        REQUIRE(settle(focuser));
    }
    REQUIRE(focuser.status().homing_due);
    rig.body.exposing = true;
    focuser.move(50);
    REQUIRE(settle(focuser));
    CHECK(focuser.status().homing_due);  // deferred: the camera is exposing
    rig.body.exposing = false;
    focuser.move(40);
    REQUIRE(settle(focuser));
    CHECK_FALSE(focuser.status().homing_due);
    CHECK(focuser.status().sigma < 3.0);
    CHECK(focuser.position() == 40);
}

TEST_CASE("absolute focuser: a failing focus drive is reported, the focuser stays usable") {
    Rig rig;
    focus::AbsoluteFocuser focuser(rig.body, rig.setup());
    rig.body.focus_failure = "the body is in AF";
    focuser.move(20);
    REQUIRE(settle(focuser));
    CHECK(focuser.status().last_error.find("the body is in AF") != std::string::npos);
    rig.body.focus_failure.clear();
    focuser.move(20);
    REQUIRE(settle(focuser));
    CHECK(focuser.position() == 20);
    CHECK(focuser.status().last_error.empty());
}

TEST_CASE(
    "absolute focuser: a move while the body reconnects waits for it, then homes (the lens may have moved) and lands") {
    Rig rig;
    focus::AbsoluteFocuser focuser(rig.body, rig.setup());
    focuser.move(42);
    REQUIRE(settle(focuser));
    REQUIRE(focuser.status().homed);
    // The cable is pulled; while the body is away its lens is moved (a body switched off and on).
    rig.body.away = true;
    rig.body.setLensPosition(71.0);
    focuser.move(20);
    std::this_thread::sleep_for(200ms);
    CHECK(focuser.isMoving());
    CHECK(focuser.status().activity == focus::Activity::WaitingForBody);
    rig.body.comeBack();
    REQUIRE(settle(focuser));
    CHECK(focuser.position() == 20);
    CHECK(std::abs(rig.body.lensPosition() - 20.0) <= 0.5);  // homed again: the tracker knew nothing of 71
    CHECK(focuser.status().homed);
    CHECK(focuser.status().last_error.empty());
}

TEST_CASE("absolute focuser: a move waits only so long for a body that stays away, and Halt ends the wait") {
    Rig rig;
    rig.settings.homing = config::HomingPolicy::Never;
    focus::AbsoluteFocuser focuser(rig.body, rig.setup());
    focuser.home();  // asked for: a known position to lose
    REQUIRE(settle(focuser));
    REQUIRE(focuser.status().homed);
    focuser.setBodyAwayWait(300ms);
    rig.body.away = true;
    focuser.move(30);
    REQUIRE(settle(focuser, 3s));
    const std::string error = focuser.status().last_error;
    CHECK(error.find("the move to 30 failed") != std::string::npos);
    CHECK(error.find("did not come back within 0.3 s") != std::string::npos);

    focuser.setBodyAwayWait(30s);
    focuser.move(10);
    std::this_thread::sleep_for(150ms);
    REQUIRE(focuser.isMoving());
    const auto asked = std::chrono::steady_clock::now();
    focuser.halt();
    CHECK(std::chrono::steady_clock::now() - asked < 500ms);
    CHECK_FALSE(focuser.isMoving());

    // Back in a new session: with homing off, the position is kept but uncertain.
    const double sigma_before = focuser.status().sigma;
    rig.body.comeBack();
    focuser.move(30);
    REQUIRE(settle(focuser));
    CHECK(focuser.status().sigma > sigma_before + 10);
    CHECK_FALSE(focuser.status().homed);
    CHECK_FALSE(focuser.status().homing_due);
    CHECK(focuser.position() == 30);
}

TEST_CASE("absolute focuser: temperature compensation only with a coefficient, then it follows the temperature") {
    Rig rig;
    {
        focus::AbsoluteFocuser focuser(rig.body, rig.setup());
        CHECK_FALSE(focuser.tempCompAvailable());
        CHECK_THROWS_AS(focuser.setTempComp(true), std::logic_error);
    }
    rig.lens.temperature_coefficient = 2.0;  // +2 steps per °C
    focus::AbsoluteFocuser focuser(rig.body, rig.setup());
    CHECK(focuser.tempCompAvailable());
    focuser.move(50);
    REQUIRE(settle(focuser));
    focuser.temperatureChanged(10.0);
    focuser.setTempComp(true);
    CHECK(focuser.tempComp());
    focuser.temperatureChanged(10.2);  // 0.4 step: too little to move
    CHECK_FALSE(focuser.isMoving());
    focuser.temperatureChanged(13.0);  // +6 steps
    REQUIRE(settle(focuser));
    CHECK(focuser.position() == 56);
    focuser.setTempComp(false);
    focuser.temperatureChanged(5.0);
    REQUIRE(settle(focuser));
    CHECK(focuser.position() == 56);
}

TEST_CASE("absolute focuser: a jog is one step of the chosen size, tracked, and never homes") {
    Rig rig;
    rig.body.setLensPosition(50.0);
    rig.lens.step_time_ms->at(2) = 400;  // the jog of size 3 below is still moving while the status is read
    focus::AbsoluteFocuser focuser(rig.body, rig.setup());
    REQUIRE(focuser.status().homing_due);
    focuser.jog(2, 1);  // homing is due, but a jog is a person's nudge: one step, no end stop
    CHECK(focuser.isMoving());
    REQUIRE(settle(focuser));
    CHECK(rig.body.focus_steps == 1);
    CHECK(rig.body.lensPosition() == doctest::Approx(52.5));
    CHECK(focuser.status().homing_due);

    focuser.move(42);  // homes, then lands within half a unit; the residual stays in the estimate
    REQUIRE(settle(focuser));
    const int before = rig.body.focus_steps;
    const double landed = focuser.status().estimate;
    focuser.jog(3, -1);
    {
        // While the step runs the status already names the jog's target, never the previous one.
        const auto until = std::chrono::steady_clock::now() + 2s;
        while (rig.body.focus_steps == before && std::chrono::steady_clock::now() < until)
            std::this_thread::sleep_for(1ms);
        const auto during = focuser.status();
        CHECK(during.moving);
        CHECK(during.target == std::lround(landed - 6.0));
    }
    REQUIRE(settle(focuser));
    CHECK(rig.body.focus_steps == before + 1);
    auto status = focuser.status();
    CHECK(status.estimate == doctest::Approx(landed - 6.0));
    CHECK(std::abs(rig.body.lensPosition() - status.estimate) <= 0.5);
    CHECK(focuser.position() == std::lround(status.estimate));  // Position = the rounded estimate
    CHECK(status.target == focuser.position());
    CHECK(status.homed);
    focuser.jog(1, 1);
    REQUIRE(settle(focuser));
    status = focuser.status();
    CHECK(status.estimate == doctest::Approx(landed - 5.0));
    CHECK(focuser.position() == std::lround(status.estimate));
    CHECK(std::abs(rig.body.lensPosition() - status.estimate) <= 0.5);

    CHECK_THROWS_AS(focuser.jog(0, 1), std::invalid_argument);
    CHECK_THROWS_AS(focuser.jog(8, -1), std::invalid_argument);
    CHECK_THROWS_AS(focuser.jog(3, 0), std::invalid_argument);
    CHECK_FALSE(focuser.isMoving());
}
