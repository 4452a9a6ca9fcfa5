// SPDX-License-Identifier: GPL-3.0-or-later
#include "ptp/sim/sky/LosslessJpeg.hpp"
#include "ptp/sim/sky/SonyLosslessCodec.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <random>
#include <stdexcept>

using namespace sonyalpaca::ptp::sim;

namespace {

LosslessJpegImage image(unsigned width, unsigned height, unsigned components, unsigned predictor) {
    LosslessJpegImage i;
    i.width = width;
    i.height = height;
    i.components = components;
    i.precision = 14;
    i.predictor = predictor;
    i.samples.resize(std::size_t{width} * height * components);
    return i;
}

void checkRoundTrip(const LosslessJpegImage& in) {
    const std::vector<std::uint8_t> stream = encodeLosslessJpeg(in);
    const LosslessJpegImage out = decodeLosslessJpeg(stream);
    CHECK(out.width == in.width);
    CHECK(out.height == in.height);
    CHECK(out.components == in.components);
    CHECK(out.precision == in.precision);
    CHECK(out.predictor == in.predictor);
    CHECK(out.samples == in.samples);
}

/// The first marker segment `marker` of a stream, its body without the length.
std::vector<std::uint8_t> segment(const std::vector<std::uint8_t>& stream, std::uint8_t marker) {
    for (std::size_t at = 2; at + 4 <= stream.size();) {
        const std::size_t length = static_cast<std::size_t>(stream[at + 2] << 8 | stream[at + 3]);
        if (stream[at + 1] == marker) {
            return {stream.begin() + static_cast<std::ptrdiff_t>(at + 4),
                    stream.begin() + static_cast<std::ptrdiff_t>(at + 2 + length)};
        }
        if (stream[at + 1] == 0xDA) break;
        at += 2 + length;
    }
    return {};
}

}  // namespace

TEST_CASE("lossless JPEG keeps every sample: edge values, random, constant, every predictor") {
    std::mt19937 random(1234);
    for (unsigned predictor = 1; predictor <= 7; ++predictor) {
        CAPTURE(predictor);
        for (unsigned components : {1U, 2U, 4U}) {
            CAPTURE(components);
            LosslessJpegImage noise = image(37, 23, components, predictor);
            for (auto& s : noise.samples) s = static_cast<std::uint16_t>(random() % 16384);
            checkRoundTrip(noise);

            LosslessJpegImage edges = image(16, 9, components, predictor);
            for (std::size_t i = 0; i < edges.samples.size(); ++i) {
                edges.samples[i] = (i / 3) % 2 == 0 ? 0 : 16383;  // the largest jumps 14 bits allow
            }
            checkRoundTrip(edges);

            for (std::uint16_t level : {std::uint16_t{0}, std::uint16_t{512}, std::uint16_t{16383}}) {
                LosslessJpegImage flat = image(20, 11, components, predictor);
                std::fill(flat.samples.begin(), flat.samples.end(), level);
                checkRoundTrip(flat);
            }
        }
    }
    // One sample, one line, one column.
    checkRoundTrip(image(1, 1, 1, 1));
    LosslessJpegImage line = image(50, 1, 4, 6);
    for (std::size_t i = 0; i < line.samples.size(); ++i) line.samples[i] = static_cast<std::uint16_t>(i * 331 % 16384);
    checkRoundTrip(line);
    LosslessJpegImage column = image(1, 50, 4, 4);
    for (std::size_t i = 0; i < column.samples.size(); ++i)
        column.samples[i] = static_cast<std::uint16_t>(i * 977 % 16384);
    checkRoundTrip(column);
    // 16-bit precision: differences of ±32768 (category 16, no extra bits).
    LosslessJpegImage wide = image(8, 4, 1, 1);
    wide.precision = 16;
    for (std::size_t i = 0; i < wide.samples.size(); ++i) wide.samples[i] = i % 2 == 0 ? 0 : 32768;
    wide.samples[5] = 65535;
    checkRoundTrip(wide);
}

TEST_CASE("lossless JPEG streams carry SOF3, one Huffman table and the predictor, and stuff 0xFF bytes") {
    LosslessJpegImage in = image(64, 32, 4, 1);
    std::mt19937 random(99);
    for (auto& s : in.samples) s = static_cast<std::uint16_t>(random() % 16384);
    const std::vector<std::uint8_t> stream = encodeLosslessJpeg(in);
    REQUIRE(stream.size() > 4);
    CHECK(stream[0] == 0xFF);
    CHECK(stream[1] == 0xD8);
    CHECK(stream[stream.size() - 2] == 0xFF);
    CHECK(stream[stream.size() - 1] == 0xD9);
    const std::vector<std::uint8_t> sof = segment(stream, 0xC3);
    REQUIRE(sof.size() == 6 + 3 * 4);
    CHECK(sof[0] == 14);                  // precision
    CHECK((sof[1] << 8 | sof[2]) == 32);  // lines
    CHECK((sof[3] << 8 | sof[4]) == 64);  // samples per line
    CHECK(sof[5] == 4);
    for (unsigned k = 0; k < 4; ++k) CHECK(sof[7 + 3 * k] == 0x11);  // 1x1 sampling
    const std::vector<std::uint8_t> dht = segment(stream, 0xC4);
    REQUIRE(dht.size() > 17);
    CHECK(dht[0] == 0x00);  // DC table 0, the only one
    unsigned codes = 0;
    for (unsigned len = 0; len < 16; ++len) codes += dht[1 + len];
    CHECK(dht.size() == 17 + codes);
    const std::vector<std::uint8_t> sos = segment(stream, 0xDA);
    REQUIRE(sos.size() == 1 + 2 * 4 + 3);
    CHECK(sos[9] == 1);   // predictor
    CHECK(sos[11] == 0);  // no point transform
    // Inside the entropy-coded data every 0xFF is followed by 0x00.
    const std::size_t data =
        static_cast<std::size_t>(std::search(stream.begin(), stream.end(), sos.begin(), sos.end()) - stream.begin()) +
        sos.size();
    for (std::size_t i = data; i + 2 < stream.size(); ++i) {
        if (stream[i] == 0xFF) {
            CHECK(stream[i + 1] == 0x00);
            ++i;
        }
    }
}

TEST_CASE("lossless JPEG refuses what it cannot code, naming it") {
    LosslessJpegImage in = image(4, 4, 1, 1);
    in.samples[5] = 16384;
    CHECK_THROWS_WITH_AS(encodeLosslessJpeg(in), doctest::Contains("16384"), std::invalid_argument);
    in = image(4, 4, 1, 8);
    CHECK_THROWS_WITH_AS(encodeLosslessJpeg(in), doctest::Contains("predictor"), std::invalid_argument);
    in = image(4, 4, 5, 1);
    CHECK_THROWS_WITH_AS(encodeLosslessJpeg(in), doctest::Contains("components"), std::invalid_argument);
    in = image(4, 4, 1, 1);
    in.samples.pop_back();
    CHECK_THROWS_AS(encodeLosslessJpeg(in), std::invalid_argument);
    std::vector<std::uint8_t> stream = encodeLosslessJpeg(image(8, 8, 2, 1));
    stream.resize(stream.size() / 2);
    CHECK_THROWS_AS(decodeLosslessJpeg(stream), std::runtime_error);
}

TEST_CASE("Sony lossless tiles: four components of 2x2 blocks, tiles left to right, edges padded") {
    // 100x70 in 32x32 tiles: 4 across (the last holds 4 columns), 3 down (the last holds 6 rows).
    RawImage frame;
    frame.layout = {100, 70, 2, 2, 96, 66};
    frame.pixels.resize(frame.layout.pixelCount());
    std::mt19937 random(5);
    for (auto& p : frame.pixels) p = static_cast<std::uint16_t>(random() % 16384);
    frame.pixels[0] = 0;
    frame.pixels[frame.pixels.size() - 1] = 16383;
    const SonyLosslessCodec codec(1, 32, 32);
    const SonyLosslessCodec::Tiles tiles = codec.encode(frame);
    REQUIRE(tiles.count() == 12);
    CHECK(tiles.offsets[0] == 0);
    for (std::size_t i = 1; i < tiles.count(); ++i)
        CHECK(tiles.offsets[i] == tiles.offsets[i - 1] + tiles.byte_counts[i - 1]);
    CHECK(tiles.data.size() == tiles.offsets.back() + tiles.byte_counts.back());
    CHECK(codec.decode(tiles, frame.layout) == frame.pixels);

    // Tile 1 (x 32..63, y 0..31): a 16x16 JPEG whose place (jx, jy) holds the block at (32 + 2jx, 2jy).
    const LosslessJpegImage tile =
        decodeLosslessJpeg(std::span(tiles.data).subspan(tiles.offsets[1], tiles.byte_counts[1]));
    CHECK(tile.width == 16);
    CHECK(tile.height == 16);
    CHECK(tile.components == 4);
    CHECK(tile.predictor == 1);
    const std::size_t place = (std::size_t{3} * 16 + 5) * 4;  // jx 5, jy 3: raw (42, 6)
    CHECK(tile.samples[place + 0] == frame.at(42, 6));
    CHECK(tile.samples[place + 1] == frame.at(43, 6));
    CHECK(tile.samples[place + 2] == frame.at(42, 7));
    CHECK(tile.samples[place + 3] == frame.at(43, 7));
    // The last tile (x 96..127, y 64..95) repeats the last two columns and rows outside the frame.
    const LosslessJpegImage last =
        decodeLosslessJpeg(std::span(tiles.data).subspan(tiles.offsets[11], tiles.byte_counts[11]));
    const std::size_t outside = (std::size_t{10} * 16 + 9) * 4;  // jx 9, jy 10: raw (114, 84)
    CHECK(last.samples[outside + 0] == frame.at(98, 68));
    CHECK(last.samples[outside + 3] == frame.at(99, 69));

    // Constant frames, edge values, every predictor, the real tile size with remainders.
    for (unsigned predictor = 1; predictor <= 7; ++predictor) {
        CAPTURE(predictor);
        RawImage flat;
        flat.layout = {520, 40, 0, 0, 520, 40};
        for (std::uint16_t level : {std::uint16_t{0}, std::uint16_t{16383}}) {
            flat.pixels.assign(flat.layout.pixelCount(), level);
            const SonyLosslessCodec c(predictor);
            const SonyLosslessCodec::Tiles t = c.encode(flat);
            CHECK(t.count() == 2);
            CHECK(t.data.size() < 2 * 64 * 1024);  // almost nothing to code: a bit per sample at most
            CHECK(c.decode(t, flat.layout) == flat.pixels);
        }
    }
}

TEST_CASE("Sony lossless tiles refuse odd sides, values beyond 14 bits and odd tile sizes") {
    RawImage frame;
    frame.layout = {64, 63, 0, 0, 64, 62};
    frame.pixels.assign(frame.layout.pixelCount(), 512);
    CHECK_THROWS_WITH_AS(SonyLosslessCodec().encode(frame), doctest::Contains("even"), std::invalid_argument);
    frame.layout = {64, 64, 0, 0, 64, 64};
    frame.pixels.assign(frame.layout.pixelCount(), 512);
    frame.pixels[64 * 3 + 7] = 16384;
    CHECK_THROWS_WITH_AS(SonyLosslessCodec().encode(frame), doctest::Contains("(7,3)"), std::invalid_argument);
    CHECK_THROWS_AS(SonyLosslessCodec(1, 24, 512), std::invalid_argument);
    CHECK_THROWS_AS(SonyLosslessCodec(0), std::invalid_argument);
}
