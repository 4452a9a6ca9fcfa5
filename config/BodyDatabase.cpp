// SPDX-License-Identifier: GPL-3.0-or-later
#include "config/BodyDatabase.hpp"

#include "config/Text.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <map>
#include <stdexcept>

namespace sonyalpaca::config {
namespace {

/// The numbers of a dotted version ("2.5.31" → 2, 5, 31); a part that is not a number ends it.
std::vector<int> versionParts(std::string_view text) {
    std::vector<int> parts;
    while (!text.empty()) {
        int value = 0;
        const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
        if (error != std::errc()) break;
        parts.push_back(value);
        text.remove_prefix(static_cast<std::size_t>(end - text.data()));
        if (text.empty() || text.front() != '.') break;
        text.remove_prefix(1);
    }
    return parts;
}

bool isRawTypeName(std::string_view name) {
    return std::find(std::begin(kRawTypeNames), std::end(kRawTypeNames), name) != std::end(kRawTypeNames);
}

class RowReader {
public:
    RowReader(const nlohmann::json& item, std::size_t index)
        : item_(item), where_("body #" + std::to_string(index + 1)) {}

    [[noreturn]] void fail(const std::string& what) const {
        throw std::runtime_error(where_ + (model_.empty() ? "" : " (" + model_ + ")") + ": " + what);
    }

    BodyEntry read() {
        if (!item_.is_object()) fail("must be an object");
        BodyEntry body;
        body.model = item_.value("model", "");
        if (body.model.empty()) fail("\"model\" must be a non-empty string");
        model_ = body.model;
        for (const auto& alias : item_.value("model_aliases", nlohmann::json::array())) {
            if (!alias.is_string() || alias.get<std::string>().empty())
                fail("\"model_aliases\" must list non-empty strings");
            body.model_aliases.push_back(alias.get<std::string>());
        }
        body.sony_model_id = integer("sony_model_id", 0);
        if (item_.contains("sony_model_id") && (body.sony_model_id <= 0 || body.sony_model_id > 0xFFFF))
            fail("\"sony_model_id\" must be a 16-bit number above 0");
        body.display_name = item_.value("display_name", body.model);
        body.sensor_format = item_.value("sensor_format", "");
        body.sensor_width_mm = item_.value("sensor_width_mm", 0.0);
        body.sensor_name = item_.value("sensor_name", "");
        body.pixel_size_x_um = positive("pixel_size_x_um");
        body.pixel_size_y_um = positive("pixel_size_y_um");

        // The visible area; files of the old layout call it sensor_width/sensor_height.
        const bool new_layout = item_.contains("visible_width");
        body.sensor_width = static_cast<int>(positive(new_layout ? "visible_width" : "sensor_width"));
        body.sensor_height = static_cast<int>(positive(new_layout ? "visible_height" : "sensor_height"));
        body.raw_width = integer("raw_width", body.sensor_width);
        body.raw_height = integer("raw_height", body.sensor_height);
        body.cropped_width = integer(new_layout ? "default_crop_width" : "cropped_width", body.sensor_width);
        body.cropped_height = integer(new_layout ? "default_crop_height" : "cropped_height", body.sensor_height);
        if (body.sensor_width > body.raw_width || body.sensor_height > body.raw_height)
            fail("the visible area is larger than the raw size");
        if (body.cropped_width > body.sensor_width || body.cropped_height > body.sensor_height)
            fail("the crop is larger than the sensor");
        if (new_layout)
            for (const int side : {body.raw_width, body.raw_height, body.sensor_width, body.sensor_height,
                                   body.cropped_width, body.cropped_height})
                if (side <= 0 || side % 2 != 0) fail("raw, visible and crop sizes must be even and positive");
        body.lossless_raw_width = integer("lossless_raw_width", 0);
        body.lossless_raw_height = integer("lossless_raw_height", 0);
        if ((body.lossless_raw_width != 0 || body.lossless_raw_height != 0) &&
            (body.lossless_raw_width < body.raw_width || body.lossless_raw_height < body.raw_height))
            fail("the lossless raw size is smaller than the raw size");
        if (const auto apsc = item_.find("apsc"); apsc != item_.end() && !apsc->is_null()) readApsc(*apsc, body);

        body.raw_types = rawTypes("raw_types");
        body.raw_types_seen = rawTypes("raw_types_seen");
        for (const auto& seen : body.raw_types_seen)
            if (!body.offersRawType(seen)) fail("\"raw_types_seen\" names " + seen + ", which \"raw_types\" lacks");
        if (const auto libraw = item_.find("libraw_min"); libraw != item_.end()) {
            body.libraw_known = true;
            if (!libraw->is_null()) {
                if (!libraw->is_string()) fail("\"libraw_min\" must be a version string such as \"0.21\", or null");
                const auto parts = versionParts(libraw->get<std::string>());
                if (parts.size() != 2) fail("\"libraw_min\" must be a version string such as \"0.21\", or null");
                body.libraw_min = LibRawVersion{parts[0], parts[1]};
            }
        }
        if (const auto gphoto = item_.find("libgphoto2"); gphoto != item_.end()) readGphoto(*gphoto, body);

        body.exposure_min_s = item_.value("exposure_min_s", 0.0);
        body.exposure_max_s = item_.value("exposure_max_s", 0.0);
        for (const auto& code : item_.value("sony_shutter_codes", nlohmann::json::array()))
            body.shutter_codes.push_back(code.get<std::uint32_t>());
        for (const auto& iso : item_.value("isos", nlohmann::json::array()))
            body.isos.push_back(iso.is_string() ? kIsoAuto : iso.get<std::uint32_t>());
        return body;
    }

private:
    double positive(const char* field) const {
        const auto found = item_.find(field);
        const double value = found != item_.end() && found->is_number() ? found->get<double>() : 0.0;
        if (!(value > 0)) fail(std::string("\"") + field + "\" must be positive");
        return value;
    }

    int integer(const char* field, int fallback) const {
        const auto found = item_.find(field);
        if (found == item_.end() || found->is_null()) return fallback;
        if (!found->is_number_integer()) fail(std::string("\"") + field + "\" must be a whole number");
        return found->get<int>();
    }

    std::vector<std::string> rawTypes(const char* field) const {
        std::vector<std::string> types;
        for (const auto& type : item_.value(field, nlohmann::json::array())) {
            if (!type.is_string() || !isRawTypeName(type.get<std::string>()))
                fail(std::string("\"") + field + "\" may only name uncompressed, compressed and lossless");
            if (std::find(types.begin(), types.end(), type.get<std::string>()) != types.end())
                fail(std::string("\"") + field + "\" names " + type.get<std::string>() + " twice");
            types.push_back(type.get<std::string>());
        }
        return types;
    }

    void readApsc(const nlohmann::json& apsc, BodyEntry& body) const {
        if (!apsc.is_object()) fail("\"apsc\" must be an object or null");
        const auto side = [&](const char* field) {
            const auto found = apsc.find(field);
            if (found == apsc.end() || found->is_null()) return 0;
            if (!found->is_number_integer() || found->get<int>() <= 0 || found->get<int>() % 2 != 0)
                fail(std::string("\"apsc\".\"") + field + "\" must be an even positive number or null");
            return found->get<int>();
        };
        ApscMode mode;
        mode.raw_width = side("raw_width");
        mode.raw_height = side("raw_height");
        mode.crop_width = side("default_crop_width");
        mode.crop_height = side("default_crop_height");
        mode.image_width = side("image_width");
        mode.image_height = side("image_height");
        if ((mode.raw_width == 0) != (mode.raw_height == 0) || (mode.crop_width == 0) != (mode.crop_height == 0) ||
            (mode.image_width == 0) != (mode.image_height == 0))
            fail("\"apsc\" must give both sides of a size, or neither");
        if (mode.raw_width != 0 && (mode.raw_width >= body.raw_width || mode.raw_height >= body.raw_height))
            fail("the APS-C raw size is not smaller than the full raw size");
        if (mode.crop_width != 0 && mode.raw_width != 0 &&
            (mode.crop_width > mode.raw_width || mode.crop_height > mode.raw_height))
            fail("the APS-C crop is larger than the APS-C raw size");
        if (mode.image_width != 0 &&
            (mode.image_width >= body.cropped_width || mode.image_height >= body.cropped_height))
            fail("the APS-C image is not smaller than the full-frame crop");
        const bool known = mode.raw_width != 0 || mode.crop_width != 0 || mode.image_width != 0;
        if (!known && apsc.value("unknown_because", "").empty())
            fail("\"apsc\" gives no size: say why in \"unknown_because\"");
        body.apsc = mode;
    }

    void readGphoto(const nlohmann::json& gphoto, BodyEntry& body) const {
        if (!gphoto.is_object()) fail("\"libgphoto2\" must be an object");
        for (const auto& id : gphoto.value("usb_ids", nlohmann::json::array())) {
            if (!id.is_string() || id.get<std::string>().rfind("0x", 0) != 0)
                fail("\"libgphoto2\".\"usb_ids\" must list hexadecimal strings such as \"0x0c34\"");
            body.usb_ids.push_back(id.get<std::string>());
        }
        const nlohmann::json protocol = gphoto.value("protocol", nlohmann::json::object());
        if (!protocol.is_object()) fail("\"libgphoto2\".\"protocol\" must be an object");
        for (const auto& [release, generation] : protocol.items()) {
            if (versionParts(release).size() != 3)
                fail("\"libgphoto2\".\"protocol\" keys must be releases such as \"2.5.31\"");
            if (!generation.is_number_integer() || (generation != 0 && generation != 2 && generation != 3))
                fail("\"libgphoto2\".\"protocol\" values must be 2, 3 or 0 (negotiated)");
            body.gphoto_protocol.emplace_back(release, generation.get<int>());
        }
        std::sort(body.gphoto_protocol.begin(), body.gphoto_protocol.end(),
                  [](const auto& a, const auto& b) { return compareVersions(a.first, b.first) < 0; });
    }

    const nlohmann::json& item_;
    std::string where_;
    std::string model_;
};

/// Rejects a model string or model id that two rows share.
void checkUnique(const std::vector<BodyEntry>& bodies) {
    std::map<std::string, std::string> models;  // lower-case model string → its row
    std::map<int, std::string> ids;
    for (const auto& body : bodies) {
        std::vector<std::string> names{body.model};
        names.insert(names.end(), body.model_aliases.begin(), body.model_aliases.end());
        for (const auto& name : names)
            if (const auto [it, fresh] = models.emplace(text::asciiLower(name), body.model); !fresh)
                throw std::runtime_error("the model string " + name + " appears in the rows " + it->second + " and " +
                                         body.model);
        if (body.sony_model_id == 0) continue;
        if (const auto [it, fresh] = ids.emplace(body.sony_model_id, body.model); !fresh)
            throw std::runtime_error("the Sony model id " + std::to_string(body.sony_model_id) +
                                     " appears in the rows " + it->second + " and " + body.model);
    }
}
}  // namespace

int compareVersions(std::string_view a, std::string_view b) {
    const auto left = versionParts(a);
    const auto right = versionParts(b);
    for (std::size_t i = 0; i < std::max(left.size(), right.size()); ++i) {
        const int x = i < left.size() ? left[i] : 0;
        const int y = i < right.size() ? right[i] : 0;
        if (x != y) return x < y ? -1 : 1;
    }
    return 0;
}

std::optional<std::pair<int, int>> BodyEntry::apscRawSize() const {
    if (sensor_format != "full-frame" || !apsc) return std::nullopt;
    if (apsc->raw_width > 0 && apsc->raw_height > 0) return std::pair{apsc->raw_width, apsc->raw_height};
    if (apsc->image_width > 0 && apsc->image_height > 0)
        return std::pair{(apsc->image_width + 32 + 31) / 32 * 32, apsc->image_height + 24};
    return std::nullopt;
}

bool BodyEntry::offersRawType(std::string_view type) const {
    return std::find(raw_types.begin(), raw_types.end(), type) != raw_types.end();
}

bool BodyEntry::librawKnows(int major, int minor) const {
    if (!libraw_known) return true;
    if (!libraw_min) return false;
    return major != libraw_min->major ? major > libraw_min->major : minor >= libraw_min->minor;
}

std::string BodyEntry::fullName() const {
    std::string name = "Sony " + model;
    if (!display_name.empty() && display_name != model) name += " (" + display_name + ")";
    return name;
}

int BodyEntry::gphotoProtocol(std::string_view version) const {
    int generation = -1;
    for (const auto& [release, value] : gphoto_protocol)
        if (compareVersions(release, version) <= 0) generation = value;
    return generation;
}

BodyDatabase BodyDatabase::load(const std::filesystem::path& path) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot read the body database " + path.string());
    BodyDatabase database;
    try {
        const auto document = nlohmann::json::parse(in);
        const auto& bodies = document.at("bodies");
        for (std::size_t i = 0; i < bodies.size(); ++i) database.bodies_.push_back(RowReader(bodies[i], i).read());
        checkUnique(database.bodies_);
    } catch (const std::exception& e) {
        throw std::runtime_error("body database " + path.string() + ": " + e.what());
    }
    return database;
}

const BodyEntry* BodyDatabase::find(std::string_view model) const {
    for (const auto& body : bodies_) {
        if (text::equalsIgnoringCase(body.model, model)) return &body;
        for (const auto& alias : body.model_aliases)
            if (text::equalsIgnoringCase(alias, model)) return &body;
    }
    return nullptr;
}

const BodyEntry* BodyDatabase::findById(int id) const {
    if (id <= 0) return nullptr;
    for (const auto& body : bodies_)
        if (body.sony_model_id == id) return &body;
    return nullptr;
}

std::string BodyDatabase::models() const {
    std::string text;
    for (const auto& body : bodies_) text += (text.empty() ? "" : ", ") + body.model;
    return text;
}

}  // namespace sonyalpaca::config
