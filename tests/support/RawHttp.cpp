// SPDX-License-Identifier: GPL-3.0-or-later
#include "RawHttp.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace sonyalpaca::test {
namespace {
/// A socket address for a numeric IPv4 or IPv6 address.
sockaddr_storage makeAddress(const std::string& host, std::uint16_t port, socklen_t& size) {
    sockaddr_storage storage{};
    if (host.find(':') != std::string::npos) {
        auto* in6 = reinterpret_cast<sockaddr_in6*>(&storage);
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons(port);
        ::inet_pton(AF_INET6, host.c_str(), &in6->sin6_addr);
        size = sizeof(sockaddr_in6);
    } else {
        auto* in4 = reinterpret_cast<sockaddr_in*>(&storage);
        in4->sin_family = AF_INET;
        in4->sin_port = htons(port);
        ::inet_pton(AF_INET, host.c_str(), &in4->sin_addr);
        size = sizeof(sockaddr_in);
    }
    return storage;
}

class Socket {
public:
    explicit Socket(int fd) : fd_(fd) {}
    ~Socket() {
        if (fd_ >= 0) ::close(fd_);
    }
    Socket(const Socket&) = delete;
    Socket& operator=(const Socket&) = delete;
    int get() const { return fd_; }

private:
    int fd_;
};

std::string lower(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

/// Parses what was read; returns true when the reply is complete.
bool parseReply(const std::string& data, HttpReply& reply, bool closed) {
    const auto end = data.find("\r\n\r\n");
    if (end == std::string::npos) return false;
    reply = HttpReply{};
    const std::string head = data.substr(0, end);
    std::size_t line_end = head.find("\r\n");
    const std::string status_line = head.substr(0, line_end);
    if (status_line.size() >= 12) reply.status = std::atoi(status_line.c_str() + 9);
    while (line_end != std::string::npos) {
        const std::size_t start = line_end + 2;
        line_end = head.find("\r\n", start);
        const std::string line =
            head.substr(start, line_end == std::string::npos ? std::string::npos : line_end - start);
        const auto colon = line.find(':');
        if (colon == std::string::npos) continue;
        std::string value = line.substr(colon + 1);
        value.erase(0, value.find_first_not_of(' '));
        reply.headers[lower(line.substr(0, colon))] = value;
    }
    reply.body = data.substr(end + 4);
    const std::string length = reply.header("content-length");
    if (!length.empty()) {
        const auto expected = static_cast<std::size_t>(std::stoull(length));
        if (reply.body.size() >= expected) {
            reply.body.resize(expected);
            return true;
        }
        return false;
    }
    return closed;
}
}  // namespace

std::string HttpReply::header(const std::string& lower_case_name) const {
    const auto found = headers.find(lower_case_name);
    return found == headers.end() ? std::string() : found->second;
}

HttpReply sendRaw(const std::string& host, std::uint16_t port, const std::string& raw,
                  std::chrono::milliseconds timeout, bool end_sending) {
    socklen_t size = 0;
    const auto address = makeAddress(host, port, size);
    Socket socket(::socket(address.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0));
    HttpReply reply;
    if (socket.get() < 0 || ::connect(socket.get(), reinterpret_cast<const sockaddr*>(&address), size) != 0)
        return reply;
    std::size_t sent = 0;
    while (sent < raw.size()) {
        const ssize_t n = ::send(socket.get(), raw.data() + sent, raw.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) break;
        sent += static_cast<std::size_t>(n);
    }
    if (end_sending) ::shutdown(socket.get(), SHUT_WR);
    std::string data;
    // Once the head is in, the whole reply's size (head + Content-Length): a large body (an image)
    // is then parsed once, not again after every piece.
    std::optional<std::size_t> whole;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        pollfd fd{socket.get(), POLLIN, 0};
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (::poll(&fd, 1, static_cast<int>(std::max<long long>(1, left.count()))) <= 0) break;
        char buffer[65536];
        const ssize_t n = ::recv(socket.get(), buffer, sizeof buffer, 0);
        if (n <= 0) {
            parseReply(data, reply, true);
            return reply;
        }
        data.append(buffer, static_cast<std::size_t>(n));
        if (whole) {
            if (data.size() >= *whole && parseReply(data, reply, false)) return reply;
            continue;
        }
        if (parseReply(data, reply, false)) return reply;
        if (const auto end = data.find("\r\n\r\n"); end != std::string::npos) {
            const std::string length = reply.header("content-length");
            if (!length.empty()) whole = end + 4 + static_cast<std::size_t>(std::stoull(length));
        }
    }
    parseReply(data, reply, true);
    return reply;
}

IdleConnection::IdleConnection(std::uint16_t port) {
    socklen_t size = 0;
    const auto address = makeAddress("127.0.0.1", port, size);
    fd_ = ::socket(address.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0 || ::connect(fd_, reinterpret_cast<const sockaddr*>(&address), size) != 0) return;
    const std::string request = "GET /management/apiversions HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    if (::send(fd_, request.data(), request.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(request.size())) return;
    pollfd fd{fd_, POLLIN, 0};
    char buffer[4096];
    if (::poll(&fd, 1, 2000) > 0 && ::recv(fd_, buffer, sizeof buffer, 0) > 12)
        answered_ = std::string(buffer, 12) == "HTTP/1.1 200";
}

IdleConnection::~IdleConnection() {
    if (fd_ >= 0) ::close(fd_);
}

SlowClients::SlowClients(std::uint16_t port, int count, std::chrono::milliseconds every, std::chrono::seconds limit) {
    for (int i = 0; i < count; ++i) {
        socklen_t size = 0;
        const auto address = makeAddress("127.0.0.1", port, size);
        const int fd = ::socket(address.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd >= 0 && ::connect(fd, reinterpret_cast<const sockaddr*>(&address), size) == 0)
            fds_.push_back(fd);
        else if (fd >= 0)
            ::close(fd);
    }
    thread_ = std::thread([this, every, limit] {
        const std::string start = "GET /management/apiversions HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ";
        for (const int fd : fds_) ::send(fd, start.data(), start.size(), MSG_NOSIGNAL);
        const auto until = std::chrono::steady_clock::now() + limit;
        for (int n = 0; n < 10'000 && !stop_ && std::chrono::steady_clock::now() < until; ++n) {
            for (const int fd : fds_) ::send(fd, "x", 1, MSG_NOSIGNAL | MSG_DONTWAIT);
            std::this_thread::sleep_for(every);
        }
    });
}

SlowClients::~SlowClients() {
    stop_ = true;
    thread_.join();
    for (const int fd : fds_) ::close(fd);
}

HttpReply httpGet(std::uint16_t port, const std::string& target, const std::string& extra_headers) {
    return sendRaw("127.0.0.1", port,
                   "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json\r\n" + extra_headers +
                       "Connection: close\r\n\r\n");
}

HttpReply httpForm(std::uint16_t port, const std::string& method, const std::string& path, const std::string& body) {
    return sendRaw("127.0.0.1", port,
                   method + " " + path +
                       " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json\r\n"
                       "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: " +
                       std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body);
}

std::optional<std::string> udpExchange(const std::string& address, std::uint16_t port, const std::string& payload,
                                       std::chrono::milliseconds timeout) {
    socklen_t size = 0;
    const auto target = makeAddress(address, port, size);
    Socket socket(::socket(target.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    if (socket.get() < 0) return std::nullopt;
    if (::sendto(socket.get(), payload.data(), payload.size(), 0, reinterpret_cast<const sockaddr*>(&target), size) < 0)
        return std::nullopt;
    pollfd fd{socket.get(), POLLIN, 0};
    if (::poll(&fd, 1, static_cast<int>(timeout.count())) <= 0) return std::nullopt;
    char buffer[2048];
    const ssize_t n = ::recv(socket.get(), buffer, sizeof buffer, 0);
    if (n < 0) return std::nullopt;
    return std::string(buffer, static_cast<std::size_t>(n));
}

namespace {
nlohmann::json alpacaReply(const HttpReply& reply, const std::string& what) {
    if (reply.status != 200)
        throw std::runtime_error(what + " answered HTTP " + std::to_string(reply.status) + ": " + reply.body);
    return reply.json();
}
}  // namespace

nlohmann::json alpacaGet(std::uint16_t port, const std::string& device, const std::string& member) {
    const std::string path = "/api/v1/" + device + "/" + member;
    return alpacaReply(httpGet(port, path), "GET " + path);
}

nlohmann::json alpacaPut(std::uint16_t port, const std::string& device, const std::string& member,
                         const std::string& form) {
    const std::string path = "/api/v1/" + device + "/" + member;
    return alpacaReply(httpForm(port, "PUT", path, form), "PUT " + path);
}

}  // namespace sonyalpaca::test
