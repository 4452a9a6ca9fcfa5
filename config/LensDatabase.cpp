// SPDX-License-Identifier: GPL-3.0-or-later
#include "config/LensDatabase.hpp"

#include "config/Text.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <stdexcept>

namespace sonyalpaca::config {
namespace {

LensEntry parseLens(const nlohmann::json& item, std::size_t index) {
    const std::string where = "lens #" + std::to_string(index + 1);
    if (!item.is_object()) throw std::runtime_error(where + " is not an object");
    auto text = [&](const char* field) {
        if (!item.contains(field) || !item[field].is_string() || item[field].get<std::string>().empty())
            throw std::runtime_error(where + ": \"" + field + "\" must be a non-empty string");
        return item[field].get<std::string>();
    };
    LensEntry lens{text("maker"), text("model_id"), text("name"), {}};
    const auto& moves = item.value("full_travel_moves_by_step_size", nlohmann::json());
    if (!moves.is_array() || moves.size() != 7)
        throw std::runtime_error(where + " (" + lens.model_id +
                                 "): \"full_travel_moves_by_step_size\" must list 7 numbers, for step sizes 1 to 7");
    for (std::size_t k = 0; k < 7; ++k) {
        if (!moves[k].is_number() || !std::isfinite(moves[k].get<double>()) || moves[k].get<double>() <= 0)
            throw std::runtime_error(where + " (" + lens.model_id + "): step size " + std::to_string(k + 1) +
                                     " needs a positive number of moves, got " + moves[k].dump());
        lens.full_travel_moves[k] = moves[k].get<double>();
        if (k > 0 && lens.full_travel_moves[k] > lens.full_travel_moves[k - 1])
            throw std::runtime_error(where + " (" + lens.model_id + "): step size " + std::to_string(k + 1) +
                                     " must not need more moves than step size " + std::to_string(k));
    }
    return lens;
}
}  // namespace

LensDatabase LensDatabase::load(const std::filesystem::path& path) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot read the lens database " + path.string());
    LensDatabase database;
    try {
        const auto document = nlohmann::json::parse(in);
        const auto& lenses = document.at("lenses");
        if (!lenses.is_array()) throw std::runtime_error("\"lenses\" must be a list");
        for (std::size_t i = 0; i < lenses.size(); ++i) database.lenses_.push_back(parseLens(lenses[i], i));
    } catch (const nlohmann::json::exception& e) {
        throw std::runtime_error("lens database " + path.string() + ": " + e.what());
    } catch (const std::runtime_error& e) {
        throw std::runtime_error("lens database " + path.string() + ": " + e.what());
    }
    return database;
}

const LensEntry* LensDatabase::find(std::string_view query) const {
    for (const auto& lens : lenses_)
        if (text::equalsIgnoringCase(lens.model_id, query) || text::equalsIgnoringCase(lens.name, query)) return &lens;
    return nullptr;
}

std::string LensDatabase::modelIds() const {
    std::string text;
    for (const auto& lens : lenses_) text += (text.empty() ? "" : ", ") + lens.model_id;
    return text;
}

}  // namespace sonyalpaca::config
