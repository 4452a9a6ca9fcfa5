// SPDX-License-Identifier: GPL-3.0-or-later
// What keeps a web page or a client from abusing the daemon: the Host check (DNS rebinding), log
// lines a client cannot forge, the lens-name rule of the Action "learn", the setup pages' framing
// and content policy.
#include "alpaca/CameraDevice.hpp"
#include "alpaca/ClientText.hpp"
#include "alpaca/FocuserDevice.hpp"
#include "alpaca/HostCheck.hpp"
#include "alpaca/Router.hpp"

#include "RouterCalls.hpp"
#include "TestBody.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

using namespace sonyalpaca;
using namespace sonyalpaca::alpaca;
using test::jsonOf;
using test::routeGet;
using test::routePut;

namespace {
struct Server {
    std::shared_ptr<test::TestBody> body = std::make_shared<test::TestBody>();
    std::shared_ptr<BodySession> session = std::make_shared<BodySession>(body);
    test::TestStateDir state;
    std::shared_ptr<const config::LensDatabase> lenses = test::testLenses(*body);
    DeviceRegistry registry;
    Router router{registry,
                  {"sonyalpaca", "sonyalpaca project", "9.9", "here"},
                  {session, lenses, state.path / "config.json"},
                  HostCheck("Astro-Pi.example.org", {"observatory.example.net", "Dome"})};
    Server() {
        registry.add(std::make_shared<CameraDevice>(session), "c");
        registry.add(std::make_shared<FocuserDevice>(session, FocuserConfig{lenses, "TESTLENS", {}, state.path, {}}),
                     "f");
    }
    HttpResponse get(const std::string& path, const std::string& host) {
        HttpRequest request{"GET", path, "", "", "", "192.0.2.7"};
        request.host = host;
        return router.handle(request);
    }
};

const char* const kPaths[] = {"/api/v1/camera/0/name",
                              "/api/v1/focuser/0/connected",
                              "/management/apiversions",
                              "/management/v1/configureddevices",
                              "/setup",
                              "/setup/status.json",
                              "/setup/v1/camera/0/setup"};
}  // namespace

TEST_CASE("host check: IP literals, localhost, the machine's names and allowed_hosts are answered") {
    Server server;
    for (const char* host : {"127.0.0.1",
                             "127.0.0.1:11111",
                             "198.51.100.20",
                             "203.0.113.5:80",
                             "[::1]",
                             "[::1]:11111",
                             "[fe80::1%25eth0]:11111",
                             "[2001:db8::7]",
                             "localhost",
                             "LOCALHOST:11111",
                             "localhost.",
                             "astro-pi",
                             "astro-pi.local",
                             "Astro-Pi.LAN:11111",
                             "astro-pi.example.org",
                             "astro-pi.example.org.:11111",
                             "astro-pi.example.org.local",
                             "observatory.example.net",
                             "OBSERVATORY.example.net:8080",
                             "dome",
                             "dome.",
                             ""}) {
        for (const char* path : kPaths) {
            CAPTURE(host);
            CAPTURE(path);
            CHECK(server.get(path, host).status == 200);
        }
    }
}

TEST_CASE("host check: any other name is 403 for the API, the management API and the setup pages") {
    Server server;
    for (const char* host :
         {"evil.example.com", "evil.example.com:11111", "astro-pi.evil.example.com", "localhost.evil.example.com",
          "127.0.0.1.nip.io", "observatory.example.net.evil", "dome.lan", "[::1", "[::1]x", "[not-v6]", "::1",
          "127.0.0.1:port", "127.0.0.1:123456", "a b", "localhost:11111:1", "user@localhost", "evil\r\nX-Forged: 1",
          "xn--pi-0ia.example"}) {
        for (const char* path : kPaths) {
            CAPTURE(host);
            CAPTURE(path);
            const auto reply = server.get(path, host);
            CHECK(reply.status == 403);
            CHECK(reply.body.find("allowed_hosts") != std::string::npos);
            CHECK(reply.body.find('\r') == std::string::npos);  // the host is quoted escaped
        }
    }
    // Writes too: a rebound page cannot drive the focuser or save settings.
    HttpRequest put{
        "PUT", "/api/v1/focuser/0/connected", "", "Connected=true", "application/x-www-form-urlencoded", "192.0.2.7"};
    put.host = "evil.example.com";
    CHECK(server.router.handle(put).status == 403);
    CHECK_FALSE(server.session->body().isOpen());
    HttpRequest post{"POST", "/setup/settings", "", "csrf=x&lens=", "application/x-www-form-urlencoded", "192.0.2.7"};
    post.host = "evil.example.com:11111";
    post.origin = "http://evil.example.com:11111";
    CHECK(server.router.handle(post).status == 403);
    CHECK_FALSE(std::filesystem::exists(server.state.path / "config.json"));
}

TEST_CASE("host check: a router without a check answers every Host - the host name part is parsed") {
    DeviceRegistry registry;
    Router open(registry, {});
    HttpRequest request{"GET", "/management/apiversions", "", "", "", "test"};
    request.host = "anything.example.com";
    CHECK(open.handle(request).status == 200);
    CHECK(HostCheck::nameOf("Pi.Local.:11111") == "pi.local");
    CHECK(HostCheck::nameOf("[::1]:80") == "[::1]");
    CHECK(HostCheck::nameOf("pi:80x").empty());
    CHECK(HostCheck::nameOf("pi/evil").empty());
}

TEST_CASE("log text: control characters from a client are escaped, long text is cut") {
    CHECK(loggable("plain text, UTF-8 \xc2\xb0") == "plain text, UTF-8 \xc2\xb0");
    CHECK(loggable("evil\n2026-01-01 00:00:00 [critical] FORGED") == "evil\\n2026-01-01 00:00:00 [critical] FORGED");
    CHECK(loggable(std::string("a\rb\tc\x01\x7f\\", 8) + std::string(1, '\0')) == "a\\rb\\tc\\x01\\x7f\\\\\\x00");
    const std::string long_text(1000, 'x');
    const std::string cut = loggable(long_text, 10);
    CHECK(cut.rfind("xxxxxxxxxx\xe2\x80\xa6(1000 bytes)", 0) == 0);
    // Never cut inside a UTF-8 character.
    CHECK(loggable("ab\xc2\xb0", 3) == "ab\xe2\x80\xa6(4 bytes)");
}

TEST_CASE("Action learn: a lens name obeys the setup page's rule (no control characters, no log forging)") {
    Server server;
    HttpRequest connect{"PUT", "/api/v1/focuser/0/connected", "", "Connected=true", "application/x-www-form-urlencoded",
                        "test"};
    REQUIRE(jsonOf(server.router.handle(connect))["ErrorNumber"] == 0);
    for (const char* parameters : {"start evil%0A2026-01-01 00:00:00 [critical] FORGED LINE", "start tab%09inside",
                                   "start del%7F", "start %FF", "evil%0Dname"}) {
        CAPTURE(parameters);
        HttpRequest action{"PUT",
                           "/api/v1/focuser/0/action",
                           "",
                           std::string("Action=learn&Parameters=") + parameters,
                           "application/x-www-form-urlencoded",
                           "test"};
        const auto reply = jsonOf(server.router.handle(action));
        CHECK(reply["ErrorNumber"] == 0x401);
        const std::string message = reply["ErrorMessage"];
        CHECK(message.find("Action learn: the name") == 0);
    }
    CHECK(server.body->focus_steps == 0);
}

TEST_CASE("setup pages: never framed, inline script and style only, requests to this server only") {
    Server server;
    for (const char* path : {"/setup", "/setup/status.json", "/setup/v1/focuser/0/setup", "/setup/nothing"}) {
        CAPTURE(path);
        const auto reply = server.get(path, "astro-pi.local:11111");
        std::map<std::string, std::string> headers(reply.headers.begin(), reply.headers.end());
        CHECK(headers["X-Frame-Options"] == "DENY");
        const std::string policy = headers["Content-Security-Policy"];
        CHECK(policy.find("frame-ancestors 'none'") != std::string::npos);
        CHECK(policy.find("script-src 'unsafe-inline'") != std::string::npos);
        CHECK(policy.find("style-src 'unsafe-inline'") != std::string::npos);
        CHECK(policy.find("connect-src 'self'") != std::string::npos);
        CHECK(policy.find("default-src 'none'") != std::string::npos);
    }
}

TEST_CASE("setup pages: image_dir from the form must be absolute and without control characters") {
    Server server;
    const auto page = server.get("/setup", "localhost").body;
    const std::string marker = "name=\"csrf\" value=\"";
    const auto at = page.find(marker);
    REQUIRE(at != std::string::npos);
    const std::string token = page.substr(at + marker.size(), page.find('"', at + marker.size()) - at - marker.size());
    for (const char* dir : {"images", "..%2Fimages", "%2Fsrv%2Fimages%0Aforged", "%2Fsrv%2Fa%00b"}) {
        CAPTURE(dir);
        HttpRequest post{"POST",
                         "/setup/settings",
                         "",
                         "csrf=" + token + "&image_dir=" + dir,
                         "application/x-www-form-urlencoded",
                         "192.0.2.7"};
        post.host = "localhost:11111";
        const auto reply = server.router.handle(post);
        CHECK(reply.status == 400);
        CHECK(reply.body.find("image_dir") != std::string::npos);
        CHECK_FALSE(std::filesystem::exists(server.state.path / "config.json"));
    }
}
