// SPDX-License-Identifier: GPL-3.0-or-later
#include "alpaca/DiscoveryResponder.hpp"

#include "RawHttp.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <thread>

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
