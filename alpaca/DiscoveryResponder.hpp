// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <atomic>
#include <cstdint>
#include <set>
#include <stdexcept>
#include <thread>

namespace sonyalpaca::alpaca {

/// Alpaca discovery (API Reference §5): answers "alpacadiscovery1" on UDP with {"AlpacaPort":N},
/// unicast to the sender. IPv4 on every address; IPv6 on every address, joined to ff12::a1:9aca on
/// each multicast-capable interface (re-checked every few seconds, so interfaces that come up
/// later, such as Wi-Fi on a Pi at boot, are joined too). Needs no root. Anything that is not a
/// discovery request is ignored.
class DiscoveryResponder {
public:
    explicit DiscoveryResponder(std::uint16_t alpaca_port) : alpaca_port_(alpaca_port) {}
    ~DiscoveryResponder();
    DiscoveryResponder(const DiscoveryResponder&) = delete;
    DiscoveryResponder& operator=(const DiscoveryResponder&) = delete;

    /// Opens the sockets on `port` (0: any free port, the same for IPv4 and IPv6) and starts
    /// answering. Throws std::runtime_error when IPv4 cannot be bound.
    void start(std::uint16_t port);

    std::uint16_t port() const noexcept { return port_; }
    bool healthy() const noexcept { return running_; }
    /// How many requests were answered.
    std::uint64_t answered() const noexcept { return answered_; }

    /// Stops answering and closes the sockets. Idempotent.
    void stop() noexcept;

private:
    void run() noexcept;
    void joinMulticastGroups() noexcept;
    void answer(int fd) noexcept;

    std::uint16_t alpaca_port_;
    std::uint16_t port_ = 0;
    int ipv4_ = -1;
    int ipv6_ = -1;
    int wake_ = -1;  // eventfd that ends run()
    std::set<unsigned> joined_;  // interface indexes joined to the IPv6 group
    std::atomic<bool> running_{false};
    std::atomic<std::uint64_t> answered_{0};
    std::thread thread_;
};

}  // namespace sonyalpaca::alpaca
