// SPDX-License-Identifier: GPL-3.0-or-later
// imaging/: raw decoding against ARW files written by the simulator (ptp/sim/sky), frame
// operations, Alpaca's ImageBytes and ImageArray JSON forms, FITS files read back with cfitsio.
#include "imaging/FitsWriter.hpp"
#include "imaging/ImageArrayJson.hpp"
#include "imaging/ImageBytes.hpp"
#include "imaging/NightFolder.hpp"
#include "imaging/RawDecoder.hpp"
#include "imaging/Subframe.hpp"
#include "imaging/Transpose.hpp"

#include "ImagingFrames.hpp"
#include "ptp/sim/sky/ArwFile.hpp"

#include <doctest/doctest.h>
#include <fitsio.h>
#include <nlohmann/json.hpp>

#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

using namespace sonyalpaca::imaging;
using sonyalpaca::test::randomFrame;
namespace sim = sonyalpaca::ptp::sim;

namespace {

/// A frame of known values: a ramp that differs in every pixel, black and clipping values by hand.
sim::RawImage patternImage(const sim::SensorLayout& layout) {
    sim::RawImage image;
    image.layout = layout;
    image.pixels.resize(layout.pixelCount());
    for (unsigned y = 0; y < layout.raw_height; ++y) {
        for (unsigned x = 0; x < layout.raw_width; ++x) {
            image.pixels[static_cast<std::size_t>(y) * layout.raw_width + x] =
                static_cast<std::uint16_t>(400 + (x * 7 + y * 131) % 15000);
        }
    }
    image.pixels[0] = 0;
    image.pixels[1] = 16383;
    image.pixels[image.pixels.size() - 1] = 15360;
    return image;
}

sim::SensorLayout smallLayout() { return {640, 424, 12, 12, 616, 400}; }

sim::ArwInfo coldNight() {
    sim::ArwInfo info;
    info.model = "ILCE-7M3";
    info.exposure_s = 20.0;
    info.iso = 800;
    info.f_number = 2.8;
    info.ambient_temperature_c = -5.0;
    info.sensor_temperature_c = 12.0;
    info.battery_temperature_c = 30.0;
    info.date_time = "2024:11:05 23:41:07";
    return info;
}

/// Replaces the bytes after the first occurrence of `pattern` (an IFD entry's tag, type and count).
void patchAfter(std::vector<std::uint8_t>& file, const std::vector<std::uint8_t>& pattern,
                const std::vector<std::uint8_t>& value) {
    const auto at = std::search(file.begin(), file.end(), pattern.begin(), pattern.end());
    REQUIRE(at != file.end());
    std::copy(value.begin(), value.end(), at + static_cast<std::ptrdiff_t>(pattern.size()));
}

/// The raw IFD's CFAPattern (0x828E, BYTE, 4), e.g. {1, 0, 2, 1} for GRBG.
void setCfaPattern(std::vector<std::uint8_t>& file, std::vector<std::uint8_t> pattern) {
    patchAfter(file, {0x8E, 0x82, 0x01, 0x00, 0x04, 0x00, 0x00, 0x00}, pattern);
}

std::uint32_t le32(const std::uint8_t* p) {
    return std::uint32_t{p[0]} | std::uint32_t{p[1]} << 8 | std::uint32_t{p[2]} << 16 | std::uint32_t{p[3]} << 24;
}

/// The whole JSON document through write() in chunks of `chunk` bytes.
std::string streamJson(ImageArrayJson& json, std::size_t chunk) {
    std::string out;
    std::vector<char> buffer(chunk);
    for (std::size_t i = 0; i <= json.totalSize(); ++i) {  // bounded: at least one byte per round
        const std::size_t n = json.write(out.size(), buffer.data(), buffer.size());
        if (n == 0) break;
        out.append(buffer.data(), n);
    }
    return out;
}

}  // namespace

// --- raw decoding --------------------------------------------------------------------------------

TEST_CASE("the lens an ARW names in EXIF LensModel is the frame's lens") {
    auto info = coldNight();
    info.lens_model = "FE 20mm F1.8 G";
    const RawFrame raw = decodeArw(sim::writeArw(patternImage(smallLayout()), info, sim::ArwKind::Uncompressed));
    REQUIRE(raw.metadata.lens.has_value());
    CHECK(*raw.metadata.lens == "FE 20mm F1.8 G");
}

TEST_CASE("an uncompressed ARW decodes to exactly the values written, with its metadata") {
    const sim::RawImage image = patternImage(smallLayout());
    const RawFrame raw = decodeArw(sim::writeArw(image, coldNight(), sim::ArwKind::Uncompressed));
    // LibRaw's visible area for a width without a per-model rule is the whole readout.
    CHECK(raw.image.width == 640);
    CHECK(raw.image.height == 424);
    CHECK(raw.image.pixels == image.pixels);
    const RawMetadata& m = raw.metadata;
    CHECK(m.raw_width == 640);
    CHECK(m.raw_height == 424);
    CHECK(m.crop_left == 0);
    CHECK(m.crop_top == 0);
    CHECK(m.bayer_offset_x == 0);
    CHECK(m.bayer_offset_y == 0);
    CHECK(m.black_level == 512);
    CHECK(m.white_level == 15360);
    CHECK(m.bit_depth == 14);
    CHECK(m.max_adu == 16383);
    CHECK(m.clipped_pixels == 0);
    CHECK(m.make == "Sony");
    CHECK(m.model == "ILCE-7M3");
    CHECK(m.iso == doctest::Approx(800));
    CHECK(m.exposure_s == doctest::Approx(20.0));
    CHECK(m.f_number == doctest::Approx(2.8));
    std::tm when{};
    when.tm_year = 2024 - 1900;
    when.tm_mon = 10;
    when.tm_mday = 5;
    when.tm_hour = 23;
    when.tm_min = 41;
    when.tm_sec = 7;
    when.tm_isdst = -1;
    REQUIRE(m.timestamp.has_value());
    CHECK(std::chrono::system_clock::to_time_t(*m.timestamp) ==
          std::mktime(&when));        // the camera's clock as local time
    CHECK_FALSE(m.lens.has_value());  // this file names no lens
    REQUIRE(m.sensor_temperature_c.has_value());
    CHECK(*m.sensor_temperature_c == doctest::Approx(12.0));
    REQUIRE(m.ambient_temperature_c.has_value());
    CHECK(*m.ambient_temperature_c == doctest::Approx(-5.0));  // LibRaw itself says 251
    REQUIRE(m.battery_temperature_c.has_value());
    CHECK(std::abs(*m.battery_temperature_c - 30.0) < 0.3);  // whole °F
}

TEST_CASE("negative sensor and ambient temperatures come back negative, and bodies without a value give none") {
    const sim::RawImage image = patternImage(smallLayout());
    struct Case {
        double ambient, sensor, battery;
    };
    for (const Case& c : {Case{-20, -3, -10}, Case{-128, -1, 0}, Case{0, 127, 50}, Case{25, -128, 20}}) {
        CAPTURE(c.sensor);
        CAPTURE(c.ambient);
        sim::ArwInfo info = coldNight();
        info.ambient_temperature_c = c.ambient;
        info.sensor_temperature_c = c.sensor;
        info.battery_temperature_c = c.battery;
        for (sim::ArwKind kind : {sim::ArwKind::Uncompressed, sim::ArwKind::Compressed}) {
            const RawMetadata m = decodeArw(sim::writeArw(image, info, kind)).metadata;
            REQUIRE(m.sensor_temperature_c.has_value());
            REQUIRE(m.ambient_temperature_c.has_value());
            REQUIRE(m.battery_temperature_c.has_value());
            CHECK(*m.sensor_temperature_c == doctest::Approx(c.sensor));
            CHECK(*m.ambient_temperature_c == doctest::Approx(c.ambient));
            CHECK(std::abs(*m.battery_temperature_c - c.battery) < 0.3);
        }
    }
    // An SLT body (camera id 0x126, SLT-A99): LibRaw skips the ambient temperature.
    sim::ArwInfo slt = coldNight();
    slt.model = "SLT-A99V";
    slt.camera_id = 0x126;
    const RawMetadata m = decodeArw(sim::writeArw(image, slt, sim::ArwKind::Uncompressed)).metadata;
    CHECK(m.model.rfind("SLT-A99", 0) == 0);
    CHECK_FALSE(m.ambient_temperature_c.has_value());
    REQUIRE(m.sensor_temperature_c.has_value());
    CHECK(*m.sensor_temperature_c == doctest::Approx(12.0));
}

TEST_CASE("a 6048-wide readout gives LibRaw's 6024-wide visible area (arw.md §2.3)") {
    const sim::SensorLayout layout{6048, 40, 12, 12, 6000, 16};
    const sim::RawImage image = patternImage(layout);
    const RawFrame raw = decodeArw(sim::writeArw(image, coldNight(), sim::ArwKind::Uncompressed));
    REQUIRE(raw.image.width == 6024);
    REQUIRE(raw.image.height == 40);
    CHECK(raw.metadata.raw_width == 6048);
    CHECK(raw.metadata.crop_left == 0);
    bool same = true;
    for (unsigned y = 0; y < raw.image.height; ++y) {
        for (unsigned x = 0; x < raw.image.width; ++x) same = same && raw.image.at(x, y) == image.at(x, y);
    }
    CHECK(same);
}

TEST_CASE("a cRAW ARW decodes to what the coding keeps, clipped to MaxADU") {
    sim::RawImage image = patternImage(smallLayout());
    // One cRAW block (row 1, even columns 0..30) spanning codes 6 to 2021 (values 12 to 16372): coded
    // with a shift of 4, the second pixel at the top rounds to code 2022, 16404, above 14 bits.
    image.pixels[640] = 12;
    image.pixels[642] = 16383;
    image.pixels[644] = 16383;
    const sim::ArwFile arw(image, coldNight(), sim::ArwKind::Compressed);
    const std::vector<std::uint16_t> kept = arw.decodedValues();
    std::vector<std::uint16_t> expected(kept.size());
    std::size_t above = 0;
    for (std::size_t i = 0; i < kept.size(); ++i) {
        expected[i] = std::min<std::uint16_t>(kept[i], 16383);
        above += kept[i] > 16383 ? 1U : 0U;
    }
    CHECK(above > 0);  // the clipping is exercised
    const RawFrame raw = decodeArw(arw.bytes());
    CHECK(raw.image.width == 640);
    CHECK(raw.image.height == 424);
    CHECK(raw.image.pixels == expected);
    CHECK(raw.metadata.clipped_pixels == above);
    CHECK(raw.metadata.max_adu == 16383);
    CHECK(raw.metadata.white_level == 15360);
    CHECK(raw.metadata.black_level == 512);
    CHECK(raw.metadata.iso == doctest::Approx(800));
}

TEST_CASE("a mosaic that does not start with red is cropped so that the frame is RGGB from (0, 0)") {
    const sim::RawImage image = patternImage(smallLayout());
    struct Case {
        std::vector<std::uint8_t> cfa;
        unsigned dx, dy;
    };
    for (const Case& c :
         {Case{{0, 1, 1, 2}, 0, 0}, Case{{1, 0, 2, 1}, 1, 0}, Case{{1, 2, 0, 1}, 0, 1}, Case{{2, 1, 1, 0}, 1, 1}}) {
        CAPTURE(c.dx);
        CAPTURE(c.dy);
        std::vector<std::uint8_t> file = sim::writeArw(image, coldNight(), sim::ArwKind::Uncompressed);
        setCfaPattern(file, c.cfa);
        const RawFrame raw = decodeArw(file);
        CHECK(raw.metadata.crop_left == c.dx);
        CHECK(raw.metadata.crop_top == c.dy);
        CHECK(raw.metadata.bayer_offset_x == 0);
        CHECK(raw.metadata.bayer_offset_y == 0);
        CHECK(raw.image.width == 640 - 2 * c.dx);  // whole 2x2 cells
        CHECK(raw.image.height == 424 - 2 * c.dy);
        bool same = true;
        for (unsigned y = 0; y < raw.image.height; ++y) {
            for (unsigned x = 0; x < raw.image.width; ++x) {
                same = same && raw.image.at(x, y) == image.at(x + c.dx, y + c.dy);
            }
        }
        CHECK(same);
    }
}

TEST_CASE("a lossless-compressed ARW is refused with the camera setting to change") {
    std::vector<std::uint8_t> file =
        sim::writeArw(patternImage(smallLayout()), coldNight(), sim::ArwKind::Uncompressed);
    // The raw IFD's Compression (0x0103, SHORT, 1): 1 → 7, Sony's lossless JPEG (ARW 4.0).
    patchAfter(file, {0x03, 0x01, 0x03, 0x00, 0x01, 0x00, 0x00, 0x00}, {7, 0});
    CHECK_THROWS_WITH_AS(decodeArw(file), doctest::Contains("lossless-compressed"), DecodeError);
    CHECK_THROWS_WITH_AS(decodeArw(file), doctest::Contains("RAW File Type"), DecodeError);
    CHECK_THROWS_WITH_AS(decodeArw(file), doctest::Contains("Uncompressed"), DecodeError);
}

TEST_CASE("a frame LibRaw left flat or full of zeros is refused, never served as a black picture") {
    const sim::RawImage good = patternImage(smallLayout());
    // LibRaw 0.21 answers success with an all-zero mosaic for files it cannot read: the same frame.
    sim::RawImage black = good;
    std::fill(black.pixels.begin(), black.pixels.end(), std::uint16_t{0});
    const auto black_file = sim::writeArw(black, coldNight(), sim::ArwKind::Uncompressed);
    CHECK_THROWS_WITH_AS(decodeArw(black_file), doctest::Contains("did not really decode the uncompressed raw file"),
                         DecodeError);
    CHECK_THROWS_WITH_AS(decodeArw(black_file), doctest::Contains("every pixel at 0"), DecodeError);
    CHECK_THROWS_WITH_AS(decodeArw(black_file), doctest::Contains("LibRaw 0."), DecodeError);
    CHECK_THROWS_WITH_AS(decodeArw(black_file), doctest::Contains("ILCE-7M3"), DecodeError);
    CHECK_THROWS_WITH_AS(decodeArw(black_file), doctest::Contains("RAW File Type"), DecodeError);
    // One flat value is no exposure either.
    sim::RawImage flat = good;
    std::fill(flat.pixels.begin(), flat.pixels.end(), std::uint16_t{600});
    CHECK_THROWS_WITH_AS(decodeArw(sim::writeArw(flat, coldNight(), sim::ArwKind::Uncompressed)),
                         doctest::Contains("every pixel at 600"), DecodeError);
    // A tile left at 0 (here a band of 8 rows, 2 % of the frame): refused, with the share.
    sim::RawImage holed = good;
    std::fill(holed.pixels.begin() + 100 * 640, holed.pixels.begin() + 108 * 640, std::uint16_t{0});
    CHECK_THROWS_WITH_AS(decodeArw(sim::writeArw(holed, coldNight(), sim::ArwKind::Uncompressed)),
                         doctest::Contains("% of the pixels at 0, below the black level 512"), DecodeError);
    // A few dead photosites (under 0.1 %) are a real sensor's: served.
    sim::RawImage dead = good;
    for (std::size_t i = 0; i < 100; ++i) dead.pixels[(100 + i) * 640 + 3 * i + 20] = 0;
    CHECK(decodeArw(sim::writeArw(dead, coldNight(), sim::ArwKind::Uncompressed)).image.width == 640);
}

TEST_CASE("decoding a file it is given frees the file once LibRaw has unpacked it") {
    std::vector<std::uint8_t> file =
        sim::writeArw(patternImage(smallLayout()), coldNight(), sim::ArwKind::Uncompressed);
    const RawFrame raw = decodeArw(std::move(file));
    CHECK(file.empty());  // NOLINT(bugprone-use-after-move): the overload promises it
    CHECK(file.capacity() == 0);
    CHECK(raw.image.width == 640);
    const RawFrame copy =
        decodeArw(sim::writeArw(patternImage(smallLayout()), coldNight(), sim::ArwKind::Uncompressed));
    CHECK(copy.image.pixels == raw.image.pixels);
}

TEST_CASE("files that are not a decodable raw file throw DecodeError with a reason") {
    CHECK_THROWS_WITH_AS(decodeArw(std::span<const std::uint8_t>()), doctest::Contains("empty"), DecodeError);
    const std::vector<std::uint8_t> jpeg{0xFF, 0xD8, 0xFF, 0xE0, 0, 16, 'J', 'F', 'I', 'F', 0};
    CHECK_THROWS_WITH_AS(decodeArw(jpeg), doctest::Contains("JPEG"), DecodeError);
    std::vector<std::uint8_t> garbage(100000);
    std::mt19937 random(3);
    for (auto& b : garbage) b = static_cast<std::uint8_t>(random());
    CHECK_THROWS_AS(decodeArw(garbage), DecodeError);
    // A TIFF header alone.
    const std::vector<std::uint8_t> stub{'I', 'I', 42, 0, 8, 0, 0, 0, 0, 0};
    CHECK_THROWS_AS(decodeArw(stub), DecodeError);
    // Cut off inside the raw IFD: LibRaw sees no image.
    const std::vector<std::uint8_t> whole =
        sim::writeArw(patternImage(smallLayout()), coldNight(), sim::ArwKind::Uncompressed);
    const sim::ArwFile arw(patternImage(smallLayout()), coldNight(), sim::ArwKind::Uncompressed);
    const std::vector<std::uint8_t> cut(whole.begin(),
                                        whole.begin() + static_cast<std::ptrdiff_t>(arw.stripOffset() - 64));
    CHECK_THROWS_WITH_AS(decodeArw(cut), doctest::Contains("cannot decode"), DecodeError);
    // Cut off in the middle of the pixels: a download that broke off.
    const std::vector<std::uint8_t> half(whole.begin(), whole.begin() + static_cast<std::ptrdiff_t>(whole.size() / 2));
    CHECK_THROWS_WITH_AS(decodeArw(half), doctest::Contains("damaged or truncated"), DecodeError);
}

// --- frame operations ----------------------------------------------------------------------------

TEST_CASE("a subframe at bin 1 is the region, unchanged") {
    const Frame frame = randomFrame(37, 23, 1);
    const Frame region = extractSubframe(frame, {5, 3, 20, 11, 1});
    REQUIRE(region.width == 20);
    REQUIRE(region.height == 11);
    bool same = true;
    for (unsigned y = 0; y < 11; ++y) {
        for (unsigned x = 0; x < 20; ++x) same = same && region.at(x, y) == frame.at(x + 5, y + 3);
    }
    CHECK(same);
    CHECK(extractSubframe(frame, Subframe::full(37, 23)).pixels == frame.pixels);
}

TEST_CASE("2x2 binning is the rounded mean of each cell, in binned coordinates") {
    Frame frame{6, 4, {}};
    frame.pixels = {1, 2, 10, 10, 16383, 16383,  //
                    3, 5, 10, 11, 16383, 16383,  //
                    0, 0, 7,  7,  100,   200,    //
                    0, 1, 7,  8,  300,   401};
    const Frame binned = extractSubframe(frame, {0, 0, 3, 2, 2});
    REQUIRE(binned.width == 3);
    REQUIRE(binned.height == 2);
    // (1+2+3+5)/4 = 2.75 → 3; (10+10+10+11)/4 = 10.25 → 10; saturation stays at MaxADU.
    CHECK(binned.pixels == std::vector<std::uint16_t>{3, 10, 16383, 0, 7, 250});
    const Frame corner = extractSubframe(frame, {1, 1, 2, 1, 2});
    CHECK(corner.pixels == std::vector<std::uint16_t>{7, 250});
    // An odd-sized frame: the last column and row do not make a whole cell.
    const Frame odd = randomFrame(7, 5, 2);
    const Frame odd_binned = extractSubframe(odd, {0, 0, 3, 2, 2});
    CHECK(odd_binned.pixels[5] == (unsigned{odd.at(4, 2)} + odd.at(5, 2) + odd.at(4, 3) + odd.at(5, 3) + 2) / 4);
}

TEST_CASE("subframes outside the frame and unsupported binning are refused with the numbers") {
    const Frame frame = randomFrame(40, 30, 3);
    CHECK_THROWS_WITH_AS(extractSubframe(frame, {0, 0, 41, 30, 1}), doctest::Contains("NumX 41"),
                         std::invalid_argument);
    CHECK_THROWS_WITH_AS(extractSubframe(frame, {1, 0, 40, 30, 1}), doctest::Contains("StartX 1"),
                         std::invalid_argument);
    CHECK_THROWS_WITH_AS(extractSubframe(frame, {0, 0, 20, 16, 2}), doctest::Contains("StartY 0 + NumY 16 exceeds 15"),
                         std::invalid_argument);
    CHECK_THROWS_WITH_AS(extractSubframe(frame, {0, 0, 0, 10, 1}), doctest::Contains("at least 1"),
                         std::invalid_argument);
    CHECK_THROWS_WITH_AS(extractSubframe(frame, {0, 0, 10, 10, 3}), doctest::Contains("BinX/BinY 3"),
                         std::invalid_argument);
    CHECK_THROWS_AS(extractSubframe(frame, {4294967295U, 0, 2, 2, 1}), std::invalid_argument);  // no overflow
    CHECK_NOTHROW(extractSubframe(frame, {0, 0, 20, 15, 2}));
}

// --- Alpaca array order ---------------------------------------------------------------------------

TEST_CASE("the blocked transpose puts (x, y) at x * height + y for any size") {
    for (const auto& [w, h] : std::vector<std::pair<unsigned, unsigned>>{
             {1, 1}, {1, 9}, {9, 1}, {64, 64}, {63, 65}, {65, 63}, {130, 67}, {129, 200}, {200, 3}}) {
        CAPTURE(w);
        CAPTURE(h);
        const Frame frame = randomFrame(w, h, w * 1000 + h);
        std::vector<std::uint16_t> blocked(frame.pixelCount());
        std::vector<std::uint16_t> naive(frame.pixelCount());
        transposeToColumns(frame.pixels, w, h, blocked);
        transposeToColumnsNaive(frame.pixels, w, h, naive);
        bool right = true;
        for (unsigned y = 0; y < h; ++y) {
            for (unsigned x = 0; x < w; ++x) right = right && blocked[std::size_t{x} * h + y] == frame.at(x, y);
        }
        CHECK(right);
        CHECK(blocked == naive);
    }
    std::vector<std::uint16_t> in(12);
    std::vector<std::uint16_t> out(11);
    CHECK_THROWS_AS(transposeToColumns(in, 4, 3, out), std::invalid_argument);
    CHECK_THROWS_AS(transposeToColumns(in, 4, 3, in), std::invalid_argument);
}

TEST_CASE("ImageBytes: the 44-byte header of alpaca.md §4, then UInt16 little-endian in x-major order") {
    const Frame frame = randomFrame(67, 130, 5);  // odd, and not a multiple of the tile
    ImageBytes bytes(frame);
    CHECK(bytes.numX() == 67);
    CHECK(bytes.numY() == 130);
    const auto header = bytes.header(4000000000U, 17);
    CHECK(le32(&header[0]) == 1);            // MetadataVersion
    CHECK(le32(&header[4]) == 0);            // ErrorNumber
    CHECK(le32(&header[8]) == 4000000000U);  // ClientTransactionID
    CHECK(le32(&header[12]) == 17);          // ServerTransactionID
    CHECK(le32(&header[16]) == 44);          // DataStart
    CHECK(le32(&header[20]) == 2);           // ImageElementType Int32
    CHECK(le32(&header[24]) == 8);           // TransmissionElementType UInt16
    CHECK(le32(&header[28]) == 2);           // Rank
    CHECK(le32(&header[32]) == 67);          // Dimension1 = NumX
    CHECK(le32(&header[36]) == 130);         // Dimension2 = NumY
    CHECK(le32(&header[40]) == 0);           // Dimension3
    const auto pixels = bytes.pixelBytes();
    REQUIRE(pixels.size() == 67 * 130 * 2);
    CHECK(bytes.size() == 44 + pixels.size());
    bool right = true;
    std::size_t i = 0;
    for (unsigned x = 0; x < 67; ++x) {
        for (unsigned y = 0; y < 130; ++y, i += 2) {
            const unsigned value = pixels[i] | unsigned{pixels[i + 1]} << 8;
            right = right && value == frame.at(x, y);
        }
    }
    CHECK(right);
    CHECK(std::equal(bytes.columns().begin(), bytes.columns().end(),
                     [&] {
                         std::vector<std::uint16_t> t(frame.pixelCount());
                         transposeToColumnsNaive(frame.pixels, 67, 130, t);
                         return t;
                     }()
                         .begin()));

    // The contiguous form: the header written into the slot in front of the same pixels.
    const auto whole = bytes.stamp(5, 6);
    REQUIRE(whole.size() == bytes.size());
    const auto expected_header = bytes.header(5, 6);
    CHECK(std::equal(expected_header.begin(), expected_header.end(), whole.begin()));
    CHECK(whole.data() + 44 == bytes.pixelBytes().data());
}

TEST_CASE("ImageBytes refuses empty frames, and its error form carries the number and the UTF-8 message") {
    CHECK_THROWS_AS(ImageBytes(Frame{}), std::invalid_argument);
    CHECK_THROWS_AS(ImageBytes(Frame{3, 3, std::vector<std::uint16_t>(8)}), std::invalid_argument);
    const std::string message = "no image: call StartExposure first (°C)";
    const std::vector<std::uint8_t> error = imageBytesError(0x40B, message, 9, 10);
    REQUIRE(error.size() == 44 + message.size());
    CHECK(le32(&error[0]) == 1);
    CHECK(le32(&error[4]) == 0x40B);
    CHECK(le32(&error[8]) == 9);
    CHECK(le32(&error[12]) == 10);
    CHECK(le32(&error[16]) == 44);
    for (std::size_t at = 20; at < 44; at += 4) CHECK(le32(&error[at]) == 0);
    CHECK(std::string(error.begin() + 44, error.end()) == message);
    CHECK_THROWS_AS(imageBytesError(0, "x", 1, 1), std::invalid_argument);
}

// --- ImageArray JSON -----------------------------------------------------------------------------

TEST_CASE("the streamed ImageArray JSON parses back to Value[x][y] at every chunk size") {
    for (const auto& [w, h] : std::vector<std::pair<unsigned, unsigned>>{{1, 1}, {3, 2}, {1, 5}, {5, 1}, {37, 53}}) {
        CAPTURE(w);
        CAPTURE(h);
        const Frame frame = randomFrame(w, h, w + 7 * h);
        const ImageBytes bytes(frame);
        for (std::size_t chunk :
             {std::size_t{1}, std::size_t{2}, std::size_t{7}, std::size_t{8}, std::size_t{9}, std::size_t{65536}}) {
            CAPTURE(chunk);
            ImageArrayJson json(bytes.columns(), w, h, 4294967295U, 1);
            const std::string text = streamJson(json, chunk);
            CHECK(text.size() == json.totalSize());
            CHECK(text.rfind(R"({"Type":2,"Rank":2,"Value":[[)", 0) == 0);
            const auto doc = nlohmann::json::parse(text);
            CHECK(doc.at("Type") == 2);
            CHECK(doc.at("Rank") == 2);
            CHECK(doc.at("ClientTransactionID") == 4294967295U);
            CHECK(doc.at("ServerTransactionID") == 1);
            CHECK(doc.at("ErrorNumber") == 0);
            CHECK(doc.at("ErrorMessage") == "");
            const auto& value = doc.at("Value");
            REQUIRE(value.size() == w);
            bool right = true;
            for (unsigned x = 0; x < w; ++x) {
                REQUIRE(value[x].size() == h);
                for (unsigned y = 0; y < h; ++y) right = right && value[x][y] == frame.at(x, y);
            }
            CHECK(right);
        }
    }
}

TEST_CASE("the JSON writer answers any offset: restarts, retries and random reads") {
    const Frame frame = randomFrame(29, 31, 11);
    const ImageBytes bytes(frame);
    ImageArrayJson reference(bytes.columns(), 29, 31, 12, 34);
    const std::string whole = streamJson(reference, 65536);
    REQUIRE(whole.size() == reference.totalSize());

    ImageArrayJson json(bytes.columns(), 29, 31, 12, 34);
    CHECK(streamJson(json, 100) == whole);
    CHECK(streamJson(json, 3) == whole);  // a second download from offset 0
    std::mt19937 random(5);
    std::uniform_int_distribution<std::size_t> offset(0, whole.size() - 1);
    std::uniform_int_distribution<std::size_t> length(1, 40);
    std::vector<char> buffer(40);
    for (int i = 0; i < 2000; ++i) {
        const std::size_t at = offset(random);
        const std::size_t n = json.write(at, buffer.data(), length(random));
        REQUIRE(n > 0);
        CHECK(std::string(buffer.data(), n) == whole.substr(at, n));
        // A retry of the same range.
        CHECK(json.write(at, buffer.data(), n) == n);
        CHECK(std::string(buffer.data(), n) == whole.substr(at, n));
    }
    CHECK(json.write(whole.size(), buffer.data(), buffer.size()) == 0);
    CHECK(json.write(whole.size() + 10, buffer.data(), buffer.size()) == 0);
    CHECK_THROWS_AS(ImageArrayJson(bytes.columns(), 29, 30, 0, 1), std::invalid_argument);
    CHECK_THROWS_AS(ImageArrayJson({}, 0, 0, 0, 1), std::invalid_argument);
}

// --- FITS ----------------------------------------------------------------------------------------
