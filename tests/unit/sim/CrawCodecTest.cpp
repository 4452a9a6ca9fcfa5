// SPDX-License-Identifier: GPL-3.0-or-later
#include "ptp/sim/sky/CrawCodec.hpp"
#include "ptp/sim/sky/FastRandom.hpp"
#include "ptp/sim/sky/SonyMakerNote.hpp"

#include <doctest/doctest.h>

#include <stdexcept>

#include <cstdlib>

using namespace sonyalpaca::ptp::sim;

TEST_CASE("the cRAW tone curve of knots 8000 10400 12900 14100 is the one arw.md §3.2 lists") {
    const CrawCodec codec;
    for (unsigned p : {0U, 1U, 256U, 999U, 1000U}) CHECK(codec.valueOf(p) == 2 * p);
    for (unsigned p : {1001U, 1300U}) CHECK(codec.valueOf(p) == 4 * p - 2000);
    for (unsigned p : {1301U, 1612U}) CHECK(codec.valueOf(p) == 8 * p - 7200);
    for (unsigned p : {1613U, 1762U}) CHECK(codec.valueOf(p) == 16 * p - 20100);
    for (unsigned p : {1763U, 2047U}) CHECK(codec.valueOf(p) == 32 * p - 48300);
    CHECK(codec.valueOf(2047) == 17204);
    CHECK(codec.valueOf(1989) == 15348);
    CHECK(codec.valueOf(1990) == 15380);
    CHECK(codec.codeOf(512) == 256);
    CHECK(codec.codeOf(513) >= 256);
    CHECK(codec.codeOf(15360) == 1989);  // 15348 is nearer than 15380
    CHECK(codec.codeOf(16383) == 2021);  // 16372, nearer than 2022's 16404
}

TEST_CASE("a cRAW block of small range is lossless, a wide one errs by less than one delta step") {
    const CrawCodec codec;
    std::vector<std::uint16_t> row(32);
    std::vector<std::uint8_t> coded(32);
    std::vector<std::uint16_t> back(32);
    FastRandom random(3);
    for (int trial = 0; trial < 2000; ++trial) {
        const bool wide = trial % 2 == 1;
        const unsigned base = 256 + static_cast<unsigned>(random.next() % 1200);
        const unsigned span = wide ? 128 + static_cast<unsigned>(random.next() % 1900)
                                   : 1 + static_cast<unsigned>(random.next() % 127);
        std::vector<unsigned> codes(32);
        for (std::size_t i = 0; i < 32; ++i) {
            codes[i] = std::min(1990U, base + static_cast<unsigned>(random.next() % span));
            row[i] = codec.valueOf(codes[i]);
        }
        codec.encodeRow(row, coded);
        codec.decodeRow(coded, back);
        for (std::size_t i = 0; i < 32; ++i) {
            const unsigned got = codec.codeOf(back[i]);  // codes up to 1990 stay below 16383
            REQUIRE(codec.valueOf(got) == back[i]);
            const int error = std::abs(static_cast<int>(got) - static_cast<int>(codes[i]));
            if (!wide) {
                REQUIRE(error == 0);
            } else {
                // Half a delta step (8 codes at shift 4), or up to 15 just below the max, where
                // the 7-bit delta saturates at 127.
                REQUIRE(error <= 15);
            }
        }
    }
}

TEST_CASE("a flat cRAW block still names two different pixels as max and min") {
    const CrawCodec codec;
    std::vector<std::uint16_t> row(32, 600);
    std::vector<std::uint8_t> coded(32);
    codec.encodeRow(row, coded);
    const unsigned imax = (coded[2] >> 6) | ((coded[3] & 0x03U) << 2);
    const unsigned imin = (coded[3] >> 2) & 0x0FU;
    CHECK(imax != imin);
    std::vector<std::uint16_t> back(32);
    codec.decodeRow(coded, back);
    CHECK(back == row);
}

TEST_CASE("Sony's byte cipher matches the worked examples and is undone by its inverse") {
    CHECK(SonyMakerNote::encipher(12) == 0xEA);
    CHECK(SonyMakerNote::encipher(25) == 0xBB);
    CHECK(SonyMakerNote::encipher(86) == 0x6E);
    CHECK(SonyMakerNote::encipher(0xFB) == 0xFB);
    CHECK(SonyMakerNote::encipher(0) == 0);
    for (unsigned b = 0; b < 256; ++b) {
        CHECK(SonyMakerNote::decipher(SonyMakerNote::encipher(static_cast<std::uint8_t>(b))) == b);
    }
    CHECK(SonyMakerNote::celsiusByte(-5.0) == 0xFB);
    CHECK(SonyMakerNote::celsiusByte(-200.0) == 0x80);
    CHECK(SonyMakerNote::fahrenheitByte(30.0) == 86);
    CHECK(SonyMakerNote::cameraId("ILCE-7M3") == 0x016B);
    CHECK(SonyMakerNote::cameraId("ILCE-6000") == 0x0138);
    CHECK_FALSE(SonyMakerNote::cameraId("ILCE-7M9").has_value());
}
