// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <atomic>
#include <cstdint>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace sonyalpaca::alpaca {

/// One network interface as discovery sees it: its index and its addresses (numeric text as
/// inet_ntop writes it), and for IPv4 its broadcast addresses.
struct DiscoveryInterface {
    unsigned index = 0;
    std::vector<std::string> addresses;
    std::vector<std::string> broadcasts;
};

/// Whether a discovery request that arrived for `destination` (numeric text: the address it was
/// sent to, unicast, broadcast or multicast) on interface `interface` is answered when the HTTP API
/// listens on `bind` (empty: everywhere). A client connects to where the answer came from, so only
/// requests for a bound address are answered, or broadcasts (IPv4) and multicasts (IPv6) on an
/// interface that carries one; "::" binds every address, "0.0.0.0" every IPv4 one.
bool discoveryAnswers(const std::vector<std::string>& bind, const std::vector<DiscoveryInterface>& interfaces,
                      const std::string& destination, unsigned interface);

/// Alpaca discovery (API Reference §5): answers "alpacadiscovery1" on UDP with {"AlpacaPort":N},
/// unicast to the sender, for requests to the addresses the API is bound to. IPv4 on every address; IPv6 on every address, joined to ff12::a1:9aca on
/// each multicast-capable interface (re-checked every few seconds, so interfaces that come up
/// later, such as Wi-Fi on a Pi at boot, are joined too). Needs no root. Anything that is not a
/// discovery request is ignored.
class DiscoveryResponder {
public:
    /// Answers with `alpaca_port`, for requests to the addresses of `bind` only (the HTTP API's
    /// --bind; empty: every address; see discoveryAnswers).
    explicit DiscoveryResponder(std::uint16_t alpaca_port, std::vector<std::string> bind = {});
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

    void readInterfaces() noexcept;

    std::uint16_t alpaca_port_;
    std::vector<std::string> bind_;               // canonical numeric text
    bool everywhere_ = true;                      // bind_ is empty or holds "::"
    std::vector<DiscoveryInterface> interfaces_;  // read at start and at each rescan (run() thread)
    std::uint16_t port_ = 0;
    int ipv4_ = -1;
    int ipv6_ = -1;
    int wake_ = -1;              // eventfd that ends run()
    std::set<unsigned> joined_;  // interface indexes joined to the IPv6 group
    std::atomic<bool> running_{false};
    std::atomic<std::uint64_t> answered_{0};
    std::thread thread_;
};

}  // namespace sonyalpaca::alpaca
