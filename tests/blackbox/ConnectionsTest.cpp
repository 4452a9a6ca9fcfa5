// SPDX-License-Identifier: GPL-3.0-or-later
// Black-box tests of the HTTP server's connections (issue 16, item 1): crowds of idle, slow and
// keep-alive clients cannot keep others waiting; what a client beyond the limits gets; pipelined
// and half-closed requests. The figures under load are bench_http_load's.
#include "DaemonProcess.hpp"
#include "RawHttp.hpp"

#include <doctest/doctest.h>

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

using namespace sonyalpaca::test;
using namespace std::chrono_literals;

namespace {
using Clock = std::chrono::steady_clock;

int openConnection(std::uint16_t port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd >= 0 && ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0) return fd;
    if (fd >= 0) ::close(fd);
    return -1;
}

/// Everything `fd` receives until the server closes it or `timeout` passes.
std::string readUntilClosed(int fd, std::chrono::milliseconds timeout) {
    std::string text;
    const auto until = Clock::now() + timeout;
    for (int round = 0; round < 10'000 && Clock::now() < until; ++round) {
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, 50) <= 0) continue;
        char buffer[4096];
        const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
        if (n <= 0) break;
        text.append(buffer, static_cast<std::size_t>(n));
    }
    return text;
}

std::size_t count(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
}

const std::string kAsk = "GET /management/apiversions HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
}  // namespace

TEST_CASE(
    "connections: beside 8 keep-alive pollers, 100 idle and 40 slow connections, a new client is answered at once") {
    TempDir state;
    auto daemon = DaemonProcess::serve(state.path(), {"--no-discovery"});
    std::vector<std::unique_ptr<IdleConnection>> crowd;
    for (int i = 0; i < 108; ++i) crowd.push_back(std::make_unique<IdleConnection>(daemon.port()));
    for (const auto& each : crowd) REQUIRE(each->answered());
    SlowClients slow(daemon.port(), 40, 100ms, 4s);
    REQUIRE(slow.connected() == 40);
    std::this_thread::sleep_for(300ms);
    for (int i = 0; i < 5; ++i) {
        const auto start = Clock::now();
        const auto reply = sendRaw("127.0.0.1", daemon.port(), kAsk, 2s);
        const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
        CAPTURE(took.count());
        CHECK(reply.status == 200);
        CHECK(took < 1s);
    }
}

TEST_CASE("connections: beyond the limit of 384 a new client gets 503 with Retry-After and the reason, at once") {
    TempDir state;
    auto daemon = DaemonProcess::serve(state.path(), {"--no-discovery"});
    std::vector<std::unique_ptr<IdleConnection>> crowd;
    for (int i = 0; i < 384; ++i) crowd.push_back(std::make_unique<IdleConnection>(daemon.port()));
    std::size_t answered = 0;
    for (const auto& each : crowd)
        if (each->answered()) ++answered;
    REQUIRE(answered == 384);
    const auto start = Clock::now();
    const auto refused = sendRaw("127.0.0.1", daemon.port(), kAsk, 2s);
    CHECK(Clock::now() - start < 1s);
    CHECK(refused.status == 503);
    CHECK(refused.header("retry-after") == "2");
    CHECK(refused.body.find("384 connections open, its limit") != std::string::npos);
    // One gone, a new client is served again.
    crowd.pop_back();
    std::this_thread::sleep_for(200ms);
    CHECK(sendRaw("127.0.0.1", daemon.port(), kAsk, 2s).status == 200);
    CHECK(daemon.waitForLog("refused 1 connection\\(s\\) with 503", 1s).has_value());
}

TEST_CASE("connections: an idle connection is closed after 5 s, a request sent slower than 10 s is cut with 400") {
    TempDir state;
    auto daemon = DaemonProcess::serve(state.path(), {"--no-discovery"});
    const int idle = openConnection(daemon.port());
    const int slow = openConnection(daemon.port());
    REQUIRE(idle >= 0);
    REQUIRE(slow >= 0);
    const auto start = Clock::now();
    const std::string head = "GET /management/apiversions HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ";
    ::send(slow, head.data(), head.size(), MSG_NOSIGNAL);
    // The slow one sends a byte every 100 ms, which kept cpp-httplib's own read timeout from firing.
    std::string reply;
    for (int i = 0; i < 150 && reply.empty(); ++i) {
        ::send(slow, "x", 1, MSG_NOSIGNAL | MSG_DONTWAIT);
        reply = readUntilClosed(slow, 100ms);
    }
    const auto cut_after = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
    CAPTURE(cut_after.count());
    CHECK(reply.rfind("HTTP/1.1 400", 0) == 0);
    CHECK(cut_after >= 9500ms);
    CHECK(cut_after < 11s);
    // The idle one was closed long before (5 s).
    CHECK(readUntilClosed(idle, 100ms).empty());
    char byte;
    CHECK(::recv(idle, &byte, 1, MSG_DONTWAIT) == 0);
    ::close(idle);
    ::close(slow);
}

TEST_CASE("connections: pipelined requests each get their answer, and so does a request on a half-closed connection") {
    TempDir state;
    auto daemon = DaemonProcess::serve(state.path(), {"--no-discovery"});
    const int fd = openConnection(daemon.port());
    REQUIRE(fd >= 0);
    std::string requests;
    for (int i = 1; i <= 100; ++i)
        requests += "GET /management/apiversions?ClientTransactionID=" + std::to_string(i) +
                    " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + (i == 100 ? "Connection: close\r\n" : "") + "\r\n";
    REQUIRE(::send(fd, requests.data(), requests.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(requests.size()));
    const std::string replies = readUntilClosed(fd, 5s);
    ::close(fd);
    CHECK(count(replies, "HTTP/1.1 200") == 100);
    CHECK(count(replies, "\"ClientTransactionID\":100,") == 1);
    // The client says it sends nothing more, then waits for the answer.
    const auto reply = sendRaw("127.0.0.1", daemon.port(),
                               "GET /management/apiversions HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", 2s, true);
    CHECK(reply.status == 200);
}

TEST_CASE("connections: a path longer than 1024 characters is refused with 414") {
    TempDir state;
    auto daemon = DaemonProcess::serve(state.path(), {"--no-discovery"});
    const auto ask = [&](std::size_t length) {
        return sendRaw(
            "127.0.0.1", daemon.port(),
            "GET /" + std::string(length - 1, 'a') + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", 2s);
    };
    CHECK(ask(1024).status == 400);
    const auto refused = ask(1025);
    CHECK(refused.status == 414);
    CHECK(refused.body.find("longer than 1024 characters") != std::string::npos);
    CHECK(ask(8000).status == 414);
    CHECK(sendRaw("127.0.0.1", daemon.port(), kAsk, 2s).status == 200);
}
