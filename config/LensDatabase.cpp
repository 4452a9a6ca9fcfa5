// SPDX-License-Identifier: GPL-3.0-or-later
#include "config/LensDatabase.hpp"

#include "config/Text.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
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
    LensEntry lens;
    lens.maker = text("maker");
    lens.model_id = text("model_id");
    lens.name = text("name");
    const auto& moves = item.value("full_travel_moves_by_step_size", nlohmann::json());
    if (!moves.is_array() || moves.size() != kStepSizes)
        throw std::runtime_error(where + " (" + lens.model_id +
                                 "): \"full_travel_moves_by_step_size\" must list 7 numbers, for step sizes 1 to 7");
    for (std::size_t k = 0; k < kStepSizes; ++k) {
        if (!moves[k].is_number() || !std::isfinite(moves[k].get<double>()) || moves[k].get<double>() <= 0)
            throw std::runtime_error(where + " (" + lens.model_id + "): step size " + std::to_string(k + 1) +
                                     " needs a positive number of moves, got " + moves[k].dump());
        lens.full_travel_moves[k] = moves[k].get<double>();
        if (k > 0 && lens.full_travel_moves[k] > lens.full_travel_moves[k - 1])
            throw std::runtime_error(where + " (" + lens.model_id + "): step size " + std::to_string(k + 1) +
                                     " must not need more moves than step size " + std::to_string(k));
    }
    auto optionalNumber = [&](const char* field, double low, double high) -> std::optional<double> {
        if (!item.contains(field)) return std::nullopt;
        const auto& value = item[field];
        if (!value.is_number() || !(value.get<double>() >= low && value.get<double>() <= high))
            throw std::runtime_error(where + " (" + lens.model_id + "): \"" + field + "\" must be a number from " +
                                     std::to_string(low) + " to " + std::to_string(high) + ", got " + value.dump());
        return value.get<double>();
    };
    if (item.contains("format")) {
        const auto& format = item["format"];
        if (!format.is_string() || (format != "full-frame" && format != "aps-c"))
            throw std::runtime_error(where + " (" + lens.model_id +
                                     "): \"format\" must be \"full-frame\" or \"aps-c\", got " + format.dump());
        lens.format = format.get<std::string>();
    }
    lens.backlash = optionalNumber("backlash", 0, 1e5);
    lens.jitter = optionalNumber("jitter", 0, 0.5);
    lens.temperature_coefficient = optionalNumber("temperature_coefficient", -1e4, 1e4);
    if (item.contains("step_time_ms")) {
        const auto& times = item["step_time_ms"];
        if (!times.is_array() || times.size() != kStepSizes)
            throw std::runtime_error(where + " (" + lens.model_id +
                                     "): \"step_time_ms\" must list 7 numbers of milliseconds, for step sizes 1 to 7");
        PerStepSize ms{};
        for (std::size_t k = 0; k < kStepSizes; ++k) {
            if (!times[k].is_number() || !(times[k].get<double>() >= 0 && times[k].get<double>() <= 60000))
                throw std::runtime_error(where + " (" + lens.model_id + "): step_time_ms for size " +
                                         std::to_string(k + 1) + " must be 0 to 60000 ms, got " + times[k].dump());
            ms[k] = times[k].get<double>();
        }
        lens.step_time_ms = ms;
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
        for (std::size_t i = 0; i < lenses.size(); ++i) {
            database.lenses_.push_back(parseLens(lenses[i], i));
            database.lenses_.back().source = path.string();
        }
    } catch (const nlohmann::json::exception& e) {
        throw std::runtime_error("lens database " + path.string() + ": " + e.what());
    } catch (const std::runtime_error& e) {
        throw std::runtime_error("lens database " + path.string() + ": " + e.what());
    }
    return database;
}

LensDatabase LensDatabase::fromEntries(std::vector<LensEntry> lenses) {
    LensDatabase database;
    database.lenses_ = std::move(lenses);
    return database;
}

LensDatabase LensDatabase::loadWithUserProfiles(const std::filesystem::path& shipped,
                                                const std::vector<std::filesystem::path>& directories,
                                                std::vector<std::string>& problems) {
    LensDatabase database = load(shipped);
    for (const auto& directory : directories) {
        std::error_code ec;
        if (!std::filesystem::is_directory(directory, ec)) continue;
        std::vector<std::filesystem::path> files;
        for (const auto& entry : std::filesystem::directory_iterator(directory, ec))
            if (entry.path().extension() == ".json" && entry.is_regular_file(ec)) files.push_back(entry.path());
        if (ec) {
            problems.push_back("cannot list lens profiles in " + directory.string() + ": " + ec.message());
            continue;
        }
        std::sort(files.begin(), files.end());
        for (const auto& file : files) {
            try {
                for (auto& lens : load(file).lenses_) {
                    auto same = std::find_if(database.lenses_.begin(), database.lenses_.end(), [&](const LensEntry& l) {
                        return text::equalsIgnoringCase(l.model_id, lens.model_id);
                    });
                    if (same != database.lenses_.end())
                        *same = std::move(lens);
                    else
                        database.lenses_.push_back(std::move(lens));
                }
            } catch (const std::exception& e) {
                problems.push_back(std::string(e.what()) + " (file skipped)");
            }
        }
    }
    return database;
}

namespace {
/// Letters and digits only, lower case: "FE 20mm F1.8 G" and "FE 20mm f/1.8 G" both give "fe20mmf18g".
std::string lettersAndDigits(std::string_view text) {
    std::string out;
    for (const char c : text)
        if (std::isalnum(static_cast<unsigned char>(c)))
            out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}
}  // namespace

const LensEntry* LensDatabase::find(std::string_view query) const {
    for (const auto& lens : lenses_)
        if (text::equalsIgnoringCase(lens.model_id, query) || text::equalsIgnoringCase(lens.name, query)) return &lens;
    // Names as images report them differ in spelling ("F1.8" / "f/1.8"): compare letters and digits.
    const std::string wanted = lettersAndDigits(query);
    if (wanted.empty()) return nullptr;
    for (const auto& lens : lenses_)
        if (lettersAndDigits(lens.model_id) == wanted || lettersAndDigits(lens.name) == wanted) return &lens;
    return nullptr;
}

std::string LensDatabase::modelIds() const {
    std::string text;
    for (const auto& lens : lenses_) text += (text.empty() ? "" : ", ") + lens.model_id;
    return text;
}

std::vector<std::filesystem::path> lensProfileDirectories(const std::filesystem::path& state_dir) {
    return {"/etc/sonyalpaca/lenses.d", state_dir / "lenses"};
}

}  // namespace sonyalpaca::config
