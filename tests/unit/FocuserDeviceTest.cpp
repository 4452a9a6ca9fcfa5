// SPDX-License-Identifier: GPL-3.0-or-later
// The Focuser device over the Router: lens choice, reported facts, temperature compensation.
#include "alpaca/BodyMemory.hpp"
#include "alpaca/FocuserDevice.hpp"
#include "alpaca/Router.hpp"

#include "RouterCalls.hpp"
#include "TestBody.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <thread>

using namespace sonyalpaca;
using namespace sonyalpaca::alpaca;
using test::jsonOf;
using test::routeGet;
using test::routePut;

namespace {
struct Fixture {
    std::shared_ptr<test::TestBody> body = std::make_shared<test::TestBody>();
    std::shared_ptr<BodySession> session = std::make_shared<BodySession>(body);
    test::TestStateDir state;
    DeviceRegistry registry;
    Router router{registry, {}};

    explicit Fixture(const std::string& configured_lens = "TESTLENS", std::optional<double> coefficient = {}) {
        auto lens = test::testLens(*body);
        lens.temperature_coefficient = coefficient;
        auto lenses = std::make_shared<const config::LensDatabase>(config::LensDatabase::fromEntries({lens}));
        registry.add(
            std::make_shared<FocuserDevice>(session, FocuserConfig{lenses, configured_lens, {}, state.path, {}}), "f");
    }
    nlohmann::json get(const std::string& member) { return jsonOf(routeGet(router, "/api/v1/focuser/0/" + member)); }
    nlohmann::json put(const std::string& member, const std::string& form = "") {
        return jsonOf(routePut(router, "/api/v1/focuser/0/" + member, form));
    }
    nlohmann::json status() {
        return nlohmann::json::parse(put("action", "Action=status&Parameters=")["Value"].get<std::string>());
    }
    bool settle() {
        for (int i = 0; i < 500; ++i) {
            if (get("ismoving")["Value"] == false) return true;
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        return false;
    }
};
}  // namespace

TEST_CASE("focuser device: members need a connection, connected, it moves and reports") {
    Fixture f;
    CHECK(f.get("absolute")["Value"] == true);  // a fact of the device, known before connecting
    CHECK(f.get("position")["ErrorNumber"] == 0x407);
    CHECK(f.put("move", "Position=5")["ErrorNumber"] == 0x407);
    REQUIRE(f.put("connected", "Connected=true")["ErrorNumber"] == 0);
    CHECK(f.get("maxstep")["Value"] == 100);
    CHECK(f.get("maxincrement")["Value"] == 100);
    CHECK(f.put("move", "Position=64")["ErrorNumber"] == 0);
    REQUIRE(f.settle());
    CHECK(f.get("position")["Value"] == 64);
    CHECK(std::abs(f.body->lensPosition() - 64) <= 0.5);
    CHECK(f.status()["lens"] == "TESTLENS");
    CHECK(f.put("connected", "Connected=false")["ErrorNumber"] == 0);
    CHECK(f.get("position")["ErrorNumber"] == 0x407);
}

TEST_CASE("focuser device: an unreported, unconfigured lens runs on the generic profile until the body names it") {
    Fixture f("");
    REQUIRE(f.put("connected", "Connected=true")["ErrorNumber"] == 0);
    CHECK(f.status()["generic_lens"] == true);
    CHECK(f.get("maxstep")["Value"] == 2000);
    f.session->report({std::nullopt, "test lens"});  // the image's maker notes name it
    CHECK(f.status()["lens"] == "TESTLENS");
    CHECK(f.status()["generic_lens"] == false);
    CHECK(f.get("maxstep")["Value"] == 100);
}

TEST_CASE("focuser device: a reported lens picks the profile at connect, the configured one wins over it") {
    {
        Fixture f("");
        f.session->report({std::nullopt, "TESTLENS"});
        REQUIRE(f.put("connected", "Connected=true")["ErrorNumber"] == 0);
        CHECK(f.status()["lens"] == "TESTLENS");
    }
    Fixture f("TESTLENS");
    f.session->report({std::nullopt, "SEL50F18"});
    REQUIRE(f.put("connected", "Connected=true")["ErrorNumber"] == 0);
    CHECK(f.status()["lens"] == "TESTLENS");
    f.session->report({std::nullopt, "SEL85F18"});  // a mismatch is a warning, not a switch
    CHECK(f.status()["lens"] == "TESTLENS");
}

TEST_CASE("focuser device: Temperature and DeviceState follow the temperatures the images report") {
    Fixture f;
    REQUIRE(f.put("connected", "Connected=true")["ErrorNumber"] == 0);
    CHECK(f.get("temperature")["ErrorNumber"] == 0x400);
    CHECK(f.get("devicestate")["Value"].size() == 2);
    f.session->report({-3.0, ""});
    CHECK(f.get("temperature")["Value"] == -3.0);
    const auto state = f.get("devicestate")["Value"];
    REQUIRE(state.size() == 3);
    CHECK(state[2]["Name"] == "Temperature");
    CHECK(state[2]["Value"] == -3.0);
}

TEST_CASE("focuser device: TempComp works when the profile has a coefficient, and moves with the temperature") {
    Fixture f("TESTLENS", -2.0);  // focus moves 2 steps toward near per °C warmer
    REQUIRE(f.put("connected", "Connected=true")["ErrorNumber"] == 0);
    CHECK(f.get("tempcompavailable")["Value"] == true);
    CHECK(f.put("move", "Position=50")["ErrorNumber"] == 0);
    REQUIRE(f.settle());
    f.session->report({10.0, ""});
    CHECK(f.put("tempcomp", "TempComp=true")["ErrorNumber"] == 0);
    CHECK(f.get("tempcomp")["Value"] == true);
    f.session->report({12.0, ""});
    REQUIRE(f.settle());
    CHECK(f.get("position")["Value"] == 46);
    CHECK(f.put("move", "Position=60")["ErrorNumber"] == 0);  // F14: moves with TempComp on
    REQUIRE(f.settle());
    CHECK(f.get("position")["Value"] == 60);
    CHECK(f.put("tempcomp", "TempComp=false")["ErrorNumber"] == 0);
}

TEST_CASE("focuser device: a body without the focus drive refuses the connect and says why") {
    Fixture f;
    f.body->focus_drive = false;
    const auto reply = f.put("connected", "Connected=true");
    CHECK(reply["ErrorNumber"] == 0x400);
    CHECK(reply["ErrorMessage"].get<std::string>().find("no focus drive") != std::string::npos);
    CHECK(f.get("connected")["Value"] == false);
    CHECK_FALSE(f.body->isOpen());
}

TEST_CASE("focuser device: the lens this body carried last time is used at connect, and gives way to the lens an "
          "image names") {
    auto body = std::make_shared<test::TestBody>();
    test::TestStateDir state;
    auto memory = std::make_shared<BodyMemory>(state.path / "bodies-seen.json");
    const std::string key = BodyMemory::keyOf(body->identity().model, body->identity().serial);
    memory->rememberLens(key, "TESTLENS");
    auto other = test::testLens(*body);
    other.model_id = "OTHERLENS";
    other.name = "other lens";
    auto lenses =
        std::make_shared<const config::LensDatabase>(config::LensDatabase::fromEntries({test::testLens(*body), other}));
    const auto connectFresh = [&](DeviceRegistry& registry, std::shared_ptr<BodySession>& session) {
        session = std::make_shared<BodySession>(body);
        session->remember(memory);
        registry.add(std::make_shared<FocuserDevice>(session, FocuserConfig{lenses, "", {}, state.path, {}}), "f");
    };
    const auto status = [](Router& router) {
        return nlohmann::json::parse(
            jsonOf(routePut(router, "/api/v1/focuser/0/action", "Action=status&Parameters="))["Value"]
                .get<std::string>());
    };
    SUBCASE("a lens swapped since: the first image's lens wins") {
        DeviceRegistry registry;
        std::shared_ptr<BodySession> session;
        connectFresh(registry, session);
        Router router{registry, {}};
        REQUIRE(jsonOf(routePut(router, "/api/v1/focuser/0/connected", "Connected=true"))["ErrorNumber"] == 0);
        CHECK(status(router)["lens"] == "TESTLENS");
        CHECK(status(router)["generic_lens"] == false);
        session->report({std::nullopt, "other lens"});
        CHECK(status(router)["lens"] == "OTHERLENS");
        CHECK(memory->lens(key) == "other lens");  // remembered for the next start
    }
    SUBCASE("the remembered lens confirmed by an image stays, as a configured one would") {
        memory->rememberLens(key, "TESTLENS");
        DeviceRegistry registry;
        std::shared_ptr<BodySession> session;
        connectFresh(registry, session);
        Router router{registry, {}};
        REQUIRE(jsonOf(routePut(router, "/api/v1/focuser/0/connected", "Connected=true"))["ErrorNumber"] == 0);
        session->report({std::nullopt, "TESTLENS"});
        CHECK(status(router)["lens"] == "TESTLENS");
        session->report({std::nullopt, "other lens"});  // confirmed before: a mismatch is a warning
        CHECK(status(router)["lens"] == "TESTLENS");
    }
}
