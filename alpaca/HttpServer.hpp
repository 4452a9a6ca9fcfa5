// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "alpaca/HttpAdmission.hpp"

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace httplib {
class Server;
}

namespace sonyalpaca::alpaca {

class Router;

/// The HTTP listener could not be opened; the message names the address, the port and the cause.
class ListenError : public std::runtime_error {
public:
    ListenError(const std::string& message, int error) : std::runtime_error(message), error_(error) {}
    /// The errno of the failed bind, or 0.
    int error() const noexcept { return error_; }

private:
    int error_;
};

/// Serves a Router over HTTP on one or more addresses (one cpp-httplib server each, all on the same
/// port), each connection within `limits` (GuardedServer). start() and stop() are called from one
/// thread.
class HttpServer {
public:
    explicit HttpServer(Router& router, ConnectionLimits limits = {});
    ~HttpServer();
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    /// Listens on `addresses` (empty: every IPv4 and every IPv6 address, through one dual-stack "::"
    /// listener, or "0.0.0.0" where IPv6 is off) at `port` (0: any free port, the same for all
    /// addresses). Throws ListenError.
    void start(const std::vector<std::string>& addresses, std::uint16_t port);

    /// The port listened on (after start()).
    std::uint16_t port() const noexcept { return port_; }

    /// "127.0.0.1:11111", "[::]:11111", ... for logs.
    std::vector<std::string> endpoints() const;

    /// True while every listener thread runs.
    bool healthy() const noexcept;

    /// Stops listening, ends every connection's wait at once, and waits for the handlers running.
    /// Idempotent.
    void stop() noexcept;

private:
    struct Listener;
    Router& router_;
    const ConnectionLimits limits_;
    std::uint16_t port_ = 0;
    std::vector<std::unique_ptr<Listener>> listeners_;
};

}  // namespace sonyalpaca::alpaca
