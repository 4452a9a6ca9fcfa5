// SPDX-License-Identifier: GPL-3.0-or-later
#include "alpaca/Parameters.hpp"

#include <doctest/doctest.h>

using namespace sonyalpaca::alpaca;

TEST_CASE("uint32 IDs: decimal digits only, within range") {
    CHECK(parseUInt32("0") == 0u);
    CHECK(parseUInt32("67890") == 67890u);
    CHECK(parseUInt32("4294967295") == 4294967295u);
    for (const char* bad : {"", "     ", "-12345", "NASDAQ", "4294967296", "+1", " 1", "1 ", "1.0", "0x10"})
        CHECK_FALSE(parseUInt32(bad).has_value());
}

TEST_CASE("int32 values") {
    CHECK(parseInt32("-2147483648") == INT32_MIN);
    CHECK(parseInt32("2147483647") == INT32_MAX);
    CHECK(parseInt32("007") == 7);
    for (const char* bad : {"", "-", "2147483648", "asduio6fghZZ", "1.5", "1e3", " 1", "--1"})
        CHECK_FALSE(parseInt32(bad).has_value());
}

TEST_CASE("double values: invariant culture, finite") {
    CHECK(parseDouble("2.0") == 2.0);
    CHECK(parseDouble("-1") == -1.0);
    CHECK(parseDouble(".5") == 0.5);
    CHECK(parseDouble("1e-3") == 0.001);
    CHECK(parseDouble("+3") == 3.0);
    for (const char* bad : {"", "2,5", "nan", "inf", "-inf", "1e999", "asduio6fghZZ", " 1", "1 ", "0x1p3", "+"})
        CHECK_FALSE(parseDouble(bad).has_value());
}

TEST_CASE("bool values: true and false in any casing") {
    CHECK(parseBool("True") == true);
    CHECK(parseBool("FALSE") == false);
    for (const char* bad : {"", "1", "0", "yes", "truee", "asdqwe"}) CHECK_FALSE(parseBool(bad).has_value());
}

TEST_CASE("url-encoded pairs decode percent escapes and plus signs, in order") {
    const auto pairs = parseUrlEncoded("a=1&B=x+y%20z&&c&d=%4&e=%zz&%41=%3d");
    REQUIRE(pairs.size() == 6);
    CHECK(pairs[0] == std::pair<std::string, std::string>{"a", "1"});
    CHECK(pairs[1] == std::pair<std::string, std::string>{"B", "x y z"});
    CHECK(pairs[2] == std::pair<std::string, std::string>{"c", ""});
    CHECK(pairs[3].second == "%4");
    CHECK(pairs[4].second == "%zz");
    CHECK(pairs[5] == std::pair<std::string, std::string>{"A", "="});
}

TEST_CASE("case helpers") {
    CHECK(asciiLower("BinX") == "binx");
    CHECK(equalsIgnoringCase("ClientID", "clientid"));
    CHECK_FALSE(equalsIgnoringCase("ClientID", "clientid2"));
}
