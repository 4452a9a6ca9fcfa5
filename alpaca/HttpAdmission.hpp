// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <sys/socket.h>

#include <chrono>
#include <cstddef>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <variant>

namespace sonyalpaca::alpaca {

/// What the HTTP server gives its clients (docs/ARCHITECTURE.md, "Connections"). A connection
/// beyond a count limit is answered 503 with Retry-After; one that breaks a time or size limit is
/// closed.
struct ConnectionLimits {
    /// Connections served at once; the last `loopback_reserve` of them only for clients on this
    /// machine (the watchdog's own request among them).
    std::size_t connections = 384;
    std::size_t loopback_reserve = 8;
    /// Connections from one client (an IPv4 address, or an IPv6 /64); loopback clients are exempt.
    std::size_t per_client = 64;
    /// Worker threads at most: the connections plus room to refuse the ones beyond them.
    std::size_t threads = 416;
    /// A connection idle this long between requests is closed.
    std::chrono::milliseconds idle{5000};
    /// A request (line, headers and body) must arrive within this long of its first byte...
    std::chrono::milliseconds request{10000};
    /// ...and be at most this large (Alpaca bodies are a few hundred bytes).
    std::size_t request_bytes = (std::size_t{1} << 20) + (std::size_t{64} << 10);
    /// A write that makes no progress for this long ends the connection.
    std::chrono::milliseconds write{5000};
};

/// The client a connection comes from, as the limits count it.
struct ClientAddress {
    std::string key;  ///< the IPv4 address, or the IPv6 /64 prefix, as bytes
    bool loopback = false;
};

/// The client behind `peer` (IPv4-mapped IPv6 addresses count as IPv4).
ClientAddress clientAddress(const sockaddr_storage& peer) noexcept;

/// Counts open connections, in total and per client, and admits a new one or says why not.
/// Thread-safe.
class Admission {
public:
    explicit Admission(const ConnectionLimits& limits) : limits_(limits) {}
    Admission(const Admission&) = delete;
    Admission& operator=(const Admission&) = delete;

    /// Holds one admitted connection's place; gives it back when it goes.
    class Ticket {
    public:
        Ticket(Ticket&& other) noexcept : owner_(other.owner_), key_(std::move(other.key_)) { other.owner_ = nullptr; }
        Ticket& operator=(Ticket&& other) noexcept;
        Ticket(const Ticket&) = delete;
        ~Ticket();

    private:
        friend class Admission;
        Ticket(Admission* owner, std::string key) : owner_(owner), key_(std::move(key)) {}
        Admission* owner_;
        std::string key_;  ///< empty for an exempt (loopback) client
    };

    /// A place for a connection from `client`, or the reason it gets none (a sentence for the 503).
    std::variant<Ticket, std::string> enter(const ClientAddress& client);

    /// Connections admitted and not yet gone.
    std::size_t open() const;

private:
    void leave(const std::string& key) noexcept;

    const ConnectionLimits limits_;
    mutable std::mutex mutex_;
    std::size_t open_ = 0;
    std::map<std::string, std::size_t> per_client_;
};

}  // namespace sonyalpaca::alpaca
