// SPDX-License-Identifier: GPL-3.0-or-later
#include "alpaca/CameraDevice.hpp"
#include "alpaca/FocuserDevice.hpp"
#include "alpaca/Router.hpp"

#include "RouterCalls.hpp"
#include "TestBody.hpp"

#include <doctest/doctest.h>

using namespace sonyalpaca;
using namespace sonyalpaca::alpaca;
using test::jsonOf;
using test::routeGet;
using test::routePut;

namespace {
struct Server {
    std::shared_ptr<BodySession> session = std::make_shared<BodySession>([] {
        auto body = std::make_shared<test::TestBody>();
        body->unreachable = "no Sony body is attached (test)";
        return body;
    }());
    test::TestStateDir state;
    DeviceRegistry registry;
    Router router{registry, {"sonyalpaca", "sonyalpaca project", "9.9", "here"}};
    Server() {
        registry.add(std::make_shared<CameraDevice>(session), "11111111-1111-4111-8111-111111111111");
        registry.add(std::make_shared<FocuserDevice>(session, FocuserConfig{{}, "", {}, state.path, {}}),
                     "22222222-2222-4222-8222-222222222222");
    }
};
}  // namespace

TEST_CASE("replies have the Alpaca envelope with ServerTransactionID counting from 1") {
    Server server;
    const auto first = jsonOf(routeGet(server.router, "/api/v1/camera/0/interfaceversion", "ClientTransactionID=7"));
    CHECK(first["ClientTransactionID"] == 7);
    CHECK(first["ServerTransactionID"] == 1);
    CHECK(first["ErrorNumber"] == 0);
    CHECK(first["ErrorMessage"] == "");
    CHECK(first["Value"] == 4);
    const auto second = jsonOf(routeGet(server.router, "/api/v1/focuser/0/interfaceversion"));
    CHECK(second["ClientTransactionID"] == 0);
    CHECK(second["ServerTransactionID"] == 2);
    const auto reply = routeGet(server.router, "/api/v1/focuser/0/name");
    CHECK(reply.content_type.find("application/json") == 0);
}

TEST_CASE("unknown or malformed paths are HTTP 400 with a plain-text reason") {
    Server server;
    for (const char* path :
         {"/api/v1/CAMERA/0/description", "/api/v1/baddevicetype/0/description", "/api/v1/camera/-1/description",
          "/api/v1/camera/99999/description", "/api/v1/camera/A/description", "/api/v1/camera/0/descrip",
          "/api/v1/camera/00/name", "/api/v1/camera/1/name", "/api/v1/camera/0/name/", "/api/v2/camera/0/name",
          "/api/v1/camera/0", "/api/v1/telescope/0/name", "/", "/apx/v1/camera/0/name", "/management/v2/description",
          "/management/v1/configureddevices/x"}) {
        CAPTURE(path);
        const auto reply = routeGet(server.router, path);
        CHECK(reply.status == 400);
        CHECK(reply.content_type.find("text/plain") == 0);
        CHECK(reply.body.size() > 10);
    }
}

TEST_CASE("the wrong verb for a member is HTTP 400") {
    Server server;
    CHECK(routeGet(server.router, "/api/v1/camera/0/abortexposure").status == 400);
    CHECK(routePut(server.router, "/api/v1/camera/0/name").status == 400);
    CHECK(server.router.handle({"POST", "/api/v1/camera/0/connected", "", "Connected=true", "", ""}).status == 400);
    CHECK(server.router.handle({"DELETE", "/api/v1/camera/0/connected", "", "", "", ""}).status == 400);
}

TEST_CASE("members a Sony body cannot offer answer NotImplemented, but parameters are checked first") {
    Server server;
    const auto cooler = jsonOf(routeGet(server.router, "/api/v1/camera/0/cooleron"));
    CHECK(cooler["ErrorNumber"] == 0x400);
    CHECK(cooler["ErrorMessage"].get<std::string>().find("Camera.CoolerOn") != std::string::npos);
    CHECK(cooler.contains("Value"));
    CHECK(jsonOf(routeGet(server.router, "/api/v1/camera/0/binx"))["ErrorNumber"] == 0x407);
    CHECK(jsonOf(routePut(server.router, "/api/v1/camera/0/cooleron", "CoolerOn=true"))["ErrorNumber"] == 0x400);
    CHECK(routePut(server.router, "/api/v1/camera/0/cooleron", "CoolerOn=asduio6fghZZ").status == 400);
    CHECK(routePut(server.router, "/api/v1/camera/0/startexposure", "Duration=2").status == 400);
    CHECK(jsonOf(routePut(server.router, "/api/v1/focuser/0/move", "Position=10"))["ErrorNumber"] == 0x407);
    CHECK(routePut(server.router, "/api/v1/focuser/0/move", "position=10").status == 400);
}

TEST_CASE("common members with no body attached") {
    Server server;
    for (const char* device : {"camera", "focuser"}) {
        CAPTURE(device);
        const std::string base = std::string("/api/v1/") + device + "/0/";
        CHECK(jsonOf(routeGet(server.router, base + "connected"))["Value"] == false);
        CHECK(jsonOf(routeGet(server.router, base + "connecting"))["Value"] == false);
        const auto connect = jsonOf(routePut(server.router, base + "connected", "Connected=true"));
        CHECK(connect["ErrorNumber"] == 0x407);
        CHECK(connect["ErrorMessage"].get<std::string>().find("no Sony body is attached") != std::string::npos);
        CHECK(jsonOf(routePut(server.router, base + "connect"))["ErrorNumber"] == 0x407);
        CHECK(jsonOf(routePut(server.router, base + "connected", "Connected=false"))["ErrorNumber"] == 0);
        CHECK(jsonOf(routePut(server.router, base + "disconnect"))["ErrorNumber"] == 0);
        CHECK(jsonOf(routeGet(server.router, base + "devicestate"))["ErrorNumber"] == 0x407);
        const bool focuser = std::string(device) == "focuser";
        CHECK(jsonOf(routeGet(server.router, base + "supportedactions"))["Value"] ==
              (focuser ? nlohmann::json{"home", "status", "learn"} : nlohmann::json{"framestats"}));
        // The focuser's home needs a connection; the camera has no such action (ActionNotImplemented).
        CHECK(jsonOf(routePut(server.router, base + "action", "Action=home&Parameters="))["ErrorNumber"] ==
              (focuser ? 0x407 : 0x40C));
        const auto command = jsonOf(routePut(server.router, base + "commandblind", "Command=x&Raw=false"));
        CHECK(command["ErrorNumber"] == 0x400);
        CHECK(command["ErrorMessage"].get<std::string>().find("CommandBlind is not implemented: the Command methods") !=
              std::string::npos);
        if (focuser) {
            // One message, said once: no " is not implemented" added after a whole sentence.
            const std::string step = jsonOf(routeGet(server.router, base + "stepsize"))["ErrorMessage"];
            CHECK(step.ends_with("report no distance"));
        }
        CHECK_FALSE(jsonOf(routeGet(server.router, base + "driverversion"))["Value"].get<std::string>().empty());
        CHECK_FALSE(jsonOf(routeGet(server.router, base + "driverinfo"))["Value"].get<std::string>().empty());
    }
    CHECK(jsonOf(routeGet(server.router, "/api/v1/camera/0/description"))["Value"].get<std::string>().size() <= 68);
}

TEST_CASE("management API") {
    Server server;
    CHECK(jsonOf(routeGet(server.router, "/management/apiversions"))["Value"] == nlohmann::json::array({1}));
    const auto description = jsonOf(routeGet(server.router, "/management/v1/description", "ClientTransactionID=3"));
    CHECK(description["ClientTransactionID"] == 3);
    CHECK(description["Value"]["Manufacturer"] == "sonyalpaca project");
    CHECK(description["Value"]["ManufacturerVersion"] == "9.9");
    const auto devices = jsonOf(routeGet(server.router, "/management/v1/configureddevices"))["Value"];
    REQUIRE(devices.size() == 2);
    CHECK(devices[0]["DeviceType"] == "Camera");
    CHECK(devices[0]["DeviceNumber"] == 0);
    CHECK(devices[0]["UniqueID"] == "11111111-1111-4111-8111-111111111111");
    CHECK(devices[1]["DeviceType"] == "Focuser");
    CHECK(routeGet(server.router, "/management/apiversions", "ClientTransactionID=-1").status == 400);
    CHECK(routePut(server.router, "/management/apiversions").status == 400);
}

TEST_CASE("setup pages") {
    Server server;
    for (const char* path : {"/setup", "/setup/v1/camera/0/setup", "/setup/v1/focuser/0/setup"}) {
        const auto page = routeGet(server.router, path);
        CHECK(page.status == 200);
        CHECK(page.content_type.find("text/html") == 0);
        CHECK(page.body.find("sonyalpaca") != std::string::npos);
    }
    CHECK(routeGet(server.router, "/setup/v1/camera/1/setup").status == 403);
}

TEST_CASE("device numbers come from the registry: a second body becomes Camera 1") {
    Server server;
    server.registry.add(std::make_shared<CameraDevice>(server.session), "33333333-3333-4333-8333-333333333333");
    CHECK(jsonOf(routeGet(server.router, "/api/v1/camera/1/name"))["Value"] == "Sony camera");
    CHECK(routeGet(server.router, "/api/v1/focuser/1/name").status == 400);
}
