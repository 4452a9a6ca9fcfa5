// SPDX-License-Identifier: GPL-3.0-or-later
#include "alpaca/HttpAdmission.hpp"

#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <optional>
#include <vector>

using namespace sonyalpaca::alpaca;

namespace {
ClientAddress client(const char* text) {
    sockaddr_storage storage{};
    if (inet_pton(AF_INET, text, &reinterpret_cast<sockaddr_in&>(storage).sin_addr) == 1) {
        storage.ss_family = AF_INET;
    } else {
        REQUIRE(inet_pton(AF_INET6, text, &reinterpret_cast<sockaddr_in6&>(storage).sin6_addr) == 1);
        storage.ss_family = AF_INET6;
    }
    return clientAddress(storage);
}

/// Admits `count` connections from `from` into `kept`; how many were refused.
int admit(Admission& admission, const char* from, int count, std::vector<Admission::Ticket>& kept) {
    int refused = 0;
    for (int i = 0; i < count; ++i) {
        auto entry = admission.enter(client(from));
        if (auto* ticket = std::get_if<Admission::Ticket>(&entry))
            kept.push_back(std::move(*ticket));
        else
            ++refused;
    }
    return refused;
}
}  // namespace

TEST_CASE("connections: a client is its IPv4 address or its IPv6 /64, and loopback is recognised in every form") {
    CHECK(client("198.51.100.20").key == client("::ffff:198.51.100.20").key);
    CHECK(client("198.51.100.20").key != client("198.51.100.21").key);
    CHECK(client("2001:db8:1:2::10").key == client("2001:db8:1:2:aaaa::20").key);
    CHECK(client("2001:db8:1:2::10").key != client("2001:db8:1:3::10").key);
    for (const char* loopback : {"127.0.0.1", "127.1.2.3", "::1", "::ffff:127.0.0.1"}) {
        CAPTURE(loopback);
        CHECK(client(loopback).loopback);
    }
    for (const char* other : {"198.51.100.20", "203.0.113.1", "2001:db8::1", "::ffff:203.0.113.1"}) {
        CAPTURE(other);
        CHECK_FALSE(client(other).loopback);
    }
}

TEST_CASE("connections: at most 64 per client, loopback exempt, the last places kept for this machine") {
    ConnectionLimits limits;
    limits.connections = 100;
    limits.loopback_reserve = 8;
    limits.per_client = 64;
    Admission admission(limits);
    std::vector<Admission::Ticket> kept;
    CHECK(admit(admission, "198.51.100.20", 70, kept) == 6);
    auto entry = admission.enter(client("198.51.100.20"));
    REQUIRE(std::holds_alternative<std::string>(entry));
    CHECK(std::get<std::string>(entry).find("this client has 64 connections open") != std::string::npos);
    // Another client of the same /64 shares the count; one of another network does not.
    CHECK(admit(admission, "::ffff:198.51.100.20", 1, kept) == 1);
    CHECK(admit(admission, "198.51.100.21", 30, kept) == 2);  // 64 + 28 = 92, the limit for other machines
    CHECK(admission.open() == 92);
    entry = admission.enter(client("198.51.100.22"));
    REQUIRE(std::holds_alternative<std::string>(entry));
    CHECK(std::get<std::string>(entry).find("92 connections open, its limit for other machines") != std::string::npos);
    // This machine gets the reserve, and is not limited per client.
    CHECK(admit(admission, "127.0.0.1", 10, kept) == 2);
    CHECK(admission.open() == 100);
    // Places are given back when connections end.
    kept.erase(kept.begin(), kept.begin() + 10);
    CHECK(admission.open() == 90);
    CHECK(admit(admission, "198.51.100.20", 1, kept) == 0);
    kept.clear();
    CHECK(admission.open() == 0);
    CHECK(admit(admission, "198.51.100.20", 64, kept) == 0);
}
