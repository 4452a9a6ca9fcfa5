// SPDX-License-Identifier: GPL-3.0-or-later
#include "alpaca/HttpServer.hpp"

#include "alpaca/GuardedServer.hpp"
#include "alpaca/Router.hpp"
#include "config/Log.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>

namespace sonyalpaca::alpaca {
namespace {
constexpr std::size_t kMaxBody = 1 << 20;  // Alpaca PUT bodies are a few hundred bytes
// Bytes handed to the socket per call of a streamed body: large enough for full loopback speed,
// small enough that a stopping server is not held up by one piece.
constexpr std::size_t kStreamPiece = std::size_t{1} << 20;
// Paths longer than this are refused (414) before routing: no Alpaca or setup path comes near it,
// and cpp-httplib matches routes with std::regex, whose stack use grows with the path.
constexpr std::size_t kMaxPath = 1024;
// Connections the kernel queues before they are accepted.
constexpr int kListenBacklog = 511;

bool isIpv6(const std::string& address) { return address.find(':') != std::string::npos; }

std::string endpoint(const std::string& address, std::uint16_t port) {
    return (isIpv6(address) ? "[" + address + "]" : address) + ":" + std::to_string(port);
}

void serverSocketOptions(int fd) {
    const int yes = 1;
    // SO_REUSEADDR only: unlike cpp-httplib's default (SO_REUSEPORT), a second daemon on the same port
    // must fail to start instead of silently sharing the connections.
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
}

/// The addresses to bind. cpp-httplib makes every IPv6 listener dual-stack (IPV6_V6ONLY off), so
/// "::" alone serves every IPv4 and IPv6 address, and "0.0.0.0" every IPv4 one; addresses a
/// wildcard already covers would only collide with it, so they are dropped (and logged).
std::vector<std::string> effectiveAddresses(const std::vector<std::string>& wanted) {
    const auto has = [&](const char* address) {
        return std::find(wanted.begin(), wanted.end(), address) != wanted.end();
    };
    std::vector<std::string> result;
    for (const auto& address : wanted) {
        const bool covered = (has("::") && address != "::") ||
                             (has("0.0.0.0") && address != "0.0.0.0" && !isIpv6(address));
        if (covered)
            log::get("alpaca")->info("not binding {} separately: {} already serves it", address,
                                     has("::") ? "[::]" : "0.0.0.0");
        else if (std::find(result.begin(), result.end(), address) == result.end())
            result.push_back(address);
    }
    return result;
}

/// Binds a throw-away socket to learn why (or whether) `address`:`port` can be listened on.
/// Returns the port bound (useful when `port` is 0) or throws ListenError with the errno cause.
std::uint16_t probeBind(const std::string& address, std::uint16_t port) {
    sockaddr_storage storage{};
    socklen_t size = 0;
    if (isIpv6(address)) {
        auto* in6 = reinterpret_cast<sockaddr_in6*>(&storage);
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons(port);
        if (::inet_pton(AF_INET6, address.c_str(), &in6->sin6_addr) != 1)
            throw ListenError(address + " is not an IPv6 address", EINVAL);
        size = sizeof(sockaddr_in6);
    } else {
        auto* in4 = reinterpret_cast<sockaddr_in*>(&storage);
        in4->sin_family = AF_INET;
        in4->sin_port = htons(port);
        if (::inet_pton(AF_INET, address.c_str(), &in4->sin_addr) != 1)
            throw ListenError(address + " is not an IPv4 address", EINVAL);
        size = sizeof(sockaddr_in);
    }
    const int fd = ::socket(storage.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        const int error = errno;
        throw ListenError("cannot listen on " + endpoint(address, port) + ": " + std::strerror(error), error);
    }
    serverSocketOptions(fd);
    const int result = ::bind(fd, reinterpret_cast<sockaddr*>(&storage), size);
    const int error = errno;
    std::uint16_t bound = port;
    if (result == 0 && ::getsockname(fd, reinterpret_cast<sockaddr*>(&storage), &size) == 0)
        bound = ntohs(storage.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&storage)->sin6_port
                                                    : reinterpret_cast<sockaddr_in*>(&storage)->sin_port);
    ::close(fd);
    if (result == 0) return bound;
    const std::string where = endpoint(address, port);
    switch (error) {
    case EADDRINUSE:
        throw ListenError("cannot listen on " + where +
                              ": the port is already in use (another sonyalpaca or "
                              "Alpaca server?). Stop it, or choose another port with --port or \"port\" in the config",
                          error);
    case EACCES:
        throw ListenError("cannot listen on " + where +
                              ": permission denied (ports below 1024 need privileges); "
                              "choose a port of 1024 or more",
                          error);
    case EADDRNOTAVAIL:
        throw ListenError("cannot listen on " + where + ": the address is not one of this machine's addresses", error);
    default: throw ListenError("cannot listen on " + where + ": " + std::strerror(error), error);
    }
}

/// Sends `source` through a content provider of known length: cpp-httplib then writes each piece
/// straight to the socket, with a Content-Length. cpp-httplib compresses bodies given with
/// set_content and chunked providers whenever the client accepts gzip or br (seconds to minutes for
/// an image); a provider with a length is never compressed. Needed with Debian 12's 0.11.4 and
/// still with Debian 13's 0.18.7 (checked).
void sendStreamed(httplib::Response& response, const std::string& content_type, std::shared_ptr<BodySource> source) {
    const std::size_t size = source->size();
    response.set_content_provider(
        size, content_type,
        [source = std::move(source)](std::size_t offset, std::size_t length, httplib::DataSink& sink) {
            try {
                const auto piece = source->read(offset, std::min(length, kStreamPiece));
                return !piece.empty() && sink.write(piece.data(), piece.size());
            } catch (const std::exception& e) {
                log::get("alpaca")->warn("streaming a response failed at byte {}: {}", offset, e.what());
                return false;
            }
        });
}

HttpRequest toRequest(const httplib::Request& in) {
    HttpRequest out;
    out.method = in.method;
    out.path = in.path;
    if (const auto question = in.target.find('?'); question != std::string::npos)
        out.query = in.target.substr(question + 1);
    out.body = in.body;
    const std::string length = in.get_header_value("Content-Length");
    out.body_announced = !in.body.empty() || in.has_header("Transfer-Encoding") ||
                         (!length.empty() && length.find_first_not_of("0") != std::string::npos);
    out.content_type = in.get_header_value("Content-Type");
    out.accept = in.get_header_value("Accept");
    out.remote = in.remote_addr;
    out.host = in.get_header_value("Host");
    out.origin = in.get_header_value("Origin");
    out.referer = in.get_header_value("Referer");
    return out;
}
}  // namespace

struct HttpServer::Listener {
    explicit Listener(const ConnectionLimits& limits) : server(limits) {}
    std::string address;
    GuardedServer server;
    std::thread thread;
    std::atomic<bool> running{false};
};

HttpServer::HttpServer(Router& router, ConnectionLimits limits) : router_(router), limits_(limits) {}

HttpServer::~HttpServer() { stop(); }

void HttpServer::start(const std::vector<std::string>& addresses, std::uint16_t port) {
    const bool everywhere = addresses.empty();
    std::vector<std::string> wanted = everywhere ? std::vector<std::string>{"::"} : effectiveAddresses(addresses);
    port_ = port;
    for (std::size_t i = 0; i < wanted.size(); ++i) {
        const std::string address = wanted[i];
        try {
            port_ = probeBind(address, port_);
        } catch (const ListenError& e) {
            // By default, a machine without IPv6 still serves every IPv4 address.
            if (everywhere && address == "::" && e.error() != EADDRINUSE && e.error() != EACCES) {
                log::get("alpaca")->warn("{}; serving IPv4 only", e.what());
                wanted.push_back("0.0.0.0");
                continue;
            }
            stop();
            throw;
        }
        auto listener = std::make_unique<Listener>(limits_);
        listener->address = address;
        auto& server = listener->server;
        server.set_socket_options(serverSocketOptions);
        server.set_payload_max_length(kMaxBody);
        server.set_keep_alive_max_count(1000);
        auto handler = [this](const httplib::Request& request, httplib::Response& response) {
            HttpResponse reply = router_.handle(toRequest(request));
            response.status = reply.status;
            for (const auto& [name, value] : reply.headers) response.set_header(name, value);
            if (reply.source)
                sendStreamed(response, reply.content_type, std::move(reply.source));
            else
                response.set_content(std::move(reply.body), reply.content_type.c_str());
        };
        // A request with neither Content-Length nor Transfer-Encoding has no body (RFC 9112 §6.3), but
        // cpp-httplib reads the body of a POST, PUT, PATCH or DELETE without them until the client
        // closes: `curl -X POST URL` waited for its read timeout (5 s) and got an empty 400 (Debian
        // 12's 0.11.4, and still Debian 13's 0.18.7). Such requests are answered here, before it
        // reads, with an empty body.
        server.set_pre_routing_handler([handler](const httplib::Request& request, httplib::Response& response) {
            if (request.path.size() > kMaxPath) {
                response.status = 414;
                response.set_content("the path is longer than " + std::to_string(kMaxPath) + " characters\n",
                                     "text/plain; charset=utf-8");
                return httplib::Server::HandlerResponse::Handled;
            }
            const bool sends_body = request.method == "POST" || request.method == "PUT" || request.method == "PATCH" ||
                                    request.method == "DELETE";
            if (!sends_body || request.has_header("Content-Length") || request.has_header("Transfer-Encoding"))
                return httplib::Server::HandlerResponse::Unhandled;
            handler(request, response);
            return httplib::Server::HandlerResponse::Handled;
        });
        server.Get(".*", handler);
        server.Put(".*", handler);
        server.Post(".*", handler);
        server.Delete(".*", handler);
        server.Patch(".*", handler);
        server.Options(".*", handler);
        if (!server.bind_to_port(address, port_)) {
            stop();
            throw ListenError("cannot listen on " + endpoint(address, port_) + ": the port was taken meanwhile",
                              EADDRINUSE);
        }
        server.setBacklog(kListenBacklog);
        listener->running = true;
        auto* raw = listener.get();
        listener->thread = std::thread([raw] {
            raw->server.listen_after_bind();
            raw->running = false;
        });
        listeners_.push_back(std::move(listener));
    }
}

std::vector<std::string> HttpServer::endpoints() const {
    std::vector<std::string> list;
    for (const auto& listener : listeners_) list.push_back(endpoint(listener->address, port_));
    return list;
}

bool HttpServer::healthy() const noexcept {
    if (listeners_.empty()) return false;
    for (const auto& listener : listeners_)
        if (!listener->running) return false;
    return true;
}

void HttpServer::stop() noexcept {
    for (auto& listener : listeners_) listener->server.stopAll();
    // cpp-httplib's stop() has no effect before its listen loop has started: wait for the loop, stop
    // it once, then wait for the thread (bounded: the loop starts within microseconds of the thread).
    for (auto& listener : listeners_) {
        bool stopped = false;
        for (int i = 0; listener->running && i < 5000; ++i) {
            if (!stopped && listener->server.is_running()) {
                listener->server.stop();
                stopped = true;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
        if (listener->thread.joinable()) listener->thread.join();
    }
    listeners_.clear();
}

}  // namespace sonyalpaca::alpaca
