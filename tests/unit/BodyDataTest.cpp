// SPDX-License-Identifier: GPL-3.0-or-later
// The shipped body data (data/sony-bodies.json): one clean row per real Sony model, each fact with a
// source, sizes that fit together, and the loader's own checks.
#include "config/BodyDatabase.hpp"
#include "config/DataFiles.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>
#include <regex>
#include <set>

#include <unistd.h>

using namespace sonyalpaca::config;

namespace {
nlohmann::json shippedDocument() {
    std::ifstream in(findDataFile("sony-bodies.json"));
    return nlohmann::json::parse(in);
}

std::string loadError(const std::string& text) {
    const auto path = std::filesystem::temp_directory_path() / ("body-test-" + std::to_string(::getpid()) + ".json");
    std::ofstream(path) << text;
    std::string message;
    try {
        BodyDatabase::load(path);
    } catch (const std::runtime_error& e) {
        message = e.what();
    }
    std::filesystem::remove(path);
    return message;
}

/// A valid row of the new layout, as JSON text with `extra` fields merged over it.
std::string oneBody(const nlohmann::json& extra) {
    nlohmann::json row = {{"model", "ILCE-7M3"},
                          {"sony_model_id", 363},
                          {"pixel_size_x_um", 5.933},
                          {"pixel_size_y_um", 5.933},
                          {"raw_width", 6048},
                          {"raw_height", 4024},
                          {"visible_width", 6024},
                          {"visible_height", 4024},
                          {"default_crop_width", 6000},
                          {"default_crop_height", 4000},
                          {"raw_types", {"uncompressed", "compressed"}},
                          {"libraw_min", "0.20"}};
    if (!extra.is_null()) row.update(extra);  // `{}` arrives as null
    return nlohmann::json{{"bodies", {row}}}.dump();
}

/// The sensor width a format allows, in mm (Sony's published figures, rounded to 0.1 mm).
std::pair<double, double> formatWidth(const std::string& format) {
    if (format == "full-frame") return {35.6, 36.2};
    if (format == "aps-c") return {23.2, 23.6};
    if (format == "1-inch") return {13.1, 13.3};
    return {0, 0};
}
}  // namespace

TEST_CASE("body data: the shipped file loads, one row per model, no junk keys") {
    const auto database = BodyDatabase::load(findDataFile("sony-bodies.json"));
    CHECK(database.bodies().size() >= 41);
    // Sony's model strings: ILCE-/ILCA-/ILME-/ILX-/SLT-/DSC-/NEX- followed by upper-case letters and digits
    // (no spaces, no lower case), or ZV-…; never a USB id.
    const std::regex pattern("(ILCE|ILCA|ILME|ILX|SLT|DSC|NEX)-[A-Z0-9]+|ZV-[A-Z0-9]+");
    std::set<std::string> models;
    std::set<int> ids;
    for (const auto& body : database.bodies()) {
        CAPTURE(body.model);
        CHECK(std::regex_match(body.model, pattern));
        CHECK(models.insert(body.model).second);
        for (const auto& alias : body.model_aliases) {
            CHECK(std::regex_match(alias, pattern));
            CHECK(models.insert(alias).second);
        }
        CHECK(body.sony_model_id > 0);
        CHECK(ids.insert(body.sony_model_id).second);
        CHECK_FALSE(body.display_name.empty());
        CHECK(body.display_name.find("Mk") == std::string::npos);  // Sony writes "a7 IV", not "a7 Mk IV"
    }
    for (const char* junk : {"VID_054C&PID_0CCC", "VID_054C&PID_0D18", "ILCA - 68", "ZV - E10"})
        CHECK(database.find(junk) == nullptr);
    // The corrected display names and the bodies libgphoto2 drives that were missing.
    CHECK(database.find("ILCE-7RM5")->display_name == "a7R V");
    CHECK(database.find("SLT-A99V")->display_name == "SLT-A99V");
    for (const char* added : {"ILCE-7CR", "ILCE-9M2", "ILCE-9M3", "ZV-E1", "ILME-FX3", "ILME-FX30", "ILCE-1M2"})
        CHECK_MESSAGE(database.find(added) != nullptr, added);
    // ILCE-6001 is another model string of the a6000 (no model id of its own), not a row.
    REQUIRE(database.find("ILCE-6001") != nullptr);
    CHECK(database.find("ILCE-6001")->model == "ILCE-6000");
    CHECK(database.findById(0x16B)->model == "ILCE-7M3");
}

TEST_CASE("body data: sizes are even and fit inside each other - the pixel size fits the sensor format") {
    const auto database = BodyDatabase::load(findDataFile("sony-bodies.json"));
    for (const auto& body : database.bodies()) {
        CAPTURE(body.model);
        for (const int side : {body.raw_width, body.raw_height, body.sensor_width, body.sensor_height,
                               body.cropped_width, body.cropped_height})
            CHECK((side > 0 && side % 2 == 0));
        CHECK(body.sensor_width <= body.raw_width);
        CHECK(body.sensor_height <= body.raw_height);
        CHECK(body.cropped_width <= body.sensor_width);
        CHECK(body.cropped_height <= body.sensor_height);
        // LibRaw trims at most a few dozen columns; Sony's crop keeps 3:2 and nearly all of it.
        CHECK(body.raw_width - body.sensor_width <= 48);
        CHECK(std::abs(static_cast<double>(body.cropped_width) / body.cropped_height - 1.5) < 0.01);
        if (body.lossless_raw_width != 0) {
            // Lossless files are padded to whole 512-pixel tiles.
            CHECK(body.lossless_raw_width % 512 == 0);
            CHECK(body.lossless_raw_height % 512 == 0);
            CHECK(body.lossless_raw_width >= body.raw_width);
            CHECK(body.offersRawType("lossless"));
        }
        CHECK(body.pixel_size_x_um == body.pixel_size_y_um);
        const auto [low, high] = formatWidth(body.sensor_format);
        REQUIRE_MESSAGE(high > 0, "unknown sensor format " << body.sensor_format);
        const double width_mm = body.pixel_size_x_um * body.cropped_width / 1000;
        CHECK(width_mm >= low - 0.01);
        CHECK(width_mm <= high + 0.01);
        CHECK(std::abs(width_mm - body.sensor_width_mm) < 0.01);
        // Full-frame bodies, and only they, say what their APS-C / Super 35 mode gives.
        CHECK(body.apsc.has_value() == (body.sensor_format == "full-frame"));
        if (body.apsc && body.apsc->image_width != 0) {
            // An APS-C crop of a full-frame sensor is about 1.5 times smaller each way.
            const double factor = static_cast<double>(body.cropped_width) / body.apsc->image_width;
            CHECK(factor > 1.4);
            CHECK(factor < 1.6);
        }
    }
    // The a7 IV: the uncompressed raw is 7040x4688, LibRaw 0.21 shows 7028, the lossless file is 7168x5120.
    const BodyEntry* a7iv = database.find("ILCE-7M4");
    REQUIRE(a7iv != nullptr);
    CHECK(a7iv->raw_width == 7040);
    CHECK(a7iv->sensor_width == 7028);
    CHECK(a7iv->lossless_raw_width == 7168);
    CHECK(a7iv->apsc->raw_width == 4736);
    // The a7 III keeps what the daemon and the simulator have always used: 6024x4024 visible, 6000x4000 crop.
    const BodyEntry* a7iii = database.find("ILCE-7M3");
    CHECK(a7iii->sensor_width == 6024);
    CHECK(a7iii->sensor_height == 4024);
    CHECK(a7iii->cropped_width == 6000);
    CHECK(a7iii->raw_width == 6048);
}

TEST_CASE("body data: RAW types, LibRaw and libgphoto2 facts") {
    const auto database = BodyDatabase::load(findDataFile("sony-bodies.json"));
    for (const auto& body : database.bodies()) {
        CAPTURE(body.model);
        CHECK_FALSE(body.raw_types.empty());
        CHECK(body.libraw_known);
        CHECK(body.gphotoProtocol("2.5.30") == 2);  // 2.5.30 knows only the older mode
        CHECK(body.gphotoProtocol("2.5.34") == 0);  // from 2.5.34 on the body's answer decides
        const int v31 = body.gphotoProtocol("2.5.31");
        CHECK((v31 == 2 || v31 == 3));
    }
    // The bodies Debian 12's LibRaw 0.20.2 does not name (arw.md §4) have a later libraw_min.
    for (const char* model : {"ILCE-1", "ILCE-6700", "ILCE-7M4", "ILCE-7C", "ILCE-7CM2", "ILCE-7RM3A", "ILCE-7RM4A",
                              "ILCE-7RM5", "ILCE-7SM3", "ZV-E10", "ILX-LR1"}) {
        CAPTURE(model);
        REQUIRE(database.find(model) != nullptr);
        CHECK_FALSE(database.find(model)->librawKnows(0, 20));
    }
    CHECK(database.find("ILCE-7M3")->librawKnows(0, 20));
    CHECK(database.find("ILCE-7M4")->librawKnows(0, 21));
    CHECK_FALSE(database.find("ILCE-7RM5")->librawKnows(0, 21));
    CHECK(database.find("ILCE-7RM5")->librawKnows(0, 22));
    CHECK_FALSE(database.find("ILCE-1M2")->librawKnows(0, 22));  // no release knows it yet
    // libgphoto2 2.5.31 opens the a7 IV generation in protocol 3.00; 2.5.32 took the a7 IV and a7C back out.
    CHECK(database.find("ILCE-7M4")->gphotoProtocol("2.5.31") == 3);
    CHECK(database.find("ILCE-7M4")->gphotoProtocol("2.5.32") == 2);
    CHECK(database.find("ILCE-7M3")->gphotoProtocol("2.5.31") == 2);
    CHECK(database.find("ILCE-9M3")->gphotoProtocol("2.5.33") == 3);
    // Lossless-only and no-uncompressed bodies.
    CHECK(database.find("ILCE-7M5")->raw_types == std::vector<std::string>{"lossless"});
    CHECK_FALSE(database.find("ZV-E1")->offersRawType("uncompressed"));
    CHECK_FALSE(database.find("ILCE-7")->offersRawType("uncompressed"));
    CHECK(database.find("ILCE-7M3")->offersRawType("uncompressed"));
}

TEST_CASE("body data: every row and every kind of fact names a source the file describes") {
    const auto document = shippedDocument();
    REQUIRE(document.contains("about"));
    REQUIRE(document.contains("sources"));
    const auto& sources = document.at("sources");
    for (const auto& row : document.at("bodies")) {
        const std::string model = row.at("model");
        CAPTURE(model);
        REQUIRE(row.contains("sources"));
        for (const char* kind : {"sony_model_id", "sizes", "visible", "raw_types", "sensor_width_mm", "protocol"}) {
            CAPTURE(kind);
            REQUIRE(row.at("sources").contains(kind));
            const std::string source = row.at("sources").at(kind);
            // "rawdb + notes", "inferred (see notes)": the first word is a key of the sources block.
            const std::string key = source.substr(0, source.find(' '));
            CHECK(sources.contains(key));
            if (source.find("notes") != std::string::npos) CHECK(row.contains("notes"));
        }
        // A type offered but not seen in a sample file is explained in the notes.
        const auto& types = row.at("raw_types");
        const auto& seen = row.at("raw_types_seen");
        if (types.size() != seen.size()) CHECK(row.contains("notes"));
        if (row.contains("apsc") && row.at("apsc").at("raw_width").is_null())
            CHECK(row.at("apsc").contains("unknown_because"));
        // The decoded shutter seconds match the codes (numerator << 16 | denominator; 0 = BULB).
        if (row.contains("sony_shutter_codes")) {
            const auto& codes = row.at("sony_shutter_codes");
            const auto& seconds = row.at("shutter_seconds");
            REQUIRE(codes.size() == seconds.size());
            for (std::size_t i = 0; i < codes.size(); ++i) {
                const auto code = codes[i].get<std::uint32_t>();
                if (code == 0) {
                    CHECK(seconds[i].is_null());
                    continue;
                }
                const double value = static_cast<double>(code >> 16U) / (code & 0xFFFFU);
                CHECK(seconds[i].get<double>() == doctest::Approx(value).epsilon(0.01));
            }
        }
        CHECK(row.value("ascom_sensor_type", 0) == 2);
        CHECK(row.value("exposure_min_s", 0.0) > 0);
        CHECK(row.value("exposure_max_s", 0.0) > row.value("exposure_min_s", 0.0));
    }
}

TEST_CASE("body data: the loader rejects duplicates, junk sizes and unknown RAW types") {
    CHECK(loadError(oneBody({})).empty());
    const auto two = [](const nlohmann::json& a, const nlohmann::json& b) {
        auto first = nlohmann::json::parse(oneBody(a));
        first["bodies"].push_back(nlohmann::json::parse(oneBody(b))["bodies"][0]);
        return first.dump();
    };
    CHECK(loadError(two({}, {{"sony_model_id", 364}})).find("model string ILCE-7M3 appears") != std::string::npos);
    CHECK(loadError(two({}, {{"model", "ilce-7m3"}, {"sony_model_id", 364}})).find("appears") != std::string::npos);
    CHECK(loadError(two({}, {{"model", "ILCE-9"}})).find("model id 363 appears") != std::string::npos);
    CHECK(loadError(two({{"model_aliases", {"ILCE-9"}}}, {{"model", "ILCE-9"}, {"sony_model_id", 358}}))
              .find("ILCE-9 appears") != std::string::npos);
    CHECK(loadError(oneBody({{"visible_width", 6049}, {"raw_width", 6050}})).find("even") != std::string::npos);
    CHECK(loadError(oneBody({{"visible_width", 6050}})).find("larger than the raw size") != std::string::npos);
    CHECK(loadError(oneBody({{"default_crop_width", 6030}})).find("crop is larger") != std::string::npos);
    CHECK(loadError(oneBody({{"raw_types", {"uncompressed", "lossy"}}})).find("may only name") != std::string::npos);
    CHECK(loadError(oneBody({{"raw_types_seen", {"lossless"}}})).find("lacks") != std::string::npos);
    CHECK(loadError(oneBody({{"libraw_min", "new"}})).find("libraw_min") != std::string::npos);
    CHECK(loadError(oneBody({{"libgphoto2", {{"protocol", {{"2.5.31", 4}}}}}})).find("2, 3 or 0") != std::string::npos);
    CHECK(loadError(oneBody({{"apsc", nlohmann::json::object()}})).find("unknown_because") != std::string::npos);
    CHECK(loadError(oneBody({{"apsc", {{"raw_width", 6048}, {"raw_height", 4024}}}})).find("not smaller") !=
          std::string::npos);
    CHECK(loadError(oneBody({{"sony_model_id", 0}})).find("16-bit") != std::string::npos);
    // Files of the old layout (sensor_width = the visible size) still load.
    CHECK(loadError(R"({"bodies":[{"model":"ILCE-7M3","pixel_size_x_um":5.95,"pixel_size_y_um":5.95,)"
                    R"("sensor_width":6024,"sensor_height":4024}]})")
              .empty());
}

TEST_CASE("body data: version comparison and protocol look-up") {
    CHECK(compareVersions("2.5.9", "2.5.31") < 0);
    CHECK(compareVersions("2.5.31", "2.5.31") == 0);
    CHECK(compareVersions("2.5.34", "2.5.31.1") > 0);
    BodyEntry body;
    body.gphoto_protocol = {{"2.5.30", 2}, {"2.5.31", 3}, {"2.5.34", 0}};
    CHECK(body.gphotoProtocol("2.5.29") == -1);
    CHECK(body.gphotoProtocol("2.5.30") == 2);
    CHECK(body.gphotoProtocol("2.5.33") == 3);
    CHECK(body.gphotoProtocol("2.5.35") == 0);
    CHECK(body.librawKnows(0, 20));  // a row without LibRaw data
}
