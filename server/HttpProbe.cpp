// SPDX-License-Identifier: GPL-3.0-or-later
#include "server/HttpProbe.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace sonyalpaca::server {
namespace {
using Clock = std::chrono::steady_clock;

/// Milliseconds left until `deadline`, at least 0.
int remaining(Clock::time_point deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    return static_cast<int>(std::clamp<long long>(left, 0, 60'000));
}

/// Waits for `events` on `fd` until `deadline`; false on timeout or error.
bool waitFor(int fd, short events, Clock::time_point deadline) {
    while (true) {
        pollfd entry{fd, events, 0};
        const int ready = ::poll(&entry, 1, remaining(deadline));
        if (ready > 0) return (entry.revents & (events | POLLHUP | POLLERR)) != 0;
        if (ready == 0 || errno != EINTR) return false;
    }
}

struct Socket {
    int fd = -1;
    ~Socket() {
        if (fd >= 0) ::close(fd);
    }
};
}  // namespace

std::string probeAddress(const std::vector<std::string>& bind) {
    if (bind.empty()) return "127.0.0.1";
    for (const auto& address : bind)
        if (address == "::" || address == "0.0.0.0") return "127.0.0.1";
    return bind.front();
}

bool httpAnswers(const std::string& address, std::uint16_t port, std::chrono::milliseconds timeout) noexcept {
    const auto deadline = Clock::now() + timeout;
    sockaddr_storage storage{};
    socklen_t size = 0;
    const bool v6 = address.find(':') != std::string::npos;
    if (v6) {
        auto* in6 = reinterpret_cast<sockaddr_in6*>(&storage);
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons(port);
        if (::inet_pton(AF_INET6, address.c_str(), &in6->sin6_addr) != 1) return false;
        size = sizeof(sockaddr_in6);
    } else {
        auto* in4 = reinterpret_cast<sockaddr_in*>(&storage);
        in4->sin_family = AF_INET;
        in4->sin_port = htons(port);
        if (::inet_pton(AF_INET, address.c_str(), &in4->sin_addr) != 1) return false;
        size = sizeof(sockaddr_in);
    }
    Socket socket{::socket(storage.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)};
    if (socket.fd < 0) return false;
    if (::connect(socket.fd, reinterpret_cast<sockaddr*>(&storage), size) != 0) {
        if (errno != EINPROGRESS || !waitFor(socket.fd, POLLOUT, deadline)) return false;
        int error = 0;
        socklen_t length = sizeof error;
        if (::getsockopt(socket.fd, SOL_SOCKET, SO_ERROR, &error, &length) != 0 || error != 0) return false;
    }
    const std::string host = v6 ? "[" + address + "]" : address;
    const std::string request = "GET /management/apiversions HTTP/1.1\r\nHost: " + host + ":" + std::to_string(port) +
                                "\r\nConnection: close\r\n\r\n";
    std::size_t sent = 0;
    while (sent < request.size()) {
        if (!waitFor(socket.fd, POLLOUT, deadline)) return false;
        const ssize_t n = ::send(socket.fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
        if (n < 0 && errno != EAGAIN && errno != EINTR) return false;
        if (n > 0) sent += static_cast<std::size_t>(n);
    }
    std::string reply;
    while (reply.size() < 12) {  // "HTTP/1.1 200"
        if (!waitFor(socket.fd, POLLIN, deadline)) return false;
        char buffer[256];
        const ssize_t n = ::recv(socket.fd, buffer, sizeof buffer, 0);
        if (n == 0) break;
        if (n < 0 && errno != EAGAIN && errno != EINTR) return false;
        if (n > 0) reply.append(buffer, static_cast<std::size_t>(n));
    }
    return reply.size() >= 12 && reply.compare(0, 5, "HTTP/") == 0 && reply.compare(9, 3, "200") == 0;
}

}  // namespace sonyalpaca::server
