// SPDX-License-Identifier: GPL-3.0-or-later
#include "alpaca/DiscoveryResponder.hpp"

#include "RawHttp.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

using sonyalpaca::alpaca::DiscoveryResponder;
using sonyalpaca::test::udpExchange;

TEST_CASE("discovery answers exactly {\"AlpacaPort\":N} on 127.0.0.1 and ::1") {
    DiscoveryResponder responder(4567);
    responder.start(0);
    REQUIRE(responder.port() != 0);
    CHECK(udpExchange("127.0.0.1", responder.port(), "alpacadiscovery1") == std::string(R"({"AlpacaPort":4567})"));
    CHECK(udpExchange("::1", responder.port(), "alpacadiscovery1") == std::string(R"({"AlpacaPort":4567})"));
    // Padding after the request (reserved bytes 16-63) is allowed.
    CHECK(udpExchange("127.0.0.1", responder.port(), std::string("alpacadiscovery1") + std::string(48, '\0')) ==
          std::string(R"({"AlpacaPort":4567})"));
    // The responder counts a reply after sending it: the client may read it first. Wait, bounded.
    for (int i = 0; i < 200 && responder.answered() < 3; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    CHECK(responder.answered() == 3);
    responder.stop();
    CHECK_FALSE(responder.healthy());
}

TEST_CASE("anything but a discovery request is ignored, and the responder keeps answering") {
    DiscoveryResponder responder(11111);
    responder.start(0);
    using namespace std::chrono_literals;
    for (const std::string& junk : {std::string("alpacadiscovery"), std::string("ALPACADISCOVERY1"), std::string(""),
                                    std::string(1400, 'x'), std::string("\0\1\2\3", 4)})
        CHECK_FALSE(udpExchange("127.0.0.1", responder.port(), junk, 150ms).has_value());
    CHECK(udpExchange("127.0.0.1", responder.port(), "alpacadiscovery1").has_value());
    CHECK(responder.healthy());
}

TEST_CASE("two responders share one discovery port (SO_REUSEADDR and SO_REUSEPORT)") {
    DiscoveryResponder first(1);
    first.start(0);
    DiscoveryResponder second(2);
    CHECK_NOTHROW(second.start(first.port()));
    CHECK(udpExchange("127.0.0.1", first.port(), "alpacadiscovery1").has_value());
}

TEST_CASE("discovery follows the API's bind addresses: unicast to them, broadcast and multicast on their interface") {
    using sonyalpaca::alpaca::discoveryAnswers;
    using sonyalpaca::alpaca::DiscoveryInterface;
    // A pure function of address strings: nothing is sent. The interfaces use documentation addresses
    // (RFC 5737, RFC 3849); 0.0.0.0 and 255.255.255.255 are the wildcard and limited broadcast as inputs.
    const std::vector<DiscoveryInterface> interfaces{
        {1, {"127.0.0.1", "::1"}, {}},
        {2, {"198.51.100.20", "fe80::1", "2001:db8::20"}, {"198.51.100.255"}},
        {3, {"203.0.113.5"}, {"203.0.113.255"}}};
    // Everywhere: everything.
    for (const auto& bind : {std::vector<std::string>{}, std::vector<std::string>{"::"}}) {
        CHECK(discoveryAnswers(bind, interfaces, "203.0.113.5", 3));
        CHECK(discoveryAnswers(bind, interfaces, "ff12::a1:9aca", 2));
    }
    const std::vector<std::string> ipv4_everywhere{"0.0.0.0"};
    CHECK(discoveryAnswers(ipv4_everywhere, interfaces, "203.0.113.255", 3));
    CHECK_FALSE(discoveryAnswers(ipv4_everywhere, interfaces, "ff12::a1:9aca", 2));
    CHECK_FALSE(discoveryAnswers(ipv4_everywhere, interfaces, "::1", 1));
    // One address on a LAN interface.
    const std::vector<std::string> lan{"198.51.100.20"};
    CHECK(discoveryAnswers(lan, interfaces, "198.51.100.20", 2));
    CHECK(discoveryAnswers(lan, interfaces, "198.51.100.255", 2));
    CHECK(discoveryAnswers(lan, interfaces, "255.255.255.255", 2));
    CHECK_FALSE(discoveryAnswers(lan, interfaces, "255.255.255.255", 3));  // another interface's broadcast
    CHECK_FALSE(discoveryAnswers(lan, interfaces, "203.0.113.255", 3));
    CHECK_FALSE(discoveryAnswers(lan, interfaces, "203.0.113.5", 3));
    CHECK_FALSE(discoveryAnswers(lan, interfaces, "127.0.0.1", 1));
    CHECK_FALSE(discoveryAnswers(lan, interfaces, "ff12::a1:9aca", 2));  // no IPv6 address bound
    // Loopback only.
    const std::vector<std::string> loopback{"127.0.0.1", "::1"};
    CHECK(discoveryAnswers(loopback, interfaces, "127.0.0.1", 1));
    CHECK(discoveryAnswers(loopback, interfaces, "::1", 1));
    CHECK_FALSE(discoveryAnswers(loopback, interfaces, "127.0.0.2", 1));
    CHECK_FALSE(discoveryAnswers(loopback, interfaces, "198.51.100.255", 2));
    // An IPv6 address: multicast on its interface.
    const std::vector<std::string> v6{"2001:db8::20"};
    CHECK(discoveryAnswers(v6, interfaces, "ff12::a1:9aca", 2));
    CHECK_FALSE(discoveryAnswers(v6, interfaces, "ff12::a1:9aca", 1));
    CHECK_FALSE(discoveryAnswers(v6, interfaces, "198.51.100.255", 2));
}

TEST_CASE("discovery bound to 127.0.0.1 answers there and not on ::1") {
    DiscoveryResponder responder(4567, {"127.0.0.1"});
    responder.start(0);
    using namespace std::chrono_literals;
    CHECK(udpExchange("127.0.0.1", responder.port(), "alpacadiscovery1") == std::string(R"({"AlpacaPort":4567})"));
    CHECK_FALSE(udpExchange("::1", responder.port(), "alpacadiscovery1", 300ms).has_value());
    DiscoveryResponder v6(4568, {"::0001"});
    v6.start(0);
    CHECK(udpExchange("::1", v6.port(), "alpacadiscovery1") == std::string(R"({"AlpacaPort":4568})"));
    CHECK_FALSE(udpExchange("127.0.0.1", v6.port(), "alpacadiscovery1", 300ms).has_value());
}
