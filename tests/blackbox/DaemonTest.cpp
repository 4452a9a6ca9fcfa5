// SPDX-License-Identifier: GPL-3.0-or-later
// Black-box tests of the daemon's life: command line, config errors, ports, signals, state,
// discovery, systemd notification, logging, and robustness against malformed requests.
#include "DaemonProcess.hpp"
#include "RawHttp.hpp"

#include <doctest/doctest.h>
#include <libraw/libraw.h>

#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <random>
#include <regex>
#include <thread>
#include <vector>

using namespace sonyalpaca::test;
using namespace std::chrono_literals;

namespace {
RunResult runWithConfig(const std::string& json, std::vector<std::string> extra = {}) {
    TempDir dir;
    const auto config = dir.path() / "config.json";
    std::ofstream(config) << json;
    std::vector<std::string> args{
        "serve",  "--config",  config.string(), "--state-dir", (dir.path() / "state").string(),
        "--bind", "127.0.0.1", "--port",        "0",           "--discovery-port",
        "0"};
    args.insert(args.end(), extra.begin(), extra.end());
    return runSonyalpaca(args, 5s);
}

std::string uniqueIdsOf(std::uint16_t port) {
    const auto reply = httpGet(port, "/management/v1/configureddevices");
    REQUIRE(reply.status == 200);
    const auto devices = reply.json()["Value"];
    std::string ids;
    for (const auto& device : devices) ids += device["UniqueID"].get<std::string>() + " ";
    return ids;
}

/// A datagram socket standing in for systemd's NOTIFY_SOCKET.
class NotifySocket {
public:
    explicit NotifySocket(const std::filesystem::path& path) : path_(path) {
        fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        sockaddr_un address{};
        address.sun_family = AF_UNIX;
        path.string().copy(address.sun_path, sizeof address.sun_path - 1);
        REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    }
    ~NotifySocket() { ::close(fd_); }
    NotifySocket(const NotifySocket&) = delete;
    NotifySocket& operator=(const NotifySocket&) = delete;

    /// Collects messages until one contains `wanted` or `timeout` passes; returns everything read.
    std::string readUntil(const std::string& wanted, std::chrono::milliseconds timeout) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (std::chrono::steady_clock::now() < deadline && received_.find(wanted) == std::string::npos) {
            pollfd fd{fd_, POLLIN, 0};
            if (::poll(&fd, 1, 50) <= 0) continue;
            char buffer[4096];
            const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
            if (n > 0) received_ += std::string(buffer, static_cast<std::size_t>(n)) + "\n";
        }
        return received_;
    }

private:
    std::filesystem::path path_;
    int fd_ = -1;
    std::string received_;
};
}  // namespace

TEST_CASE("daemon: --version, --help and usage errors") {
    const auto version = runSonyalpaca({"--version"});
    CHECK(version.exit_code == 0);
    CHECK(std::regex_search(version.output, std::regex(R"(^sonyalpaca \d+\.\d+\.\d+)")));
    const auto help = runSonyalpaca({"--help"});
    CHECK(help.exit_code == 0);
    for (const char* option : {"--camera", "--bind", "--port", "--discovery-port", "--no-discovery", "--config",
                               "--state-dir", "--lens", "--log-level"})
        CHECK(help.output.find(option) != std::string::npos);
    CHECK(runSonyalpaca({}).exit_code == 2);
    const auto unknown = runSonyalpaca({"serve", "--frobnicate"});
    CHECK(unknown.exit_code == 2);
    CHECK(unknown.output.find("--frobnicate") != std::string::npos);
}

TEST_CASE("daemon: a bad config stops start-up with exit code 2 and names the key") {
    struct Case {
        const char* json;
        std::vector<std::string> extra;
        const char* expected;
    };
    const Case cases[] = {
        {R"({"prot": 1})", {}, "unknown key \"prot\""},
        {R"({"port": 70000})", {}, "key \"port\": 70000 is not a port"},
        {R"({"port": 1,})", {}, "is not valid JSON"},
        {R"({"log_level": "loud"})", {}, "key \"log_level\""},
        {R"({"camera": "usb"})", {}, "key \"camera\""},
        {R"({"bind": ["localhost"]})", {}, "key \"bind\""},
        {"{}", {"--port", "x"}, "--port"},
        {"{}", {"--lens", "no-such-lens"}, "\"no-such-lens\" is not in the lens profiles; allowed: SELP1650"},
        {R"({"focuser_homing": "sometimes"})",
         {},
         "key \"focuser_homing\": \"sometimes\" is not allowed; allowed: "
         "every-connect, first-connect, never"},
        {R"({"focuser_rehome_sigma": -1})", {}, "key \"focuser_rehome_sigma\": "},
        {R"({"focuser_approach": "up"})", {}, "key \"focuser_approach\""},
        {R"({"focuser_backlash": "two"})", {}, "key \"focuser_backlash\": expected a number"},
        {"{}", {"--focuser-backlash", "2x"}, "--focuser-backlash"},
        {R"({"raw_type": "Lossless Compressed RAW M"})",
         {},
         "key \"raw_type\": \"Lossless Compressed RAW M\" is refused"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.json);
        const auto result = runWithConfig(c.json, c.extra);
        CHECK(result.exit_code == 2);
        CHECK(result.output.find(c.expected) != std::string::npos);
    }
    const auto missing = runSonyalpaca({"serve", "--config", "/nonexistent/config.json"});
    CHECK(missing.exit_code == 2);
    CHECK(missing.output.find("/nonexistent/config.json: no such file") != std::string::npos);
}

TEST_CASE("daemon: lossless-compressed RAW is refused with the fix where LibRaw cannot decode it (Debian 12)") {
    if (LibRaw::versionNumber() >= LIBRAW_MAKE_VERSION(0, 21, 0)) return;  // Debian 13: accepted (CameraTest)
    const auto result = runWithConfig(R"({"raw_type": "Lossless Compressed RAW"})", {});
    CHECK(result.exit_code == 2);
    CHECK(result.output.find("key \"raw_type\": \"Lossless Compressed RAW\" is refused: LibRaw 0.20") !=
          std::string::npos);
    CHECK(result.output.find("Debian 13") != std::string::npos);
}

TEST_CASE("daemon: a port in use is a clear error with exit code 1") {
    TempDir state;
    auto first = DaemonProcess::serve(state.path() / "a");
    TempDir other;
    const auto second = runSonyalpaca({"serve", "--bind", "127.0.0.1", "--port", std::to_string(first.port()),
                                       "--no-discovery", "--state-dir", other.path().string()});
    CHECK(second.exit_code == 1);
    CHECK(second.output.find("already in use") != std::string::npos);
    CHECK(httpGet(first.port(), "/management/apiversions").status == 200);
}

TEST_CASE("daemon: SIGTERM ends it within 2 s while slow clients keep sending their headers") {
    for (const int count : {1, 8, 40}) {
        CAPTURE(count);
        TempDir state;
        auto daemon = DaemonProcess::serve(state.path());
        const IdleConnection idle(daemon.port());
        SlowClients slow(daemon.port(), count);
        REQUIRE(slow.connected() == static_cast<std::size_t>(count));
        std::this_thread::sleep_for(500ms);  // every connection is being read by then
        const auto started = std::chrono::steady_clock::now();
        daemon.signal(SIGTERM);
        const auto code = daemon.wait(3s);
        const auto took = std::chrono::steady_clock::now() - started;
        MESSAGE("SIGTERM with ", count, " slow clients: exit after ",
                std::chrono::duration_cast<std::chrono::milliseconds>(took).count(), " ms");
        CHECK(code == 0);
        CHECK(took < 2s);
        CHECK(daemon.log().find("stopped in") != std::string::npos);
        // Every connection's wait ended at once: nothing had to be cut.
        CHECK(daemon.log().find("are cut") == std::string::npos);
    }
}

TEST_CASE("daemon: SIGTERM and SIGINT stop it cleanly within 2 s") {
    for (const int signal : {SIGTERM, SIGINT}) {
        CAPTURE(signal);
        TempDir state;
        auto daemon = DaemonProcess::serve(state.path());
        // A keep-alive connection left open must not hold the shutdown up.
        const IdleConnection idle(daemon.port());
        CHECK(idle.answered());
        const auto started = std::chrono::steady_clock::now();
        daemon.signal(signal);
        const auto code = daemon.wait(2s);
        CHECK(code == 0);
        CHECK(std::chrono::steady_clock::now() - started < 2s);
        CHECK(daemon.log().find("stopped in") != std::string::npos);
    }
}

TEST_CASE("daemon: UniqueIDs are kept in the state directory across restarts") {
    TempDir state;
    std::string ids;
    {
        auto daemon = DaemonProcess::serve(state.path());
        ids = uniqueIdsOf(daemon.port());
        daemon.signal(SIGTERM);
        CHECK(daemon.wait(2s) == 0);
    }
    CHECK(std::regex_match(ids,
                           std::regex(R"(([0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12} ){2})")));
    auto again = DaemonProcess::serve(state.path());
    CHECK(uniqueIdsOf(again.port()) == ids);
    TempDir elsewhere;
    auto fresh = DaemonProcess::serve(elsewhere.path());
    CHECK(uniqueIdsOf(fresh.port()) != ids);
}

TEST_CASE("daemon: without --config the setup page saves to STATE_DIR/settings.json, read at the next start") {
    TempDir state;
    const auto settings_file = state.path() / "settings.json";
    const std::vector<std::string> args{"serve", "--bind",      "127.0.0.1",          "--port", "0", "--discovery-port",
                                        "0",     "--state-dir", state.path().string()};
    auto start = [&](std::vector<std::string> extra = {}) {
        std::vector<std::string> all = args;
        all.insert(all.end(), extra.begin(), extra.end());
        DaemonProcess daemon(all);
        REQUIRE_MESSAGE(daemon.waitUntilListening(), daemon.log());
        return daemon;
    };
    {
        auto daemon = start();
        CHECK(daemon.log().find("the setup page saves settings to " + settings_file.string()) != std::string::npos);
        const auto page = httpGet(daemon.port(), "/setup").body;
        CHECK(page.find("Saved to <code>" + settings_file.string() + "</code>") != std::string::npos);
        const std::string marker = "name=\"csrf\" value=\"";
        const auto at = page.find(marker);
        REQUIRE(at != std::string::npos);
        const std::string token = page.substr(at + marker.size(), 32);
        const auto saved = httpForm(daemon.port(), "POST", "/setup/settings",
                                    "csrf=" + token + "&keep_raw=true&raw_type=Compressed+RAW&focuser_homing=");
        CHECK(saved.status == 200);
        CHECK(saved.body.find("Saved to " + settings_file.string()) != std::string::npos);
        daemon.signal(SIGTERM);
        CHECK(daemon.wait(2s) == 0);
    }
    std::ifstream in(settings_file);
    REQUIRE(in);
    CHECK(nlohmann::json::parse(in) == nlohmann::json{{"keep_raw", true}, {"raw_type", "Compressed RAW"}});
    {
        auto daemon = start();  // the saved settings apply
        CHECK(daemon.log().find("keeping the raw file of every exposure") != std::string::npos);
    }
    {
        auto daemon = start({"--keep-raw", "false"});  // the command line wins
        CHECK(daemon.log().find("keeping the raw file") == std::string::npos);
    }
    std::ofstream(state.path() / "other.json") << "{}";
    {
        auto daemon = start({"--config", (state.path() / "other.json").string()});
        CHECK(daemon.log().find("the setup page saves settings to " + (state.path() / "other.json").string()) !=
              std::string::npos);
    }
    std::ofstream(settings_file) << R"({"state_dir": "/tmp"})";
    const auto moved = runSonyalpaca(args, 5s);
    CHECK(moved.exit_code == 2);
    CHECK(moved.output.find(settings_file.string() + ": key \"state_dir\"") != std::string::npos);
}

TEST_CASE("daemon: discovery answers on the bound addresses only, with the API port") {
    {
        // Bound to 127.0.0.1 (as serve() does) and ::1: both answered.
        TempDir state;
        auto daemon = DaemonProcess::serve(state.path(), {"--bind", "::1"});
        const std::string expected = "{\"AlpacaPort\":" + std::to_string(daemon.port()) + "}";
        CHECK(udpExchange("127.0.0.1", daemon.discoveryPort(), "alpacadiscovery1") == expected);
        CHECK(udpExchange("::1", daemon.discoveryPort(), "alpacadiscovery1") == expected);
    }
    TempDir state;
    auto daemon = DaemonProcess::serve(state.path());
    REQUIRE(daemon.discoveryPort() != 0);
    const std::string expected = "{\"AlpacaPort\":" + std::to_string(daemon.port()) + "}";
    CHECK(udpExchange("127.0.0.1", daemon.discoveryPort(), "alpacadiscovery1") == expected);
    // Bound to 127.0.0.1 only: a request to ::1 would lead the client to an address it is not served on.
    CHECK_FALSE(udpExchange("::1", daemon.discoveryPort(), "alpacadiscovery1", 300ms).has_value());
    CHECK(daemon.log().find("for requests to 127.0.0.1 (as --bind)") != std::string::npos);
    CHECK_FALSE(udpExchange("127.0.0.1", daemon.discoveryPort(), "alpacadiscovery2", 200ms).has_value());
    CHECK(udpExchange("127.0.0.1", daemon.discoveryPort(), "alpacadiscovery1") == expected);
}

TEST_CASE("daemon: --no-discovery opens no discovery socket") {
    TempDir state;
    auto daemon = DaemonProcess::serve(state.path(), {"--no-discovery"});
    CHECK(daemon.discoveryPort() == 0);
    CHECK(daemon.log().find("Alpaca discovery is off") != std::string::npos);
}

TEST_CASE("daemon: serves IPv6 when bound to ::1") {
    TempDir state;
    auto daemon = DaemonProcess::serve(state.path(), {"--bind", "::1"});
    // serve() binds 127.0.0.1 too; both must answer.
    CHECK(sendRaw("::1", daemon.port(),
                  "GET /management/apiversions HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
              .status == 200);
    CHECK(httpGet(daemon.port(), "/management/apiversions").status == 200);
}

TEST_CASE("daemon: by default, and with both wildcards, it serves IPv4 and IPv6") {
    const std::vector<std::string> defaults{};
    const std::vector<std::string> wildcards{"--bind", "0.0.0.0", "--bind", "::", "--bind", "127.0.0.1"};
    for (const auto& binds : {defaults, wildcards}) {
        CAPTURE(binds.size());
        TempDir state;
        std::vector<std::string> args{
            "serve", "--port", "0", "--no-discovery", "--state-dir", state.path().string(), "--config", "/dev/null"};
        args.insert(args.end(), binds.begin(), binds.end());
        DaemonProcess daemon(args);
        REQUIRE(daemon.waitUntilListening());
        const std::string request =
            "GET /management/apiversions HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
        CHECK(sendRaw("127.0.0.1", daemon.port(), request).status == 200);
        CHECK(sendRaw("::1", daemon.port(), request).status == 200);
    }
}

TEST_CASE("daemon: with no body attached, connecting answers a clear Alpaca error") {
    TempDir state;
    auto daemon = DaemonProcess::serve(state.path());
    for (const char* device : {"camera", "focuser"}) {
        const std::string base = std::string("/api/v1/") + device + "/0/";
        const auto reply = httpForm(daemon.port(), "PUT", base + "connected", "Connected=true&ClientTransactionID=3");
        REQUIRE(reply.status == 200);
        const auto json = reply.json();
        CHECK(json["ErrorNumber"] == 0x407);
        CHECK(json["ClientTransactionID"] == 3);
        CHECK(json["ErrorMessage"].get<std::string>().find("no Sony body is attached") != std::string::npos);
        CHECK(httpForm(daemon.port(), "PUT", base + "connect", "").json()["ErrorNumber"] == 0x407);
        CHECK(httpGet(daemon.port(), base + "connected").json()["Value"] == false);
    }
}

TEST_CASE("daemon: 1,000 malformed requests, and the server still answers") {
    TempDir state;
    auto daemon = DaemonProcess::serve(state.path());
    std::mt19937 random(12345);
    // Requests a server can misread; the truncated ones promise bytes that never come.
    struct Malformed {
        std::string bytes;
        bool truncated;
    };
    const std::vector<Malformed> fixed = {
        {"\r\n\r\n", false},
        {"GET\r\n\r\n", false},
        {"GET / HTTP/9.9\r\n\r\n", false},
        {"PUT /api/v1/camera/0/connected HTTP/1.1\r\nHost: localhost\r\nContent-Length: -5\r\n\r\nConnected=true",
         true},
        {"PUT /api/v1/camera/0/connected HTTP/1.1\r\nContent-Length: 99999\r\n\r\nConnected=true", true},
        {"PUT /api/v1/camera/0/connected HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", true},
        {"GET /api/v1/camera/0/name?ClientID=%ZZ&%%%=%%% HTTP/1.1\r\n\r\n", false},
        {"GET /api/v1/camera/%00/name HTTP/1.1\r\n\r\n", false},
        {"GET /api/v1/camera/0/name?" + std::string(9000, 'a') + " HTTP/1.1\r\n\r\n", false},
        {"GET /api/v1/camera/0/name HTTP/1.1\r\nX: " + std::string(9000, 'b') + "\r\n\r\n", false},
        {"PUT /api/v1/camera/0/binx HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
         "Content-Length: 9\r\n\r\nBinX=\xff\xfe" +
             std::string(1, '\0') + "\x01",
         false},
        {"BREW /coffee HTCPCP/1.0\r\n\r\n", false},
        {"GET /api/v1/camera/0/name?ClientTransactionID=\xc3\x28 HTTP/1.1\r\n\r\n", false},
        {"GET /../../etc/passwd HTTP/1.1\r\n\r\n", false},
        {"PUT /api/v1/focuser/0/move HTTP/1.1\r\nContent-Length: 23\r\n\r\nPosition=99999999999999", false},
        {"GET /api/v1/camera/0/name HTTP/1.1\r\nHost: localhost\r\n", true},
    };
    int answered = 0;
    for (int i = 0; i < 1000; ++i) {
        Malformed request{"", i % 2 == 0};  // random bytes may leave a server waiting for more
        if (i % 3 == 0) {
            request = fixed[static_cast<std::size_t>(i / 3) % fixed.size()];
        } else {
            // Random bytes, sometimes behind a plausible request line.
            std::uniform_int_distribution<int> length(0, 300), byte(0, 255);
            if (i % 3 == 1) request.bytes = "GET /api/v1/camera/0/";
            const int n = length(random);
            for (int k = 0; k < n; ++k) request.bytes.push_back(static_cast<char>(byte(random)));
            request.bytes += "\r\n\r\n";
        }
        const auto reply = sendRaw("127.0.0.1", daemon.port(), request.bytes, 2s, request.truncated);
        if (reply.status != 0) ++answered;
        CHECK((reply.status == 0 || reply.status == 400 || reply.status == 413 || reply.status == 414));
    }
    MESSAGE(answered << " of 1000 malformed requests got an HTTP error reply; the rest were closed");
    CHECK(daemon.wait(0ms) == std::nullopt);
    const auto reply = httpGet(daemon.port(), "/api/v1/camera/0/name?ClientTransactionID=1");
    REQUIRE(reply.status == 200);
    CHECK(reply.json()["Value"] == "Sony camera");
}

TEST_CASE("daemon: a POST or PUT with no body and no Content-Length is answered at once") {
    // A request without Content-Length or Transfer-Encoding has no body; the server must not wait
    // for one (cpp-httplib alone read until its 5 s timeout and answered an empty 400).
    TempDir state;
    auto daemon = DaemonProcess::serve(state.path());
    struct Case {
        std::string request_line;
        int status;
        std::string body_part;
    };
    const std::vector<Case> cases = {
        {"POST /setup/focuser/halt", 403, "form token is missing"},
        {"POST /setup/settings", 403, "form token is missing"},
        {"POST /setup/focuser/learn", 403, "form token is missing"},
        {"PUT /api/v1/focuser/0/halt", 200, "\"ErrorNumber\":1031"},
        {"DELETE /api/v1/focuser/0/halt", 400, ""},
    };
    for (const auto& c : cases) {
        for (const char* connection : {"Connection: close\r\n", ""}) {  // also on a kept-alive connection
            CAPTURE(c.request_line);
            CAPTURE(connection);
            const auto start = std::chrono::steady_clock::now();
            const auto reply = sendRaw("127.0.0.1", daemon.port(),
                                       c.request_line + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + connection + "\r\n", 4s);
            CHECK(std::chrono::steady_clock::now() - start < 1s);
            CHECK(reply.status == c.status);
            CHECK(reply.body.find(c.body_part) != std::string::npos);
        }
    }
}

TEST_CASE("daemon: tells systemd READY, pings the watchdog, and says STOPPING") {
    TempDir dir;
    NotifySocket notify(dir.path() / "notify.sock");
    DaemonProcess daemon({"serve", "--bind", "127.0.0.1", "--port", "0", "--discovery-port", "0", "--state-dir",
                          (dir.path() / "state").string(), "--config", "/dev/null"},
                         {{"NOTIFY_SOCKET", (dir.path() / "notify.sock").string()}, {"WATCHDOG_USEC", "400000"}});
    CHECK(notify.readUntil("READY=1", 5s).find("READY=1") != std::string::npos);
    // Half of 400 ms: at least three pings in a second.
    std::this_thread::sleep_for(1s);
    const auto before = notify.readUntil("never", 50ms);
    std::size_t pings = 0;
    for (auto at = before.find("WATCHDOG=1"); at != std::string::npos; at = before.find("WATCHDOG=1", at + 1)) ++pings;
    CHECK(pings >= 3);
    daemon.signal(SIGTERM);
    CHECK(notify.readUntil("STOPPING=1", 2s).find("STOPPING=1") != std::string::npos);
    CHECK(daemon.wait(2s) == 0);
}

TEST_CASE("daemon: the watchdog is fed only while the HTTP server answers") {
    TempDir dir;
    NotifySocket notify(dir.path() / "notify.sock");
    DaemonProcess daemon({"serve", "--bind", "127.0.0.1", "--port", "0", "--discovery-port", "0", "--state-dir",
                          (dir.path() / "state").string(), "--config", "/dev/null"},
                         {{"NOTIFY_SOCKET", (dir.path() / "notify.sock").string()}, {"WATCHDOG_USEC", "400000"}});
    REQUIRE(daemon.waitUntilListening());
    CHECK(notify.readUntil("READY=1", 5s).find("READY=1") != std::string::npos);
    const auto countPings = [&](std::chrono::milliseconds during) {
        const std::size_t before = notify.readUntil("never", 10ms).size();
        const std::string text = notify.readUntil("never", during).substr(before);
        std::size_t pings = 0;
        for (auto at = text.find("WATCHDOG=1"); at != std::string::npos; at = text.find("WATCHDOG=1", at + 1)) ++pings;
        return pings;
    };
    CHECK(countPings(1s) >= 3);
    {
        // More slow clients than the HTTP server has workers, if it has that few: while no worker is
        // free, a new request is not answered, and then the watchdog must not be fed.
        SlowClients slow(daemon.port(), 40, 100ms, 8s);
        std::this_thread::sleep_for(600ms);
        const bool answers =
            sendRaw("127.0.0.1", daemon.port(),
                    "GET /management/apiversions HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", 1s)
                .status == 200;
        const std::size_t pings = countPings(1500ms);
        MESSAGE("with 40 slow clients the server ", std::string(answers ? "answers" : "does not answer"), "; ", pings,
                " watchdog pings in 1.5 s");
        if (answers) {
            CHECK(pings >= 3);
        } else {
            CHECK(pings == 0);
            CHECK(daemon.log().find("did not answer a request of its own") != std::string::npos);
        }
    }
    // The slow clients gone, the server answers and the watchdog is fed again.
    std::this_thread::sleep_for(1500ms);
    CHECK(countPings(1s) >= 3);
    daemon.signal(SIGTERM);
    CHECK(daemon.wait(3s) == 0);
}

TEST_CASE("daemon: logs with syslog priorities and no timestamps under journald") {
    TempDir dir;
    DaemonProcess daemon({"serve", "--bind", "127.0.0.1", "--port", "0", "--discovery-port", "0", "--state-dir",
                          dir.path().string(), "--config", "/dev/null"},
                         {{"JOURNAL_STREAM", DaemonProcess::kStderrIdentity}});
    REQUIRE(daemon.waitUntilListening());
    daemon.signal(SIGTERM);
    CHECK(daemon.wait(2s) == 0);
    const auto log = daemon.log();
    CHECK(log.find("<6>server: Alpaca API listening on 127.0.0.1:") != std::string::npos);
    CHECK_FALSE(std::regex_search(log, std::regex(R"(\d{4}-\d{2}-\d{2} \d{2}:\d{2})")));
}
