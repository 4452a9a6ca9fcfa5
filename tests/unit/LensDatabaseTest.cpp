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
    CHECK(database.modelIds().find("SELP1650") != std::string::npos);
}

TEST_CASE("a damaged lens database is refused with the lens and field named") {
    CHECK(loadError("{").find("lens database") != std::string::npos);
    CHECK(loadError(R"({"lenses": 3})").find("must be a list") != std::string::npos);
    CHECK(loadError(R"({"lenses": [{"maker": "X", "model_id": "M", "name": "N",
        "full_travel_moves_by_step_size": [1, 2]}]})").find("must list 7 numbers") != std::string::npos);
    CHECK(loadError(R"({"lenses": [{"maker": "X", "model_id": "M", "name": "N",
        "full_travel_moves_by_step_size": [100, 50, 20, 10, 5, 2, 0]}]})").find("step size 7") != std::string::npos);
    CHECK(loadError(R"({"lenses": [{"maker": "X", "model_id": "M", "name": "N",
        "full_travel_moves_by_step_size": [100, 150, 20, 10, 5, 2, 1]}]})").find("must not need more moves") !=
          std::string::npos);
    CHECK(loadError(R"({"lenses": [{"maker": "X", "name": "N"}]})").find("\"model_id\"") != std::string::npos);
}
