// SPDX-License-Identifier: GPL-3.0-or-later
// Lens learning end to end: the daemon learns the virtual body's lens from its live view through
// Action "learn", saves the profile, runs the focuser on it, and finds it again after a restart.
// The simulator's hidden true profile (GET /status "true_moves") is the reference.
#include "DaemonProcess.hpp"
#include "RawHttp.hpp"
#include "SimulatorProcess.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <csignal>
#include <fstream>
#include <optional>
#include <thread>

using namespace sonyalpaca::test;
using namespace std::chrono_literals;

namespace {
/// A short zoom (264 units of travel), its step sizes off the shipped profile by up to 3 %, and a
/// daemon that does not know which lens is on (no --lens, no image yet): the generic profile.
struct Rig {
    TempDir state;
    SimulatorProcess simulator{
        {"--sensor-scale", "8", "--lens", "SELP1650", "--move-time-scale", "0.2", "--seed", "21"}};
    std::optional<DaemonProcess> daemon;

    void start(std::vector<std::string> extra = {}) {
        std::vector<std::string> args{"--camera", simulator.source()};
        args.insert(args.end(), extra.begin(), extra.end());
        daemon.emplace(DaemonProcess::serve(state.path(), args));
    }
    void stop() {
        daemon->signal(SIGTERM);
        REQUIRE(daemon->wait(10s) == 0);
        daemon.reset();
    }
    nlohmann::json get(const std::string& member) { return alpacaGet(daemon->port(), "focuser/0", member); }
    nlohmann::json put(const std::string& member, const std::string& form = "") {
        return alpacaPut(daemon->port(), "focuser/0", member, form);
    }
    nlohmann::json action(const std::string& name, const std::string& parameters = "") {
        return put("action", "Action=" + name + "&Parameters=" + parameters);
    }
    nlohmann::json learning() { return nlohmann::json::parse(action("learn", "status")["Value"].get<std::string>()); }
    void connect() {
        const auto reply = put("connected", "Connected=true");
        REQUIRE_MESSAGE(reply["ErrorNumber"] == 0, reply.dump() << "\n" << daemon->log());
    }
    bool waitStill(std::chrono::seconds limit) {
        const auto until = std::chrono::steady_clock::now() + limit;
        while (get("ismoving")["Value"] == true) {
            if (std::chrono::steady_clock::now() > until) return false;
            std::this_thread::sleep_for(100ms);
        }
        return true;
    }
};
}  // namespace

TEST_CASE("lens learning: Action learn measures the lens, saves its profile and runs the focuser on it") {
    Rig rig;
    rig.start();
    rig.connect();
    CHECK(rig.action("status")["ErrorNumber"] == 0);
    const auto started = rig.action("learn", "start%20SELP1650-mine");
    REQUIRE_MESSAGE(started["ErrorNumber"] == 0, started.dump());
    CHECK(started["Value"].get<std::string>().find("SELP1650-mine") != std::string::npos);
    CHECK(rig.get("ismoving")["Value"] == true);
    // While learning, a move is refused with the reason, and a second learning too.
    const auto move = rig.put("move", "Position=10");
    CHECK(move["ErrorNumber"] == 0x40B);
    CHECK(move["ErrorMessage"].get<std::string>().find("being learned") != std::string::npos);
    CHECK(rig.action("learn")["ErrorNumber"] == 0x40B);
    CHECK(rig.learning()["active"] == true);

    REQUIRE_MESSAGE(rig.waitStill(240s), rig.daemon->log());
    const auto learning = rig.learning();
    INFO(learning.dump());
    INFO(rig.daemon->log());
    REQUIRE(learning["error"] == "");
    CHECK(learning["percent"] == 100);
    const std::string file = learning["profile_file"].get<std::string>();
    CHECK(file == (rig.state.path() / "lenses" / "SELP1650-mine.json").string());

    // The saved profile is within 2 % of the hidden truth, size by size.
    std::ifstream in(file);
    REQUIRE(in);
    const auto profile = nlohmann::json::parse(in)["lenses"][0];
    CHECK(profile["model_id"] == "SELP1650-mine");
    const auto truth = rig.simulator.status()["true_moves"];
    const auto& moves = profile["full_travel_moves_by_step_size"];
    for (std::size_t k = 0; k < 6; ++k) {
        const double error = moves[k].get<double>() / truth[k].get<double>() - 1.0;
        CHECK_MESSAGE(std::abs(error) <= 0.02, "size " << k + 1 << ": " << moves[k] << " vs " << truth[k]);
    }

    // The focuser now runs on it: at the infinity stop, MaxStep = the learned travel, moves land.
    const long max_step = rig.get("maxstep")["Value"].get<long>();
    CHECK(max_step == static_cast<long>(std::floor(moves[0].get<double>() + 1e-9)));
    CHECK(rig.get("position")["Value"] == max_step);
    CHECK(rig.simulator.status()["lens_position"].get<double>() == doctest::Approx(264.0));
    REQUIRE(rig.put("move", "Position=120")["ErrorNumber"] == 0);
    REQUIRE(rig.waitStill(30s));
    CHECK(rig.get("position")["Value"] == 120);
    // Within 2 units: besides the learned sizes' error, each step of the simulated motor is off by a
    // seeded 0.5 % (one step of size 6 is about 120 units), so where this move lands depends on how
    // many draws learning took before it (seeds 1 to 5 and 21: 0.03 to 1.7 units).
    CHECK(std::abs(rig.simulator.status()["lens_position"].get<double>() - 120.0 * 264.0 / moves[0].get<double>()) <=
          2.0);

    // After a restart the profile is one of the lenses: choose it, and the position is still known.
    rig.stop();
    rig.start({"--lens", "SELP1650-mine"});
    rig.connect();
    CHECK(rig.get("maxstep")["Value"] == max_step);
    CHECK(rig.get("position")["Value"] == 120);
    CHECK(rig.daemon->log().find("restored from the saved state") != std::string::npos);
}

TEST_CASE("lens learning: Halt cancels it, and the next move homes first") {
    Rig rig;
    rig.start();
    rig.connect();
    REQUIRE(rig.action("learn")["ErrorNumber"] == 0);
    const auto until = std::chrono::steady_clock::now() + 60s;
    while (rig.learning()["phase"] != "crossing" && std::chrono::steady_clock::now() < until)
        std::this_thread::sleep_for(50ms);
    REQUIRE(rig.learning()["phase"] == "crossing");
    const auto halted = std::chrono::steady_clock::now();
    CHECK(rig.put("halt")["ErrorNumber"] == 0);
    CHECK(rig.get("ismoving")["Value"] == false);
    CHECK(std::chrono::steady_clock::now() - halted < 5s);
    CHECK(rig.learning()["error"] == "cancelled");
    CHECK(rig.action("learn", "cancel")["Value"] == "no lens learning is running");
    // Nothing was saved; the focuser still runs (on the generic profile), homing first.
    CHECK_FALSE(std::filesystem::exists(rig.state.path() / "lenses"));
    CHECK(nlohmann::json::parse(rig.action("status")["Value"].get<std::string>())["homing_due"] == true);
}

TEST_CASE("lens learning: an unknown lens's travel is found by homing from both ends") {
    Rig rig;
    rig.start();
    rig.connect();
    CHECK(rig.get("maxstep")["Value"] == 2000);  // the generic profile's, until homing measures it
    REQUIRE(rig.put("move", "Position=100")["ErrorNumber"] == 0);
    REQUIRE_MESSAGE(rig.waitStill(60s), rig.daemon->log());
    // SELP1650's size 7 crosses the whole travel in about one step; the generic profile's size 7 is
    // 2.5^6 = 244 of its units: the travel is about one largest step.
    const double largest_steps = rig.simulator.status()["true_moves"][6].get<double>();
    const long max_step = rig.get("maxstep")["Value"].get<long>();
    INFO(rig.daemon->log());
    CHECK(max_step == doctest::Approx(largest_steps * std::pow(2.5, 6)).epsilon(0.25));
    CHECK(rig.daemon->log().find("crosses its travel in") != std::string::npos);
    CHECK(rig.get("position")["Value"] == 100);
}

TEST_CASE("lens learning: sonyalpaca learn-lens saves a profile the daemon then uses") {
    Rig rig;
    DaemonProcess learn({"learn-lens", "--camera", rig.simulator.source(), "--name", "zoom-cli", "--state-dir",
                         rig.state.path().string()});
    const auto code = learn.wait(240s);
    INFO(learn.log());
    REQUIRE(code == 0);
    const auto file = rig.state.path() / "lenses" / "zoom-cli.json";
    std::ifstream in(file);
    REQUIRE(in);
    const auto moves = nlohmann::json::parse(in)["lenses"][0]["full_travel_moves_by_step_size"];
    const auto truth = rig.simulator.status()["true_moves"];
    for (std::size_t k = 0; k < 6; ++k) CHECK(std::abs(moves[k].get<double>() / truth[k].get<double>() - 1.0) <= 0.02);
    rig.start({"--lens", "zoom-cli"});
    rig.connect();
    CHECK(rig.get("maxstep")["Value"] == static_cast<long>(std::floor(moves[0].get<double>() + 1e-9)));

    // Bad input: a clear message and exit code 2; a body held by the daemon: exit 1 with the reason.
    DaemonProcess bad({"learn-lens", "--settle-ms", "lots"});
    CHECK(bad.wait(10s) == 2);
    CHECK(bad.log().find("--settle-ms wants a number") != std::string::npos);
    DaemonProcess busy({"learn-lens", "--camera", rig.simulator.source(), "--state-dir", rig.state.path().string()});
    CHECK(busy.wait(30s) == 1);
}

TEST_CASE("lens learning: Ctrl-C stops learn-lens after the current step, saving nothing") {
    Rig rig;
    DaemonProcess learn({"learn-lens", "--camera", rig.simulator.source(), "--state-dir", rig.state.path().string()});
    REQUIRE(learn.waitForLog("(crossing)", 60s));
    learn.signal(SIGINT);
    CHECK(learn.wait(10s) == 130);
    CHECK(learn.log().find("cancelled; nothing saved") != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(rig.state.path() / "lenses"));
}
