// SPDX-License-Identifier: GPL-3.0-or-later
#include "config/RawTypes.hpp"
#include "config/Settings.hpp"
#include "config/SettingsSchema.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <utility>
#include <vector>

using namespace sonyalpaca::config;

namespace {
std::string errorOf(const nlohmann::json& document) {
    Settings settings;
    try {
        applyJson(settings, document, "test.json");
    } catch (const ConfigError& e) {
        return e.what();
    }
    return {};
}
}  // namespace

TEST_CASE("camera source: auto, simulator and ptpip with host and port") {
    CHECK(CameraSource::parse("auto").kind == CameraSource::Kind::Auto);
    CHECK(CameraSource::parse("simulator").kind == CameraSource::Kind::Simulator);
    const auto plain = CameraSource::parse("ptpip:192.0.2.7");
    CHECK(plain.kind == CameraSource::Kind::PtpIp);
    CHECK(plain.host == "192.0.2.7");
    CHECK(plain.port == 15740);
    const auto with_port = CameraSource::parse("ptpip:127.0.0.1:4000");
    CHECK(with_port.port == 4000);
    CHECK(with_port.text() == "ptpip:127.0.0.1:4000");
    const auto v6 = CameraSource::parse("ptpip:[::1]:4001");
    CHECK(v6.host == "::1");
    CHECK(v6.port == 4001);
    CHECK(v6.text() == "ptpip:[::1]:4001");
    for (const char* bad : {"usb", "", "ptpip:", "ptpip:host:0", "ptpip:host:70000", "ptpip:host:x", "ptpip:[::1",
                            "ptpip:[::1]x", "Simulator"})
        CHECK_THROWS_AS(CameraSource::parse(bad), std::invalid_argument);
}

TEST_CASE("config file: every key applies") {
    Settings settings;
    applyJson(settings,
              {{"camera", "simulator"},
               {"bind", {"127.0.0.1", "::1"}},
               {"port", 8080},
               {"discovery_port", 0},
               {"discovery", false},
               {"state_dir", "/tmp/x"},
               {"lens", "SEL20F18G"},
               {"log_level", "debug"}},
              "test.json");
    CHECK(settings.camera.kind == CameraSource::Kind::Simulator);
    CHECK(settings.bind == std::vector<std::string>{"127.0.0.1", "::1"});
    CHECK(settings.port == 8080);
    CHECK(settings.discovery_port == 0);
    CHECK_FALSE(settings.discovery);
    CHECK(settings.state_dir == "/tmp/x");
    CHECK(settings.lens == "SEL20F18G");
    CHECK(settings.log_level == "debug");
}

TEST_CASE("config file: errors name the file, the key and what is allowed") {
    const auto unknown = errorOf({{"prot", 1}});
    CHECK(unknown.find("test.json") != std::string::npos);
    CHECK(unknown.find("\"prot\"") != std::string::npos);
    CHECK(unknown.find("allowed keys: camera, bind, port") != std::string::npos);

    const auto range = errorOf({{"port", 70000}});
    CHECK(range.find("\"port\"") != std::string::npos);
    CHECK(range.find("1 to 65535") != std::string::npos);

    CHECK(errorOf({{"port", "11111"}}).find("expected an integer port number") != std::string::npos);
    CHECK(errorOf({{"port", -1}}).find("1 to 65535") != std::string::npos);
    CHECK(errorOf({{"discovery", "yes"}}).find("expected true or false") != std::string::npos);
    CHECK(errorOf({{"bind", "127.0.0.1"}}).find("expected a list of strings") != std::string::npos);
    CHECK(errorOf({{"bind", {"localhost"}}}).find("not an IPv4 or IPv6 address") != std::string::npos);
    CHECK(errorOf({{"bind", {1}}}).find("every item must be a string") != std::string::npos);
    CHECK(errorOf({{"log_level", "loud"}}).find("allowed: trace, debug, info") != std::string::npos);
    CHECK(errorOf({{"camera", "usb"}}).find("allowed: auto, simulator, ptpip:HOST[:PORT]") != std::string::npos);
    CHECK(errorOf({{"state_dir", ""}}).find("\"state_dir\"") != std::string::npos);
    CHECK(errorOf(nlohmann::json::array()).find("one JSON object") != std::string::npos);
    CHECK(errorOf(nlohmann::json::object()).empty());
}

TEST_CASE("config file: image_dir is an absolute path without control characters - allowed_hosts are host names") {
    CHECK(errorOf({{"image_dir", "images"}}).find("relative path") != std::string::npos);
    CHECK(errorOf({{"image_dir", "./images"}}).find("relative path") != std::string::npos);
    CHECK(errorOf({{"image_dir", "/srv/images\nforged"}}).find("control character") != std::string::npos);
    CHECK(errorOf({{"image_dir", std::string("/srv/a\0b", 8)}}).find("control character") != std::string::npos);
    CHECK(errorOf({{"image_dir", "/srv/images\t"}}).find("control character") != std::string::npos);
    CHECK(errorOf({{"image_dir", ""}}).find("empty path") != std::string::npos);
    CHECK(errorOf({{"image_dir", "/srv/my images/été"}}).empty());
    CHECK(errorOf({{"allowed_hosts", {"observatory.example.org", "Dome", "pi_2"}}}).empty());
    CHECK(errorOf({{"allowed_hosts", {"pi.local:11111"}}}).find("not a host name") != std::string::npos);
    CHECK(errorOf({{"allowed_hosts", {"a b"}}}).find("not a host name") != std::string::npos);
    CHECK(errorOf({{"allowed_hosts", {""}}}).find("not a host name") != std::string::npos);
    CHECK(errorOf({{"allowed_hosts", "pi"}}).find("expected a list of strings") != std::string::npos);
}

TEST_CASE("config file: focal_length_mm is a focal length in mm, unset by default") {
    Settings settings;
    CHECK(settings.focal_length_mm == 0);
    applyJson(settings, {{"focal_length_mm", 714.5}}, "test.json");
    CHECK(settings.focal_length_mm == 714.5);
    CHECK(errorOf({{"focal_length_mm", 0}}).find("out of range") != std::string::npos);
    CHECK(errorOf({{"focal_length_mm", -50}}).find("mm") != std::string::npos);
    CHECK(errorOf({{"focal_length_mm", "400"}}).find("expected a number") != std::string::npos);
}

TEST_CASE("state directory defaults follow systemd and XDG") {
    CHECK(defaultStateDir({{"STATE_DIRECTORY", "/var/lib/sonyalpaca:/other"}}) == "/var/lib/sonyalpaca");
    CHECK(defaultStateDir({{"INVOCATION_ID", "abc"}, {"HOME", "/home/u"}}) == "/var/lib/sonyalpaca");
    CHECK(defaultStateDir({{"XDG_STATE_HOME", "/home/u/.st"}, {"HOME", "/home/u"}}) == "/home/u/.st/sonyalpaca");
    CHECK(defaultStateDir({{"XDG_STATE_HOME", "relative"}, {"HOME", "/home/u"}}) == "/home/u/.local/state/sonyalpaca");
    CHECK(defaultStateDir({{"HOME", "/home/u"}}) == "/home/u/.local/state/sonyalpaca");
}

TEST_CASE("every setting has an option, a help text and a default") {
    for (const auto& key : settingKeys()) {
        CAPTURE(key.key);
        CHECK(key.option.rfind("--", 0) == 0);
        CHECK_FALSE(key.help.empty());
        CHECK_FALSE(key.default_text.empty());
        CHECK(findOption(key.option) == &key);
    }
}

TEST_CASE("raw_type: uncompressed or compressed RAW, lossless where LibRaw decodes it, or empty") {
    Settings settings;
    CHECK(settings.raw_type.empty());
    applyJson(settings, {{"raw_type", "Compressed RAW"}}, "test.json");
    CHECK(settings.raw_type == "Compressed RAW");
    applyJson(settings, {{"raw_type", ""}}, "test.json");
    CHECK(settings.raw_type.empty());
    if (decodesSonyLossless()) {
        applyJson(settings, {{"raw_type", "Lossless Compressed RAW"}}, "test.json");
        CHECK(settings.raw_type == "Lossless Compressed RAW");
    } else {
        // Debian 12's LibRaw 0.20: refused, naming the release whose LibRaw decodes it.
        const auto lossless = errorOf({{"raw_type", "Lossless Compressed RAW"}});
        CHECK(lossless.find("\"raw_type\"") != std::string::npos);
        CHECK(lossless.find("LibRaw 0.20") != std::string::npos);
        CHECK(lossless.find("Debian 13") != std::string::npos);
    }
    // The M and S sizes are colour images: refused on every release.
    CHECK(errorOf({{"raw_type", "Lossless Compressed RAW M"}}).find("not the sensor's Bayer data") !=
          std::string::npos);
    CHECK(errorOf({{"raw_type", "compressed raw"}}).find("allowed: \"Uncompressed RAW\", \"Compressed RAW\"") !=
          std::string::npos);
    CHECK(errorOf({{"raw_type", 1}}).find("expected a string") != std::string::npos);
}

TEST_CASE("state settings file: over the config file, under the command line, never moving the state directory") {
    char name[] = "/tmp/sonyalpaca-settings.XXXXXX";
    REQUIRE(::mkdtemp(name) != nullptr);
    const std::filesystem::path dir = name;
    const auto file = stateSettingsFile(dir);
    CHECK(file == dir / "settings.json");

    Settings settings;
    settings.state_dir = dir;
    applyJson(settings, {{"keep_raw", true}, {"lens", "SEL20F18G"}, {"port", 2000}}, "config.json");
    const SettingKey* lens = findOption("--lens");
    REQUIRE(lens != nullptr);
    const std::vector<std::pair<const SettingKey*, SettingValue>> command_line{{lens, std::string("SEL50F14GM")}};

    // No file: the command line is applied again, nothing else changes.
    applyStateSettingsFile(settings, file, command_line);
    CHECK(settings.images.keep_raw);
    CHECK(settings.lens == "SEL50F14GM");
    CHECK(settings.port == 2000);

    // The file wins over what came before, the command line over the file.
    std::ofstream(file) << R"({"keep_raw": false, "save_fits": true, "lens": "SEL24F14GM",
                              "raw_type": "Compressed RAW"})";
    applyStateSettingsFile(settings, file, command_line);
    CHECK_FALSE(settings.images.keep_raw);
    CHECK(settings.images.save_fits);
    CHECK(settings.raw_type == "Compressed RAW");
    CHECK(settings.lens == "SEL50F14GM");
    CHECK(settings.port == 2000);

    // It cannot move the state directory it lives in; a bad value names the file and the key.
    std::ofstream(file) << R"({"state_dir": "/elsewhere"})";
    try {
        applyStateSettingsFile(settings, file, command_line);
        FAIL("state_dir was accepted");
    } catch (const ConfigError& e) {
        CHECK(std::string(e.what()).find(file.string() + ": key \"state_dir\"") == 0);
    }
    std::ofstream(file) << R"({"keep_raw": "yes"})";
    try {
        applyStateSettingsFile(settings, file, command_line);
        FAIL("a bad value was accepted");
    } catch (const ConfigError& e) {
        CHECK(std::string(e.what()).find(file.string()) == 0);
        CHECK(std::string(e.what()).find("\"keep_raw\"") != std::string::npos);
    }
    std::filesystem::remove_all(dir);
}
