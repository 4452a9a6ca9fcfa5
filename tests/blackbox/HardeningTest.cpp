// SPDX-License-Identifier: GPL-3.0-or-later
// Black-box tests of what protects the daemon from web pages and clients: the Host check (DNS
// rebinding), log lines a client cannot forge, the setup pages' headers.
#include "DaemonProcess.hpp"
#include "RawHttp.hpp"

#include <doctest/doctest.h>

#include <unistd.h>

#include <string>
#include <vector>

using namespace sonyalpaca::test;
using namespace std::chrono_literals;

namespace {
std::string machineName() {
    char name[256] = {};
    if (::gethostname(name, sizeof name - 1) != 0) return {};
    return name;
}

HttpReply getWithHost(std::uint16_t port, const std::string& target, const std::string& host) {
    return sendRaw("127.0.0.1", port, "GET " + target + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n");
}
}  // namespace

TEST_CASE("hardening: requests for a foreign host name are refused (403), the daemon's own names answered") {
    TempDir state;
    auto daemon = DaemonProcess::serve(state.path(), {"--allow-host", "observatory.example.org"});
    const std::string port = std::to_string(daemon.port());
    const std::string machine = machineName();
    REQUIRE_FALSE(machine.empty());
    for (const char* target : {"/api/v1/camera/0/name", "/management/v1/description", "/setup"}) {
        CAPTURE(target);
        for (const std::string& host : std::vector<std::string>{
                 "127.0.0.1:" + port, "127.0.0.1", "localhost:" + port, "[::1]:" + port, machine + ":" + port,
                 machine + ".local:" + port, machine + ".lan", "observatory.example.org:" + port}) {
            CAPTURE(host);
            CHECK(getWithHost(daemon.port(), target, host).status == 200);
        }
        for (const std::string& host :
             std::vector<std::string>{"evil.example.com:" + port, "evil.example.com", machine + ".evil.example.com",
                                      "127.0.0.1.nip.io:" + port}) {
            CAPTURE(host);
            const auto reply = getWithHost(daemon.port(), target, host);
            CHECK(reply.status == 403);
            CHECK(reply.body.find("allowed_hosts") != std::string::npos);
        }
    }
    // A write from a rebound page (foreign Host and Origin) does nothing.
    const auto put = sendRaw("127.0.0.1", daemon.port(),
                             "PUT /api/v1/focuser/0/connected HTTP/1.1\r\nHost: evil.example.com:" + port +
                                 "\r\nOrigin: http://evil.example.com:" + port +
                                 "\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 14\r\n"
                                 "Connection: close\r\n\r\nConnected=true");
    CHECK(put.status == 403);
    CHECK(daemon.log().find("refused (403): addressed to host \"evil.example.com") != std::string::npos);
    // HTTP/1.0 without Host (no browser sends that) is answered.
    CHECK(sendRaw("127.0.0.1", daemon.port(), "GET /management/apiversions HTTP/1.0\r\n\r\n").status == 200);
}

TEST_CASE("hardening: client text is escaped in the log, a forged line never appears") {
    TempDir state;
    auto daemon = DaemonProcess::serve(state.path(), {"--log-level", "debug"});
    // Form values carrying a newline and a fake log line: the error messages that quote them are logged.
    const auto action = httpForm(daemon.port(), "PUT", "/api/v1/camera/0/action",
                                 "Action=evil%0A2026-01-01%2000:00:00%20[critical]%20FORGED&Parameters=x");
    CHECK(action.status == 200);
    CHECK(httpForm(daemon.port(), "PUT", "/api/v1/focuser/0/move", "Position=1%0D%0AFORGED2").status == 400);
    CHECK(httpForm(daemon.port(), "PUT", "/api/v1/camera/0/binx", "BinX=%0AFORGED3").status == 400);
    REQUIRE(daemon.waitForLog("FORGED3", 5s).has_value());
    const std::string log = daemon.log();
    CHECK(log.find("1\\r\\nFORGED2") != std::string::npos);  // escaped, on the line of its request
    CHECK(log.find("\\nFORGED3") != std::string::npos);
    for (const char* forged : {"\n2026-01-01", "\nFORGED", "\r\nFORGED2", "\nFORGED3"}) {
        CAPTURE(forged);
        CHECK(log.find(forged) == std::string::npos);
    }
}

TEST_CASE("hardening: the setup pages say they may not be framed and load nothing from elsewhere") {
    TempDir state;
    auto daemon = DaemonProcess::serve(state.path());
    const auto reply = httpGet(daemon.port(), "/setup");
    REQUIRE(reply.status == 200);
    CHECK(reply.header("x-frame-options") == "DENY");
    CHECK(reply.header("content-security-policy").find("frame-ancestors 'none'") != std::string::npos);
    CHECK(reply.header("x-content-type-options") == "nosniff");
}
