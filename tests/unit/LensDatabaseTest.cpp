// SPDX-License-Identifier: GPL-3.0-or-later
#include "config/DataFiles.hpp"
#include "config/LensDatabase.hpp"

#include <doctest/doctest.h>

#include <fstream>

#include <unistd.h>

using namespace sonyalpaca::config;

namespace {
std::string loadError(const std::string& text) {
    const auto path = std::filesystem::temp_directory_path() / ("lens-test-" + std::to_string(::getpid()) + ".json");
    std::ofstream(path) << text;
    std::string message;
    try {
        LensDatabase::load(path);
    } catch (const std::runtime_error& e) {
        message = e.what();
    }
    std::filesystem::remove(path);
    return message;
}
}  // namespace

TEST_CASE("the shipped lens database loads and finds lenses by model id or name") {
    const auto database = LensDatabase::load(findDataFile("sony-lenses.json"));
    CHECK(database.lenses().size() == 20);
    const auto* lens = database.find("sel20f18g");
    REQUIRE(lens);
    CHECK(lens->maker == "Sony");
    CHECK(database.find("FE 20mm f/1.8 G") == lens);
    CHECK(database.find("no such lens") == nullptr);
    CHECK(database.find("FE 20mm F1.8 G") == lens);  // as an image's maker notes spell it
    CHECK(database.find("") == nullptr);
    CHECK(database.find("  ") == nullptr);
    CHECK(database.modelIds().find("SELP1650") != std::string::npos);
    // Every shipped lens says which image circle it covers; E-mount APS-C lenses crop a full-frame body.
    for (const auto& entry : database.lenses()) {
        INFO(entry.model_id);
        CHECK((entry.format == "full-frame" || entry.format == "aps-c"));
    }
    CHECK(database.find("SELP1650")->format == "aps-c");
    CHECK(lens->format == "full-frame");
}

TEST_CASE("user profiles add and replace lenses - a damaged file is skipped with its problem named") {
    const auto root = std::filesystem::temp_directory_path() / ("lens-dirs-" + std::to_string(::getpid()));
    std::filesystem::create_directories(root / "etc");
    std::filesystem::create_directories(root / "state");
    std::ofstream(root / "etc" / "a.json") << R"json({"lenses": [
        {"maker": "Sony", "model_id": "SEL20F18G", "name": "FE 20mm f/1.8 G (remeasured)",
         "full_travel_moves_by_step_size": [540, 205, 80, 30.5, 11.4, 4.3, 1.45],
         "step_time_ms": [20, 50, 80, 110, 140, 170, 200], "backlash": 1.5, "jitter": 0.004,
         "temperature_coefficient": -0.3},
        {"maker": "Samyang", "model_id": "AF14F28FE", "name": "AF 14mm F2.8 FE",
         "full_travel_moves_by_step_size": [800, 320, 130, 50, 20, 8, 3]}]})json";
    std::ofstream(root / "state" / "broken.json") << R"json({"lenses": [{"maker": "X", "model_id": "Y", "name": "Z",
        "full_travel_moves_by_step_size": [1, 2, 3, 4, 5, 6, 7]}]})json";
    std::vector<std::string> problems;
    const auto database = LensDatabase::loadWithUserProfiles(
        findDataFile("sony-lenses.json"), {root / "etc", root / "state", root / "missing"}, problems);
    CHECK(database.lenses().size() == 21);
    const auto* replaced = database.find("SEL20F18G");
    REQUIRE(replaced);
    CHECK(replaced->full_travel_moves[0] == 540);
    CHECK(replaced->backlash == 1.5);
    CHECK(replaced->jitter == 0.004);
    CHECK(replaced->temperature_coefficient == -0.3);
    REQUIRE(replaced->step_time_ms);
    CHECK((*replaced->step_time_ms)[6] == 200);
    CHECK(replaced->source == (root / "etc" / "a.json").string());
    CHECK(database.find("AF 14mm F2.8 FE"));
    REQUIRE(problems.size() == 1);
    CHECK(problems[0].find("broken.json") != std::string::npos);
    CHECK(problems[0].find("must not need more moves") != std::string::npos);
    std::filesystem::remove_all(root);
}

TEST_CASE("a profile's optional fields are checked") {
    const std::string head = R"json({"lenses": [{"maker": "S", "model_id": "L", "name": "N",
        "full_travel_moves_by_step_size": [100, 40, 16, 6, 2.5, 1.2, 1], )json";
    CHECK(loadError(head + R"json("jitter": 0.9}]})json").find("\"jitter\" must be a number from") !=
          std::string::npos);
    CHECK(loadError(head + R"json("backlash": -1}]})json").find("\"backlash\"") != std::string::npos);
    CHECK(loadError(head + R"json("format": "medium"}]})json").find("\"format\" must be \"full-frame\" or \"aps-c\"") !=
          std::string::npos);
    CHECK(loadError(head + R"json("step_time_ms": [1, 2]}]})json").find("7 numbers of milliseconds") !=
          std::string::npos);
    CHECK(loadError(head + R"json("step_time_ms": [1, 2, 3, 4, 5, 6, "x"]}]})json").find("size 7") !=
          std::string::npos);
}

TEST_CASE("a damaged lens database is refused with the lens and field named") {
    CHECK(loadError("{").find("lens database") != std::string::npos);
    CHECK(loadError(R"({"lenses": 3})").find("must be a list") != std::string::npos);
    CHECK(loadError(R"({"lenses": [{"maker": "X", "model_id": "M", "name": "N",
        "full_travel_moves_by_step_size": [1, 2]}]})")
              .find("must list 7 numbers") != std::string::npos);
    CHECK(loadError(R"({"lenses": [{"maker": "X", "model_id": "M", "name": "N",
        "full_travel_moves_by_step_size": [100, 50, 20, 10, 5, 2, 0]}]})")
              .find("step size 7") != std::string::npos);
    CHECK(loadError(R"({"lenses": [{"maker": "X", "model_id": "M", "name": "N",
        "full_travel_moves_by_step_size": [100, 150, 20, 10, 5, 2, 1]}]})")
              .find("must not need more moves") != std::string::npos);
    CHECK(loadError(R"({"lenses": [{"maker": "X", "name": "N"}]})").find("\"model_id\"") != std::string::npos);
}
