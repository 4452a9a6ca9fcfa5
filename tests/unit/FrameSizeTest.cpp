// SPDX-License-Identifier: GPL-3.0-or-later
// The frame size before the first image: what the body, the lens and the last session say
// (alpaca/FrameSize), what the daemon keeps of each body (alpaca/BodyMemory), and LibRaw's APS-C
// column trim (config::libRawApscTrim), against the shipped body and lens data.
#include "alpaca/BodyMemory.hpp"
#include "alpaca/FrameSize.hpp"
#include "config/DataFiles.hpp"
#include "config/RawTypes.hpp"

#include <doctest/doctest.h>

#include <fstream>

#include <unistd.h>

using namespace sonyalpaca;
using alpaca::BodyMemory;
using Mode = BodyMemory::Mode;

namespace {
struct Data {
    config::BodyDatabase bodies = config::BodyDatabase::load(config::findDataFile("sony-bodies.json"));
    config::LensDatabase lenses = config::LensDatabase::load(config::findDataFile("sony-lenses.json"));
};

const auto nothingRemembered = [](Mode) -> std::optional<BodyMemory::Size> { return std::nullopt; };

struct Dir {
    std::filesystem::path path = std::filesystem::temp_directory_path() / ("memory-test-" + std::to_string(::getpid()));
    Dir() { std::filesystem::create_directories(path); }
    ~Dir() { std::filesystem::remove_all(path); }
};
}  // namespace

TEST_CASE("the body's APS-C setting decides - without it an APS-C lens means the factory setting Auto crops") {
    const Data data;
    const auto* a7iii = data.bodies.find("ILCE-7M3");
    const auto* kit = data.lenses.find("SELP1650");
    const auto* g20 = data.lenses.find("SEL20F18G");
    REQUIRE(a7iii);
    REQUIRE(kit);
    REQUIRE(g20);

    const auto whole = alpaca::frameSizeAtConnect(a7iii, false, kit, nothingRemembered);
    CHECK(whole.mode == Mode::Full);
    CHECK(whole.width == 6024);
    CHECK(whole.height == 4024);
    CHECK(whole.reason.find("setting is Off") != std::string::npos);

    const auto cropped = alpaca::frameSizeAtConnect(a7iii, true, g20, nothingRemembered);
    CHECK(cropped.mode == Mode::Apsc);
    // 3936x2624 image + the 9M3 sample's margins = 3968x2648 raw; LibRaw cuts the last 32 columns.
    CHECK(cropped.width == 3936);
    CHECK(cropped.height == 2648);

    const auto by_lens = alpaca::frameSizeAtConnect(a7iii, std::nullopt, kit, nothingRemembered);
    CHECK(by_lens.mode == Mode::Apsc);
    CHECK(by_lens.reason.find("APS-C lens") != std::string::npos);
    CHECK(alpaca::frameSizeAtConnect(a7iii, std::nullopt, g20, nothingRemembered).mode == Mode::Full);
    CHECK(alpaca::frameSizeAtConnect(a7iii, std::nullopt, nullptr, nothingRemembered).mode == Mode::Full);

    // An APS-C body has no such mode, whatever the lens.
    const auto* a6400 = data.bodies.find("ILCE-6400");
    REQUIRE(a6400);
    const auto aps_body = alpaca::frameSizeAtConnect(a6400, std::nullopt, kit, nothingRemembered);
    CHECK(aps_body.mode == Mode::Full);
    CHECK(aps_body.width == (static_cast<unsigned>(a6400->sensor_width) & ~1U));
}

TEST_CASE("the size this body delivered last time wins over the data - sample-file APS-C sizes are used as they are") {
    const Data data;
    const auto* a7iii = data.bodies.find("ILCE-7M3");
    const auto remembered = [](Mode mode) -> std::optional<BodyMemory::Size> {
        if (mode == Mode::Apsc) return BodyMemory::Size{3904, 2624};
        return std::nullopt;
    };
    const auto seen = alpaca::frameSizeAtConnect(a7iii, true, nullptr, remembered);
    CHECK(seen.width == 3904);
    CHECK(seen.height == 2624);
    CHECK(seen.reason.find("last time") != std::string::npos);
    CHECK(alpaca::frameSizeAtConnect(a7iii, false, nullptr, remembered).width == 6024);

    const auto* a7iv = data.bodies.find("ILCE-7M4");  // an APS-C sample file is known: 4736x3132
    REQUIRE(a7iv);
    const auto sample = alpaca::frameSizeAtConnect(a7iv, true, nullptr, nothingRemembered);
    CHECK(sample.width == 4736);
    CHECK(sample.height == 3132);
    CHECK(sample.reason.find("APS-C raw size") != std::string::npos);

    // Not in the data: unknown until the first image, unless it was seen before.
    CHECK(alpaca::frameSizeAtConnect(nullptr, std::nullopt, nullptr, nothingRemembered).width == 0);
    CHECK(alpaca::frameSizeAtConnect(nullptr, std::nullopt, nullptr, remembered).width == 0);  // Full: none
}

TEST_CASE("LibRaw cuts 32 columns only from the APS-C widths it names per model") {
    CHECK(config::libRawApscTrim("ILCE-7M3", 3968) == 32);
    CHECK(config::libRawApscTrim("ILCE-7M2", 3800) == 32);
    CHECK(config::libRawApscTrim("ILCE-9", 3968) == 32);
    CHECK(config::libRawApscTrim("ILCE-7", 3968) == 32);
    CHECK(config::libRawApscTrim("ILCE-7", 3936) == 0);
    CHECK(config::libRawApscTrim("ILCE-7RM3", 5216) == 32);
    CHECK(config::libRawApscTrim("ILCE-7RM4", 6304) == 32);
    CHECK(config::libRawApscTrim("ILCE-7R", 4800) == 32);
    CHECK(config::libRawApscTrim("ILCE-7SM2", 2816) == 32);
    CHECK(config::libRawApscTrim("ILCE-7M3", 6048) == 0);  // the whole sensor
    CHECK(config::libRawApscTrim("ILCE-7M4", 4736) == 0);  // above the a7 III family's range
    CHECK(config::libRawApscTrim("ILCE-6400", 3968) == 0);
}

TEST_CASE("every full-frame body with an APS-C size in the data gives an even APS-C frame smaller than the whole") {
    const Data data;
    int with_apsc = 0;
    for (const auto& body : data.bodies.bodies()) {
        if (body.sensor_format != "full-frame") continue;
        const auto size = alpaca::frameSizeAtConnect(&body, true, nullptr, nothingRemembered);
        INFO(body.model);
        CHECK(size.mode == Mode::Apsc);
        if (size.width == 0) continue;  // the data knows no APS-C size: learned from the first image
        ++with_apsc;
        CHECK(size.width % 2 == 0);
        CHECK(size.height % 2 == 0);
        CHECK(size.width < static_cast<unsigned>(body.sensor_width) * 4 / 5);
        CHECK(size.height < static_cast<unsigned>(body.sensor_height) * 4 / 5);
    }
    CHECK(with_apsc >= 20);
}

TEST_CASE("the bodies seen are kept across restarts - a damaged file is moved aside") {
    Dir dir;
    const auto file = dir.path / "bodies-seen.json";
    const std::string key = BodyMemory::keyOf("ILCE-7M3", "0123");
    CHECK(key == "ILCE-7M3 0123");
    CHECK(BodyMemory::keyOf("ILCE-7M3", "") == "ILCE-7M3");
    {
        BodyMemory memory(file);
        CHECK_FALSE(memory.lens(key));
        CHECK_FALSE(memory.frameSize(key, Mode::Full));
        memory.rememberLens(key, "E 3.5-5.6/PZ 16-50 OSS");
        memory.rememberFrameSize(key, Mode::Apsc, {3936, 2648});
        memory.rememberFrameSize(key, Mode::Full, {6024, 4024});
        memory.rememberFrameSize(key, Mode::Full, {0, 4024});  // implausible: ignored
        memory.rememberFrameSize(key, Mode::Full, {100000, 4024});
    }
    {
        BodyMemory memory(file);
        CHECK(memory.lens(key) == "E 3.5-5.6/PZ 16-50 OSS");
        CHECK(memory.frameSize(key, Mode::Apsc) == BodyMemory::Size{3936, 2648});
        CHECK(memory.frameSize(key, Mode::Full) == BodyMemory::Size{6024, 4024});
        CHECK_FALSE(memory.lens("ILCE-7M3 other"));
    }
    std::ofstream(file) << "{\"bodies\": {\"x\": ";
    {
        BodyMemory memory(file);
        CHECK_FALSE(memory.lens(key));
    }
    CHECK(std::filesystem::exists(dir.path / "bodies-seen.json.damaged"));
    // Odd entries are skipped, the rest read.
    std::ofstream(file) << R"({"bodies": {"A 1": {"lens": 5, "frame_sizes": {"full": [10, "x"], "apsc": [3000, 2000],
        "tilted": [1, 2]}}, "B 2": "nothing"}})";
    BodyMemory memory(file);
    CHECK_FALSE(memory.lens("A 1"));
    CHECK_FALSE(memory.frameSize("A 1", Mode::Full));
    CHECK(memory.frameSize("A 1", Mode::Apsc) == BodyMemory::Size{3000, 2000});
}

TEST_CASE("a state directory that cannot be written costs the memory, never the daemon") {
    Dir dir;
    std::ofstream(dir.path / "a-file") << "not a directory";
    const auto file = dir.path / "a-file" / "bodies-seen.json";
    BodyMemory memory(file);
    CHECK_NOTHROW(memory.rememberLens("ILCE-7M3 1", "SEL20F18G"));
    CHECK(memory.lens("ILCE-7M3 1") == "SEL20F18G");  // kept for this run
    CHECK_FALSE(std::filesystem::exists(file));
}
