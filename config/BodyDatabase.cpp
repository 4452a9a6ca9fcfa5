// SPDX-License-Identifier: GPL-3.0-or-later
#include "config/BodyDatabase.hpp"

#include "config/Text.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <stdexcept>

namespace sonyalpaca::config {
namespace {

BodyEntry parseBody(const nlohmann::json& item, std::size_t index) {
    const std::string where = "body #" + std::to_string(index + 1);
    BodyEntry body;
    body.model = item.value("model", "");
    if (body.model.empty()) throw std::runtime_error(where + ": \"model\" must be a non-empty string");
    body.display_name = item.value("display_name", body.model);
    body.sensor_name = item.value("sensor_name", "");
    auto positive = [&](const char* field) {
        const double value = item.value(field, 0.0);
        if (!(value > 0)) throw std::runtime_error(where + " (" + body.model + "): \"" + field + "\" must be positive");
        return value;
    };
    body.pixel_size_x_um = positive("pixel_size_x_um");
    body.pixel_size_y_um = positive("pixel_size_y_um");
    body.sensor_width = static_cast<int>(positive("sensor_width"));
    body.sensor_height = static_cast<int>(positive("sensor_height"));
    body.cropped_width = item.value("cropped_width", body.sensor_width);
    body.cropped_height = item.value("cropped_height", body.sensor_height);
    if (body.cropped_width > body.sensor_width || body.cropped_height > body.sensor_height)
        throw std::runtime_error(where + " (" + body.model + "): the crop is larger than the sensor");
    body.exposure_min_s = item.value("exposure_min_s", 0.0);
    body.exposure_max_s = item.value("exposure_max_s", 0.0);
    for (const auto& code : item.value("sony_shutter_codes", nlohmann::json::array()))
        body.shutter_codes.push_back(code.get<std::uint32_t>());
    for (const auto& iso : item.value("isos", nlohmann::json::array()))
        body.isos.push_back(iso.is_string() ? kIsoAuto : iso.get<std::uint32_t>());
    return body;
}
}  // namespace

BodyDatabase BodyDatabase::load(const std::filesystem::path& path) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot read the body database " + path.string());
    BodyDatabase database;
    try {
        const auto document = nlohmann::json::parse(in);
        const auto& bodies = document.at("bodies");
        for (std::size_t i = 0; i < bodies.size(); ++i) database.bodies_.push_back(parseBody(bodies[i], i));
    } catch (const std::exception& e) {
        throw std::runtime_error("body database " + path.string() + ": " + e.what());
    }
    return database;
}

const BodyEntry* BodyDatabase::find(std::string_view model) const {
    for (const auto& body : bodies_)
        if (text::equalsIgnoringCase(body.model, model)) return &body;
    return nullptr;
}

std::string BodyDatabase::models() const {
    std::string text;
    for (const auto& body : bodies_) text += (text.empty() ? "" : ", ") + body.model;
    return text;
}

}  // namespace sonyalpaca::config
