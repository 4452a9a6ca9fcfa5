// SPDX-License-Identifier: GPL-3.0-or-later
// Body health through the daemon: the simulator's control port changes the battery and the card,
// and the setup page's status.json follows within the refresh interval.
#include "DaemonProcess.hpp"
#include "RawHttp.hpp"
#include "SimulatorProcess.hpp"

#include <doctest/doctest.h>

#include <thread>

using namespace sonyalpaca::test;
using namespace std::chrono_literals;

namespace {
nlohmann::json setupStatus(std::uint16_t port) { return httpGet(port, "/setup/status.json").json(); }
}  // namespace

TEST_CASE("body health: status.json shows the battery, the card and the temperatures, and a low battery") {
    SimulatorProcess simulator({"--sensor-scale", "8"});
    TempDir state;
    auto daemon = DaemonProcess::serve(state.path(), {"--camera", simulator.source()});

    // Nothing known before the body is open.
    auto status = setupStatus(daemon.port());
    CHECK(status["battery"] == nlohmann::json{{"level", nullptr}, {"source", "unknown"}, {"low", false}});
    CHECK(status["storage"] == nlohmann::json{{"card", "unknown"}, {"remaining_shots", nullptr}});
    CHECK(status["body_temperature"]["sensor_c"].is_null());
    CHECK(status["body_temperature"]["overheat"] == "unknown");
    CHECK(status["fields"]["battery"] == "not known (the body is not connected)");

    REQUIRE(alpacaPut(daemon.port(), "camera/0", "connected", "Connected=true")["ErrorNumber"] == 0);
    status = setupStatus(daemon.port());  // read at open
    CHECK(status["battery"] == nlohmann::json{{"level", 100}, {"source", "battery"}, {"low", false}});
    CHECK(status["storage"] == nlohmann::json{{"card", "in"}, {"remaining_shots", 999}});
    CHECK(status["body_temperature"]["overheat"] == "none");
    CHECK(status["fields"]["battery"] == "100 % (4/4)");
    CHECK(status["fields"]["card"] == "in");
    CHECK(status["fields"]["battery_warning"].get<std::string>().find("battery is low") != std::string::npos);

    // The control port refuses what it does not know, naming what it accepts.
    for (const char* form : {"battery=101", "battery=low", "source=mains", "card=full", "overheat=3", "", "shots=-1"}) {
        CAPTURE(form);
        const auto reply = httpForm(simulator.control_port, "PUT", "/health", form);
        CHECK(reply.status == 400);
        CHECK(reply.body.find("source=battery|usb|dummy|none") != std::string::npos);
    }
    REQUIRE(httpForm(simulator.control_port, "PUT", "/health", "battery=10&card=none&overheat=1").status == 200);
    const auto simulated = simulator.status()["health"];
    CHECK(simulated ==
          nlohmann::json{{"battery", 10}, {"source", "battery"}, {"card", "none"}, {"shots", 999}, {"overheat", 1}});

    // The daemon reads it within its 10 s interval (plus libgphoto2's 2 s property cache).
    const auto changed = std::chrono::steady_clock::now();
    const auto deadline = changed + 20s;
    while (std::chrono::steady_clock::now() < deadline) {
        status = setupStatus(daemon.port());
        if (status["battery"]["low"] == true && status["storage"]["card"] == "none") break;
        std::this_thread::sleep_for(250ms);
    }
    MESSAGE("status.json followed the body after "
            << std::chrono::duration<double>(std::chrono::steady_clock::now() - changed).count() << " s");
    CHECK(status["battery"] == nlohmann::json{{"level", 10}, {"source", "battery"}, {"low", true}});
    CHECK(status["storage"] == nlohmann::json{{"card", "none"}, {"remaining_shots", nullptr}});
    CHECK(status["body_temperature"]["overheat"] == "pre-overheating");
    CHECK(status["fields"]["battery"] == "10 % (1/4), low");
    CHECK(status["fields"]["card"] == "no card");

    // A frame brings the maker notes' temperatures.
    REQUIRE(alpacaPut(daemon.port(), "camera/0", "startexposure", "Duration=0.1&Light=true")["ErrorNumber"] == 0);
    for (int i = 0; i < 300 && alpacaGet(daemon.port(), "camera/0", "imageready")["Value"] != true; ++i)
        std::this_thread::sleep_for(100ms);
    status = setupStatus(daemon.port());
    CHECK(status["body_temperature"]["sensor_c"].is_number());
    CHECK(status["fields"]["body_temperatures"].get<std::string>().find("sensor ") == 0);
}
