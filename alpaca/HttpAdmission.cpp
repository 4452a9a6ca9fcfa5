// SPDX-License-Identifier: GPL-3.0-or-later
#include "alpaca/HttpAdmission.hpp"

#include <netinet/in.h>

#include <cstring>

namespace sonyalpaca::alpaca {

ClientAddress clientAddress(const sockaddr_storage& peer) noexcept {
    ClientAddress client;
    if (peer.ss_family == AF_INET) {
        const auto& in4 = reinterpret_cast<const sockaddr_in&>(peer).sin_addr;
        client.key.assign(reinterpret_cast<const char*>(&in4), 4);
        client.loopback = static_cast<unsigned char>(client.key[0]) == 127;
    } else if (peer.ss_family == AF_INET6) {
        const auto& in6 = reinterpret_cast<const sockaddr_in6&>(peer).sin6_addr;
        const auto* bytes = reinterpret_cast<const char*>(in6.s6_addr);
        if (IN6_IS_ADDR_V4MAPPED(&in6)) {
            client.key.assign(bytes + 12, 4);
            client.loopback = static_cast<unsigned char>(client.key[0]) == 127;
        } else {
            client.key.assign(bytes, 8);  // the /64 a host chooses its addresses from
            client.loopback = IN6_IS_ADDR_LOOPBACK(&in6);
        }
    }
    return client;
}

Admission::Ticket::~Ticket() {
    if (owner_) owner_->leave(key_);
}

Admission::Ticket& Admission::Ticket::operator=(Ticket&& other) noexcept {
    if (this != &other) {
        if (owner_) owner_->leave(key_);
        owner_ = std::exchange(other.owner_, nullptr);
        key_ = std::move(other.key_);
    }
    return *this;
}

std::variant<Admission::Ticket, std::string> Admission::enter(const ClientAddress& client) {
    const std::lock_guard lock(mutex_);
    const std::size_t limit = client.loopback ? limits_.connections : limits_.connections - limits_.loopback_reserve;
    if (open_ >= limit)
        return "the server has " + std::to_string(open_) + " connections open, its limit" +
               (client.loopback ? "" : " for other machines") + "; close idle connections, or retry shortly";
    if (!client.loopback) {
        auto& mine = per_client_[client.key];
        if (mine >= limits_.per_client) {
            return "this client has " + std::to_string(mine) + " connections open, the limit per client; " +
                   "close idle connections, or retry shortly";
        }
        ++mine;
    }
    ++open_;
    return Ticket(this, client.loopback ? std::string() : client.key);
}

std::size_t Admission::open() const {
    const std::lock_guard lock(mutex_);
    return open_;
}

void Admission::leave(const std::string& key) noexcept {
    const std::lock_guard lock(mutex_);
    --open_;
    if (key.empty()) return;
    if (const auto found = per_client_.find(key); found != per_client_.end() && --found->second == 0)
        per_client_.erase(found);
}

}  // namespace sonyalpaca::alpaca
