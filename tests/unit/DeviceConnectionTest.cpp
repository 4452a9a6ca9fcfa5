// SPDX-License-Identifier: GPL-3.0-or-later
#include "alpaca/CameraDevice.hpp"
#include "alpaca/FocuserDevice.hpp"
#include "alpaca/Router.hpp"

#include "RouterCalls.hpp"
#include "TestBody.hpp"

#include <doctest/doctest.h>

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
    Fixture() {
        registry.add(std::make_shared<CameraDevice>(session), "c");
        registry.add(std::make_shared<FocuserDevice>(
                         session, FocuserConfig{test::testLenses(*body), "TESTLENS", {}, state.path, {}}),
                     "f");
    }
    bool get(const std::string& member, const std::string& device = "camera") {
        return jsonOf(routeGet(router, "/api/v1/" + device + "/0/" + member))["Value"].get<bool>();
    }
};

template <typename Predicate>
bool eventually(Predicate predicate) {
    for (int i = 0; i < 500; ++i) {
        if (predicate()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
}
}  // namespace

TEST_CASE("Connected=true connects at once and reads back true, false disconnects") {
    Fixture f;
    CHECK(jsonOf(routePut(f.router, "/api/v1/camera/0/connected", "Connected=true"))["ErrorNumber"] == 0);
    CHECK(f.get("connected"));
    CHECK(f.body->isOpen());
    CHECK(jsonOf(routePut(f.router, "/api/v1/camera/0/connected", "Connected=true"))["ErrorNumber"] == 0);
    CHECK(jsonOf(routeGet(f.router, "/api/v1/camera/0/devicestate"))["Value"].is_array());
    CHECK(jsonOf(routePut(f.router, "/api/v1/camera/0/connected", "Connected=false"))["ErrorNumber"] == 0);
    CHECK_FALSE(f.get("connected"));
    CHECK_FALSE(f.body->isOpen());
    CHECK(f.body->opens == 1);
    CHECK(f.body->closes == 1);
}

TEST_CASE("Connect is asynchronous: Connecting is true while the body opens") {
    Fixture f;
    f.body->delay = std::chrono::milliseconds(300);
    const auto started = std::chrono::steady_clock::now();
    CHECK(jsonOf(routePut(f.router, "/api/v1/focuser/0/connect"))["ErrorNumber"] == 0);
    CHECK(std::chrono::steady_clock::now() - started < std::chrono::milliseconds(200));
    CHECK(f.get("connecting", "focuser"));
    CHECK_FALSE(f.get("connected", "focuser"));
    CHECK(eventually([&] { return !f.get("connecting", "focuser"); }));
    CHECK(f.get("connected", "focuser"));
    CHECK(jsonOf(routePut(f.router, "/api/v1/focuser/0/disconnect"))["ErrorNumber"] == 0);
    CHECK_FALSE(f.get("connected", "focuser"));
}

TEST_CASE("camera and focuser share the body: it closes when the last of them disconnects") {
    Fixture f;
    routePut(f.router, "/api/v1/camera/0/connected", "Connected=true");
    routePut(f.router, "/api/v1/focuser/0/connected", "Connected=true");
    CHECK(f.body->opens == 1);
    routePut(f.router, "/api/v1/camera/0/connected", "Connected=false");
    CHECK(f.body->isOpen());
    CHECK(f.get("connected", "focuser"));
    routePut(f.router, "/api/v1/focuser/0/connected", "Connected=false");
    CHECK_FALSE(f.body->isOpen());
}

TEST_CASE("a body that cannot be opened: Connected stays false and the reason is the error") {
    Fixture f;
    f.body->failure = "the body is not in PC Remote mode";
    const auto reply = jsonOf(routePut(f.router, "/api/v1/camera/0/connected", "Connected=true"));
    CHECK(reply["ErrorNumber"] == 0x407);
    CHECK(reply["ErrorMessage"] == "the body is not in PC Remote mode");
    CHECK_FALSE(f.get("connected"));
    CHECK(jsonOf(routePut(f.router, "/api/v1/camera/0/connect"))["ErrorNumber"] == 0);
    CHECK(eventually([&] { return !f.get("connecting"); }));
    CHECK_FALSE(f.get("connected"));
}
