// SPDX-License-Identifier: GPL-3.0-or-later
// The virtual body's Sony PC-remote protocol: the version it answers (0x9202) and the property
// layout that goes with it (0x9209), and an exposure it cannot make refused at the shutter press.
#include "config/BodyDatabase.hpp"
#include "config/DataFiles.hpp"
#include "config/LensDatabase.hpp"
#include "ptp/sim/PtpCodes.hpp"
#include "ptp/sim/SimulatorHost.hpp"
#include "ptp/sim/VirtualBody.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <map>
#include <vector>

using namespace sonyalpaca;
using namespace sonyalpaca::ptp::sim;

namespace {

struct Reader {
    const std::vector<std::uint8_t>& d;
    std::size_t at = 0;
    std::uint64_t get(std::size_t bytes) {
        REQUIRE(bytes <= 8);
        REQUIRE(at + bytes <= d.size());
        std::uint64_t v = 0;
        for (std::size_t i = 0; i < bytes; ++i) v |= std::uint64_t{d[at + i]} << (8 * i);
        at += bytes;
        return v;
    }
};

/// The version the body answers to 0x9202 with `params`.
std::uint64_t versionAnswered(VirtualBody& body, std::vector<std::uint32_t> params) {
    const OperationResult result = body.handle(code::SonyGetSdioExtDeviceInfo, params, {});
    REQUIRE(result.data);
    Reader in{*result.data};
    return in.get(2);
}

/// Every enumeration of the 0x9209 answer, read as `lists` lists per enumeration (1: protocol
/// 2.00; 2: protocol 3.00, the second list being what can be set now). Fails unless the layout
/// reads to the end exactly.
std::map<std::uint16_t, std::vector<std::vector<std::int64_t>>> enumerations(VirtualBody& body, int lists) {
    const OperationResult result = body.handle(code::SonyGetAllDevicePropData, {}, {});
    REQUIRE(result.data);
    Reader in{*result.data};
    std::map<std::uint16_t, std::vector<std::vector<std::int64_t>>> found;
    const std::uint64_t count = in.get(8);
    for (std::uint64_t n = 0; n < count; ++n) {
        const auto property = static_cast<std::uint16_t>(in.get(2));
        const auto type = static_cast<std::uint16_t>(in.get(2));
        const bool known_range = (property >= 0x5000 && property < 0x5100) || property >= 0xD000;
        REQUIRE(known_range);
        const std::size_t size = type <= 2 ? 1 : type <= 4 ? 2 : 4;
        in.get(2);                                             // change method, enabled
        for (int value = 0; value < 2; ++value) in.get(size);  // factory, current
        const auto form = in.get(1);
        if (form == 1)
            for (int value = 0; value < 3; ++value) in.get(size);  // minimum, maximum, step
        if (form != 2) continue;
        for (int list = 0; list < lists; ++list) {
            std::vector<std::int64_t> values(in.get(2));
            for (auto& value : values) value = static_cast<std::int64_t>(in.get(size));
            found[property].push_back(values);
        }
    }
    CHECK(in.at == result.data->size());
    return found;
}

SimulatorOptions optionsOf(const std::string& body, int protocol = 0) {
    SimulatorOptions options;
    options.body = body;
    options.sensor_scale = 16;
    options.body_options.protocol = protocol;
    return options;
}

}  // namespace

TEST_CASE(
    "a body answers the highest Sony protocol it speaks up to the one asked for, and lays out its properties so") {
    SUBCASE("the a7 III speaks 2.00 only") {
        SimulatorHost a7iii(optionsOf("ILCE-7M3"));
        CHECK(versionAnswered(a7iii.body(), {0x12C, 1}) == 0xC8);  // libgphoto2 2.5.34 asks every body for 3.00
        CHECK(enumerations(a7iii.body(), 1).at(code::SonyRawFileType).size() == 1);
    }
    SUBCASE("the a7 IV speaks 3.00 when asked, 2.00 otherwise") {
        SimulatorHost a7iv(optionsOf("ILCE-7M4"));
        CHECK(versionAnswered(a7iv.body(), {0xC8}) == 0xC8);  // libgphoto2 2.5.30, and 2.5.32 for the a7 IV
        CHECK(enumerations(a7iv.body(), 1).at(code::SonyRawFileType) ==
              std::vector<std::vector<std::int64_t>>{{0, 1, 2}});
        CHECK(versionAnswered(a7iv.body(), {0x12C}) == 0x12C);  // libgphoto2 2.5.31
        const auto both = enumerations(a7iv.body(), 2);
        CHECK(both.at(code::SonyRawFileType) == std::vector<std::vector<std::int64_t>>{{0, 1, 2}, {0, 1, 2}});
        CHECK(both.at(code::SonyIso).size() == 2);
    }
    SUBCASE("--protocol 2 keeps an a7 IV on 2.00") {
        SimulatorHost a7iv(optionsOf("ILCE-7M4", 2));
        CHECK(versionAnswered(a7iv.body(), {0x12C, 1}) == 0xC8);
        CHECK(enumerations(a7iv.body(), 1).at(code::SonyRawFileType).size() == 1);
    }
}

namespace {
/// A frame source that cannot make any frame, and says why.
class NoFrames final : public FrameSource {
public:
    std::vector<CapturedFile> capture(const ExposureRecord&) override {
        FAIL("capture() must not be called after cannotCapture() said no");
        return {};
    }
    std::vector<std::uint8_t> liveView(const ExposureRecord&) override { return {}; }
    std::optional<std::string> cannotCapture(const ExposureRecord&) const override { return "no sky tonight"; }
};
}  // namespace

TEST_CASE("an exposure the body cannot make is refused at the shutter press, not left to time out") {
    const auto bodies = config::BodyDatabase::load(config::findDataFile("sony-bodies.json"));
    const auto lenses = config::LensDatabase::load(config::findDataFile("sony-lenses.json"));
    VirtualBody body(*bodies.find("ILCE-7M3"), *lenses.find("SEL20F18G"), LensOptions{}, BodyOptions{},
                     std::make_shared<NoFrames>(), std::make_shared<Faults>());
    const std::vector<std::uint8_t> press{2, 0};
    const std::vector<std::uint32_t> shutter_button{code::SonyS2};
    const OperationResult result = body.handle(code::SonySetControlDeviceB, shutter_button, press);
    CHECK(result.code == code::GeneralError);
    CHECK(body.exposureCount() == 0);
}
