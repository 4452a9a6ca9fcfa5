// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <list>
#include <mutex>
#include <string>
#include <thread>

namespace sonyalpaca::ptp::sim {

class VirtualBody;

/// Serves a VirtualBody over PTP/IP (ISO 15740 annex, as libgphoto2's "ptpip:" port speaks it): one
/// TCP port for both channels, each connection sorted by its first packet (InitCommandRequest or
/// InitEventRequest). One command connection at a time, as a body allows one host; a second host
/// gets InitFail. A host that reconnects at once may find its old connection not yet wound down
/// (the serving thread has not seen the close): the new one waits up to a second for it before
/// it is refused. Connections come and go over the body's life (reconnects).
class PtpIpServer {
public:
    explicit PtpIpServer(VirtualBody& body);
    ~PtpIpServer();
    PtpIpServer(const PtpIpServer&) = delete;
    PtpIpServer& operator=(const PtpIpServer&) = delete;

    /// Listens on `address`:`port` (0: any free port). Throws std::runtime_error.
    void start(const std::string& address, std::uint16_t port);
    std::uint16_t port() const noexcept { return port_; }
    /// Closes every connection and the listener. Idempotent.
    void stop() noexcept;

    /// The body vanishes for `duration`: every connection drops, new ones are closed at once.
    void unplug(std::chrono::milliseconds duration);

    /// Operations answered so far.
    std::uint64_t operations() const noexcept { return operations_; }

private:
    struct Connection {
        int fd = -1;
        std::thread thread;
        std::atomic<bool> done{false};
    };

    void acceptLoop() noexcept;
    void serve(Connection& connection) noexcept;
    void serveCommands(int fd);
    void serveEvents(int fd);
    void sendEvent(std::uint16_t code, std::uint32_t param) noexcept;
    void dropConnections() noexcept;

    VirtualBody& body_;
    int listener_ = -1;
    int wake_ = -1;  // eventfd: stop
    std::uint16_t port_ = 0;
    std::thread acceptor_;
    std::mutex mutex_;  // guards connections_, command_active_, event_fd_
    std::list<Connection> connections_;
    bool command_active_ = false;
    std::condition_variable command_released_;  // command_active_ became false
    int event_fd_ = -1;
    std::mutex event_write_mutex_;
    std::atomic<std::uint64_t> operations_{0};
    std::uint32_t connection_number_ = 0;
};

}  // namespace sonyalpaca::ptp::sim
