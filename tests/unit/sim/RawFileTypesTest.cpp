// SPDX-License-Identifier: GPL-3.0-or-later
#include "LibRawDecode.hpp"

#include "config/BodyDatabase.hpp"
#include "config/DataFiles.hpp"
#include "ptp/sim/PtpCodes.hpp"
#include "ptp/sim/RawFileTypes.hpp"
#include "ptp/sim/SimulatorHost.hpp"
#include "ptp/sim/SkyFrameSource.hpp"

#include <doctest/doctest.h>
#include <libraw/libraw.h>

#include <algorithm>
#include <cstdint>
#include <vector>

using namespace sonyalpaca;
using namespace sonyalpaca::ptp::sim;

namespace {

/// The enumeration of `property` in the body's 0x9209 answer (Sony's all-properties block).
std::vector<std::int64_t> enumerationOf(VirtualBody& body, std::uint16_t property) {
    const OperationResult result = body.handle(code::SonyGetAllDevicePropData, {}, {});
    REQUIRE(result.data);
    const std::vector<std::uint8_t>& d = *result.data;
    std::size_t at = 0;
    auto get = [&](std::size_t bytes) {
        REQUIRE(at + bytes <= d.size());
        std::uint64_t v = 0;
        for (std::size_t i = 0; i < bytes; ++i) v |= std::uint64_t{d[at + i]} << (8 * i);
        at += bytes;
        return v;
    };
    const std::uint64_t count = get(8);
    for (std::uint64_t n = 0; n < count; ++n) {
        const auto code = static_cast<std::uint16_t>(get(2));
        const auto type = static_cast<std::uint16_t>(get(2));
        const std::size_t size = type <= 2 ? 1 : type <= 4 ? 2 : 4;
        get(2);     // change method, enabled
        get(size);  // factory
        get(size);  // current
        const auto form = get(1);
        std::vector<std::int64_t> values;
        if (form == 1) {
            for (int part = 0; part < 3; ++part) get(size);  // minimum, maximum, step
        } else if (form == 2) {
            const std::uint64_t n_values = get(2);
            for (std::uint64_t i = 0; i < n_values; ++i) values.push_back(static_cast<std::int64_t>(get(size)));
        }
        if (code == property) return values;
    }
    FAIL("property not listed");
    return {};
}

SimulatorOptions simulatorOf(const std::string& body) {
    SimulatorOptions options;
    options.body = body;
    options.sensor_scale = 8;
    return options;
}

}  // namespace

TEST_CASE("the virtual body offers the RAW file types of its row in the body data") {
    const auto bodies = config::BodyDatabase::load(config::findDataFile("sony-bodies.json"));
    CHECK(rawFileTypesOf(*bodies.find("ILCE-7M3")) == std::vector<std::int64_t>{0, 1});
    CHECK(rawFileTypesOf(*bodies.find("ILCE-7M4")) == std::vector<std::int64_t>{0, 1, 2});
    CHECK(rawFileTypesOf(*bodies.find("ZV-E1")) == std::vector<std::int64_t>{1, 2});
    CHECK(rawFileTypesOf(config::BodyEntry{}) == std::vector<std::int64_t>{0, 1});

    SimulatorHost a7iii(simulatorOf("ILCE-7M3"));
    CHECK(enumerationOf(a7iii.body(), code::SonyRawFileType) == std::vector<std::int64_t>{0, 1});
    SimulatorHost a7iv(simulatorOf("ILCE-7M4"));
    CHECK(enumerationOf(a7iv.body(), code::SonyRawFileType) == std::vector<std::int64_t>{0, 1, 2});
    SimulatorHost zve1(simulatorOf("ZV-E1"));
    CHECK(enumerationOf(zve1.body(), code::SonyRawFileType) == std::vector<std::int64_t>{1, 2});
}

TEST_CASE("a body with one RAW file type has no RAW file type setting, and writes that type") {
    const auto bodies = config::BodyDatabase::load(config::findDataFile("sony-bodies.json"));
    const config::BodyEntry* a7 = bodies.find("ILCE-7");
    REQUIRE(a7 != nullptr);
    REQUIRE(a7->raw_types == std::vector<std::string>{"compressed"});
    SimulatorHost host(simulatorOf("ILCE-7"));
    const std::vector<std::uint32_t> version{0xC8};
    const auto codes = host.body().handle(code::SonyGetSdioExtDeviceInfo, version, {});
    REQUIRE(codes.data);
    const auto& d = *codes.data;
    bool listed = false;
    for (std::size_t at = 6; at + 1 < d.size(); at += 2)
        listed = listed || (d[at] | d[at + 1] << 8) == code::SonyRawFileType;
    CHECK_FALSE(listed);
}

TEST_CASE("RAW file type 2 gives a lossless ARW padded to whole tiles, the same sky as uncompressed") {
    const auto bodies = config::BodyDatabase::load(config::findDataFile("sony-bodies.json"));
    const config::BodyEntry* body = bodies.find("ILCE-7M4");
    REQUIRE(body != nullptr);
    const auto frames = makeSkyFrameSource(*body, 8, 3, 500.0, "FE 20mm F1.8 G");
    ExposureRecord exposure;
    exposure.sequence = 1;
    exposure.duration_s = 10;
    exposure.iso = 800;
    exposure.compression_setting = 0x10;  // RAW only
    exposure.raw_file_type = raw_file_type::Uncompressed;
    const std::vector<CapturedFile> plain = frames->capture(exposure);
    exposure.raw_file_type = raw_file_type::Lossless;
    const std::vector<CapturedFile> lossless = frames->capture(exposure);
    REQUIRE(plain.size() == 1);
    REQUIRE(lossless.size() == 1);
    // 7040x4688 / 8 → 880 (896 with cRAW's multiple of 32) x 586; padded to 1024 x 1024.
    CHECK(plain[0].width == 896);
    CHECK(plain[0].height == 586);
    CHECK(lossless[0].width == 1024);
    CHECK(lossless[0].height == 1024);
    CHECK(lossless[0].size < std::size_t{1024} * 1024 * 2);

    auto bytesOf = [](const CapturedFile& file) {
        std::vector<std::uint8_t> bytes(file.size);
        file.read(0, bytes);
        return bytes;
    };
    if (LibRaw::versionNumber() < LIBRAW_MAKE_VERSION(0, 21, 0)) return;  // no Sony lossless decoder
    const auto a = test::decodeWithLibRaw(bytesOf(plain[0]));
    const auto b = test::decodeWithLibRaw(bytesOf(lossless[0]));
    REQUIRE(a.unpack_status == 0);
    REQUIRE(b.unpack_status == 0);
    CHECK(b.model == "ILCE-7M4");
    REQUIRE(b.raw_width == 1024);
    REQUIRE(b.raw_height == 1024);
    CHECK(b.inset_left == a.inset_left);
    CHECK(b.inset_top == a.inset_top);
    std::size_t same = 0;
    for (unsigned y = 0; y < 1024; ++y) {
        for (unsigned x = 0; x < 1024; ++x) {
            const std::uint16_t v = b.raw[std::size_t{y} * 1024 + x];
            if (x >= 896 || y >= 586) {
                CHECK(v == 512);  // padding: the black level
            } else if (v == a.raw[std::size_t{y} * 896 + x]) {
                ++same;
            }
        }
    }
    CHECK(same == std::size_t{896} * 586);
}
