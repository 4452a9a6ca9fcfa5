// SPDX-License-Identifier: GPL-3.0-or-later
// cpp-httplib's server with connections that cannot starve each other (docs/ARCHITECTURE.md,
// "Connections"). Included by the HTTP transport only: it needs httplib.h.
#pragma once

#include "alpaca/HttpAdmission.hpp"

#include <httplib.h>

#include <atomic>

namespace sonyalpaca::alpaca {

/// An httplib::Server whose connections are served by GuardedServer itself rather than by
/// cpp-httplib's loop: admitted or refused with a 503 (Admission), every wait bounded
/// (ConnectionLimits) and cut at once by stopAll(), the bytes a client sent ahead kept for its next
/// request (pipelining), and a worker of an elastic pool per connection, so idle and slow clients
/// only cost a thread each.
///
/// How: cpp-httplib calls the virtual process_and_close_socket() for each accepted socket (Debian
/// 12's 0.11 and Debian 13's 0.18 alike); this class overrides it and runs the requests with the
/// protected process_request() on a Stream of its own. Routes and handlers are set as on any
/// httplib::Server.
class GuardedServer : public httplib::Server {
public:
    explicit GuardedServer(const ConnectionLimits& limits);
    ~GuardedServer() override;
    GuardedServer(const GuardedServer&) = delete;
    GuardedServer& operator=(const GuardedServer&) = delete;

    /// Ends every connection's wait at once (reads, writes, idle keep-alive): call before stop().
    void stopAll() noexcept;

    /// Lets the listening socket queue up to `backlog` connections not yet accepted (cpp-httplib
    /// listens with 5: a burst of clients beyond that waits a second for its SYN to be resent).
    void setBacklog(int backlog) noexcept;

    /// Connections admitted and open now.
    std::size_t openConnections() const { return admission_.open(); }

private:
    bool process_and_close_socket(socket_t sock) override;
    /// Serves the requests of one admitted connection.
    void serve(int fd);
    /// Writes the 503 for a connection beyond the limits, lets the client read it, and returns.
    void refuse(int fd, const std::string& reason);

    const ConnectionLimits limits_;
    Admission admission_;
    int stop_pipe_[2] = {-1, -1};
    std::atomic<bool> stopping_{false};
};

}  // namespace sonyalpaca::alpaca
