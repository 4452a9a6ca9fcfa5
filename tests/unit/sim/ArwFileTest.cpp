// SPDX-License-Identifier: GPL-3.0-or-later
#include "LibRawDecode.hpp"
#include "SimLayouts.hpp"

#include "ptp/sim/sky/ArwFile.hpp"
#include "ptp/sim/sky/CrawCodec.hpp"
#include "ptp/sim/sky/SkyRenderer.hpp"

#include <doctest/doctest.h>
#include <libraw/libraw.h>

#include <stdexcept>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <ctime>
#include <sstream>

using namespace sonyalpaca::ptp::sim;
using sonyalpaca::test::decodeWithLibRaw;
using sonyalpaca::test::smallLayout;

namespace {

SkyConditions starryNight() {
    SkyConditions c;
    c.seed = 42;
    c.noise_seed = 7;
    c.exposure_s = 20.0;
    c.iso = 800;
    c.star_fwhm_px = 3.0;
    return c;
}

/// A frame that exercises everything the coding must keep: stars up to saturation, hot pixels,
/// noise, plus black and white extremes written by hand.
RawImage testFrame(const SensorLayout& layout) {
    RawImage image = renderSky(layout, starryNight());
    image.pixels[0] = 0;
    image.pixels[1] = static_cast<std::uint16_t>(image.white_level);
    image.pixels[image.pixels.size() - 1] = 16383;
    return image;
}

ArwInfo coldNight() {
    ArwInfo info;
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

}  // namespace

TEST_CASE("LibRaw decodes an uncompressed ARW to exactly the values written") {
    const RawImage image = testFrame(smallLayout());
    const std::vector<std::uint8_t> file = writeArw(image, coldNight(), ArwKind::Uncompressed);
    const auto decoded = decodeWithLibRaw(file);
    REQUIRE(decoded.open_status == 0);
    REQUIRE(decoded.unpack_status == 0);
    CHECK(decoded.make == "Sony");
    CHECK(decoded.model == "ILCE-7M3");
    CHECK(decoded.raw_width == 640);
    CHECK(decoded.raw_height == 424);
    // LibRaw's visible area for a width without a per-model rule is the whole frame (arw.md §2.3);
    // Sony's DefaultCrop comes through as raw_inset_crop.
    CHECK(decoded.width == 640);
    CHECK(decoded.height == 424);
    CHECK(decoded.left_margin == 0);
    CHECK(decoded.top_margin == 0);
    CHECK(decoded.inset_left == 12);
    CHECK(decoded.inset_top == 12);
    CHECK(decoded.inset_width == 616);
    CHECK(decoded.inset_height == 400);
    CHECK(decoded.filters != 0);
    CHECK(decoded.colour_at_origin == 0);  // red
    CHECK(decoded.black == 512);
    CHECK(decoded.cblack0 == 0);
    CHECK(decoded.maximum == 15360);
    CHECK(decoded.iso == doctest::Approx(800));
    CHECK(decoded.shutter == doctest::Approx(20.0));
    CHECK(decoded.aperture == doctest::Approx(2.8));
    std::tm when{};
    when.tm_year = 2024 - 1900;
    when.tm_mon = 10;
    when.tm_mday = 5;
    when.tm_hour = 23;
    when.tm_min = 41;
    when.tm_sec = 7;
    when.tm_isdst = -1;
    CHECK(decoded.timestamp == static_cast<long long>(std::mktime(&when)));  // LibRaw reads local time
    REQUIRE(decoded.raw.size() == image.pixels.size());
    CHECK(decoded.raw == image.pixels);
}

TEST_CASE("LibRaw decodes a cRAW ARW to exactly what the lossy coding keeps") {
    const RawImage image = testFrame(smallLayout());
    const ArwFile arw(image, coldNight(), ArwKind::Compressed);
    CHECK(arw.size() == arw.stripOffset() + 640 * 424);
    const std::vector<std::uint16_t> expected = arw.decodedValues();
    const auto decoded = decodeWithLibRaw(arw.bytes());
    REQUIRE(decoded.open_status == 0);
    REQUIRE(decoded.unpack_status == 0);
    CHECK(decoded.model == "ILCE-7M3");
    CHECK(decoded.raw_width == 640);
    CHECK(decoded.raw_height == 424);
    CHECK(decoded.black == 512);
    CHECK(decoded.maximum == 15360);
    REQUIRE(decoded.raw.size() == expected.size());
    CHECK(decoded.raw == expected);

    // And what it keeps is close to what was rendered: below 2000 the curve steps by 2, and blocks of
    // sky background span fewer than 128 codes, so most values move by at most 1 (blocks touching a
    // star are coded with a shift); none moves by more
    // than one delta step (15 codes) plus half a code, 32 values each at the top of the curve.
    std::size_t close = 0;
    int worst = 0;
    for (std::size_t i = 0; i < expected.size(); ++i) {
        const int error = std::abs(static_cast<int>(expected[i]) - static_cast<int>(image.pixels[i]));
        worst = std::max(worst, error);
        if (error <= 1) ++close;
    }
    CHECK(worst <= 15 * 32 + 16);
    CHECK(close > expected.size() * 9 / 10);
}

TEST_CASE("maker-note temperatures come back as LibRaw 0.20.2 reports them, negative ones as 256 + T") {
    const RawImage image = renderSky(smallLayout(), starryNight());
    struct Case {
        double ambient, sensor, battery;
        float ambient_read, sensor_read;
    };
    for (const Case& c :
         {Case{-5, 12, 30, 251.0F, 12.0F}, Case{-20, -3, -10, 236.0F, 253.0F}, Case{18, 31, 25, 18.0F, 31.0F}}) {
        CAPTURE(c.ambient);
        ArwInfo info = coldNight();
        info.ambient_temperature_c = c.ambient;
        info.sensor_temperature_c = c.sensor;
        info.battery_temperature_c = c.battery;
        for (ArwKind kind : {ArwKind::Uncompressed, ArwKind::Compressed}) {
            const auto decoded = decodeWithLibRaw(writeArw(image, info, kind));
            REQUIRE(decoded.unpack_status == 0);
            CHECK(decoded.ambient_temperature == doctest::Approx(c.ambient_read));
            CHECK(decoded.sensor_temperature == doctest::Approx(c.sensor_read));
            // Battery: stored in whole °F, so within 0.3 °C.
            CHECK(std::abs(decoded.battery_temperature - c.battery) < 0.3);
            CHECK(decoded.camera_temperature == doctest::Approx(-1000.0));
        }
    }
}

TEST_CASE("the maker-note camera id names the body, a model without a known id needs one") {
    const RawImage image = renderSky(smallLayout(), starryNight());
    ArwInfo info = coldNight();
    info.model = "ILCE-7RM3";
    CHECK(decodeWithLibRaw(writeArw(image, info, ArwKind::Uncompressed)).model == "ILCE-7RM3");
    info.model = "ILCE-6000";
    info.camera_id = 0x016B;  // the id wins over IFD0's Model, as on real files
    CHECK(decodeWithLibRaw(writeArw(image, info, ArwKind::Uncompressed)).model == "ILCE-7M3");
    info.model = "ILCE-9999";
    info.camera_id.reset();
    CHECK_THROWS_AS(ArwFile(image, info, ArwKind::Uncompressed), std::invalid_argument);
}

TEST_CASE("the full-size ILCE-7M3 cRAW decodes with LibRaw's a7 III geometry") {
    const SensorLayout layout = SensorLayout::ilce7m3();
    const RawImage image = renderSky(layout, starryNight());
    const ArwFile arw(image, coldNight(), ArwKind::Compressed);
    const auto decoded = decodeWithLibRaw(arw.bytes());
    REQUIRE(decoded.unpack_status == 0);
    CHECK(decoded.raw_width == 6048);
    CHECK(decoded.raw_height == 4024);
    CHECK(decoded.width == 6024);  // LibRaw 0.20.2: raw_width 6048 → width − 24, no margins
    CHECK(decoded.height == 4024);
    CHECK(decoded.left_margin == 0);
    CHECK(decoded.inset_left == 12);
    CHECK(decoded.inset_width == 6000);
    CHECK(decoded.inset_height == 4000);
    CHECK(decoded.raw == arw.decodedValues());
}

namespace {

/// Whether the LibRaw this test runs decodes Sony's lossless-compressed RAW (0.21 and later).
bool libRawDecodesLossless() { return LibRaw::versionNumber() >= LIBRAW_MAKE_VERSION(0, 21, 0); }

}  // namespace

TEST_CASE("a lossless ARW decodes with LibRaw 0.21 to exactly the values written - 0.20 misreads it") {
    const RawImage image = testFrame(smallLayout());
    ArwInfo info = coldNight();
    info.model = "ILCE-7M4";
    const ArwFile arw(image, info, ArwKind::Lossless);
    CHECK(arw.decodedValues() == image.pixels);
    // 640x424 in 512x512 tiles: 2 x 1 tiles of 256x256 places, smaller than the 2-byte pixels.
    CHECK(arw.size() < image.pixels.size() * 2);
    const auto decoded = decodeWithLibRaw(arw.bytes());
    CAPTURE(LibRaw::version());
    REQUIRE(decoded.open_status == 0);
    if (libRawDecodesLossless()) {
        REQUIRE(decoded.unpack_status == 0);
        CHECK(decoded.make == "Sony");
        CHECK(decoded.model == "ILCE-7M4");
        CHECK(decoded.raw_width == 640);
        CHECK(decoded.raw_height == 424);
        CHECK(decoded.width == 640);
        CHECK(decoded.height == 424);
        CHECK(decoded.left_margin == 0);
        CHECK(decoded.top_margin == 0);
        CHECK(decoded.inset_left == 12);
        CHECK(decoded.inset_top == 12);
        CHECK(decoded.inset_width == 616);
        CHECK(decoded.inset_height == 400);
        CHECK(decoded.filters != 0);
        CHECK(decoded.colour_at_origin == 0);  // red
        CHECK(decoded.black == 512);
        CHECK(decoded.cblack0 == 0);
        CHECK(decoded.maximum == 15360);
        CHECK(decoded.iso == doctest::Approx(800));
        CHECK(decoded.shutter == doctest::Approx(20.0));
        CHECK(decoded.ambient_temperature == doctest::Approx(251.0));  // −5 °C read unsigned
        CHECK(decoded.sensor_temperature == doctest::Approx(12.0));
        CHECK(std::abs(decoded.battery_temperature - 30.0F) < 0.3F);
        REQUIRE(decoded.raw.size() == image.pixels.size());
        CHECK(decoded.raw == image.pixels);
    } else {
        // LibRaw 0.20.2 has no Sony lossless decoder: it takes the first tile's JPEG header for the
        // frame (4 components of 256x256 → 1024x256) and "succeeds" with values that are not the image.
        CHECK(decoded.unpack_status == 0);
        CHECK(decoded.raw_width == 1024);
        CHECK(decoded.raw_height == 256);
        CHECK(decoded.raw.size() != image.pixels.size());
    }
}

TEST_CASE("a lossless frame of exactly four 512-pixel tiles is cut in 256-pixel tiles (not a Sinar 4-shot)") {
    const RawImage image = renderSky({1024, 1024, 12, 8, 1000, 1000}, starryNight());
    ArwInfo info = coldNight();
    info.model = "ILCE-1";
    const ArwFile arw(image, info, ArwKind::Lossless);
    CHECK(arw.decodedValues() == image.pixels);
    if (!libRawDecodesLossless()) return;
    const auto decoded = decodeWithLibRaw(arw.bytes());
    REQUIRE(decoded.unpack_status == 0);  // with four TileOffsets, LibRaw would take sinar_4shot_load_raw
    CHECK(decoded.model == "ILCE-1");
    CHECK(decoded.raw == image.pixels);
}

TEST_CASE("the full-size ILCE-7M4 lossless file: 7168x5120 in 140 tiles, LibRaw 0.21's a7 IV geometry") {
    // A real a7 IV reads out 7040x4688 and writes lossless files padded to whole tiles (arw.md §1).
    const SensorLayout layout{7168, 5120, 12, 8, 7008, 4672};
    const RawImage image = renderSky(layout, starryNight());
    ArwInfo info = coldNight();
    info.model = "ILCE-7M4";
    const ArwFile arw(image, info, ArwKind::Lossless);
    // Stars on a dark sky: well under the 73 MB of 2-byte pixels (a real a7 IV file: 38.5 MB).
    CHECK(arw.size() < image.pixels.size() * 2 * 3 / 5);
    if (!libRawDecodesLossless()) return;
    const auto decoded = decodeWithLibRaw(arw.bytes());
    REQUIRE(decoded.unpack_status == 0);
    CHECK(decoded.raw_width == 7168);
    CHECK(decoded.raw_height == 5120);
    CHECK(decoded.width == 7028);  // LibRaw 0.21: ILCE-7M4 at 7168x5120
    CHECK(decoded.height == 4688);
    CHECK(decoded.inset_left == 12);
    CHECK(decoded.inset_top == 8);
    CHECK(decoded.inset_width == 7008);
    CHECK(decoded.inset_height == 4672);
    CHECK(decoded.raw == image.pixels);
}

TEST_CASE("reading an ARW in chunks gives the same bytes as the whole file") {
    for (ArwKind kind : {ArwKind::Uncompressed, ArwKind::Compressed, ArwKind::Lossless}) {
        const ArwFile arw(testFrame(smallLayout()), coldNight(), kind);
        const std::vector<std::uint8_t> whole = arw.bytes();
        REQUIRE(whole.size() == arw.size());
        CHECK(whole[0] == 'I');
        CHECK(whole[2] == 42);
        std::vector<std::uint8_t> chunked;
        std::vector<std::uint8_t> chunk(1000);  // not aligned to the header or to pixels
        for (std::size_t at = 0; at < arw.size(); at += chunk.size()) {
            const std::size_t n = std::min(chunk.size(), arw.size() - at);
            arw.read(at, std::span(chunk).first(n));
            chunked.insert(chunked.end(), chunk.begin(), chunk.begin() + static_cast<std::ptrdiff_t>(n));
        }
        CHECK(chunked == whole);
        std::ostringstream stream;
        arw.writeTo(stream);
        CHECK(stream.str().size() == whole.size());
        CHECK(std::equal(whole.begin(), whole.end(), stream.str().begin(),
                         [](std::uint8_t a, char b) { return a == static_cast<std::uint8_t>(b); }));
        std::vector<std::uint8_t> one(1);
        CHECK_THROWS_AS(arw.read(arw.size(), one), std::out_of_range);
    }
}

TEST_CASE("ARW files refuse invalid input with the field named") {
    const RawImage image = renderSky(smallLayout(), starryNight());
    ArwInfo info = coldNight();
    info.date_time = "2024-11-05 23:41:07";
    CHECK_THROWS_WITH_AS(ArwFile(image, info, ArwKind::Uncompressed), doctest::Contains("date_time"),
                         std::invalid_argument);
    info = coldNight();
    info.exposure_s = 0.0;
    CHECK_THROWS_WITH_AS(ArwFile(image, info, ArwKind::Uncompressed), doctest::Contains("exposure_s"),
                         std::invalid_argument);
    info = coldNight();
    info.ambient_temperature_c = -200.0;
    CHECK_THROWS_WITH_AS(ArwFile(image, info, ArwKind::Uncompressed), doctest::Contains("ambient"),
                         std::invalid_argument);
    RawImage narrow = renderSky({624, 40, 0, 0, 624, 40}, starryNight());  // 624 is not a multiple of 32
    CHECK_THROWS_AS(ArwFile(narrow, coldNight(), ArwKind::Compressed), std::invalid_argument);
    CHECK_NOTHROW(ArwFile(narrow, coldNight(), ArwKind::Uncompressed));
    CHECK_NOTHROW(ArwFile(narrow, coldNight(), ArwKind::Lossless));
    RawImage odd = renderSky({640, 41, 0, 0, 640, 40}, starryNight());
    CHECK_THROWS_WITH_AS(ArwFile(odd, coldNight(), ArwKind::Lossless), doctest::Contains("even"),
                         std::invalid_argument);
    RawImage hot = image;
    hot.pixels[17] = 16384;
    CHECK_THROWS_WITH_AS(ArwFile(hot, coldNight(), ArwKind::Lossless), doctest::Contains("14 bits"),
                         std::invalid_argument);
    RawImage broken = image;
    broken.pixels.pop_back();
    CHECK_THROWS_AS(ArwFile(broken, coldNight(), ArwKind::Uncompressed), std::invalid_argument);
}
