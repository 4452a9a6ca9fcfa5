// SPDX-License-Identifier: GPL-3.0-or-later
#include "config/DecodeSupport.hpp"

#include "config/RawTypes.hpp"

#include <algorithm>

namespace sonyalpaca::config {
namespace {

bool atLeast(LibRawVersion version, LibRawVersion needed) {
    return version.major != needed.major ? version.major > needed.major : version.minor >= needed.minor;
}

std::string seriesText(LibRawVersion series) {
    return std::to_string(series.major) + "." + std::to_string(series.minor);
}

/// The fix for a body that needs LibRaw `needed` (nothing: no release known) while `running` runs:
/// the first Debian release that ships such a LibRaw, or that none does yet. `verb`: "knows this
/// body", "decodes it".
std::string libRawFix(std::optional<LibRawVersion> needed, LibRawVersion running, std::string_view verb) {
    const DebianLibRaw& newest = kDebianLibRaws[std::size(kDebianLibRaws) - 1];
    if (!needed)
        return "none yet: no LibRaw release " + std::string(verb) + " (checked up to " +
               std::string(kNewestLibRawChecked) + ")";
    for (const auto& debian : kDebianLibRaws)
        if (atLeast(debian.series, *needed) && !atLeast(running, debian.series))
            return "move to " + std::string(debian.release) + ", whose LibRaw " + std::string(debian.version) + " " +
                   std::string(verb);
    return "none in Debian yet: LibRaw " + std::string(verb) + " from " + seriesText(*needed) +
           " on, and the newest Debian release, " + std::string(newest.release) + ", ships LibRaw " +
           std::string(newest.version);
}

bool offered(const std::vector<std::string>& types, std::string_view type) {
    return std::find(types.begin(), types.end(), type) != types.end();
}

}  // namespace

std::string rawTypeLabel(std::string_view database_name) {
    if (database_name == "uncompressed") return "Uncompressed RAW";
    if (database_name == "compressed") return "Compressed RAW";
    if (database_name == "lossless") return "Lossless Compressed RAW";
    return std::string(database_name);
}

std::optional<std::string> bodyDecodeProblem(const BodyEntry& body, const std::vector<std::string>& offered_types,
                                             LibRawVersion series, std::string_view version) {
    const std::string libraw = "LibRaw " + std::string(version) + ", the raw decoder this daemon runs with,";
    if (!body.librawKnows(series.major, series.minor)) {
        std::string id = body.sony_model_id > 0 ? " (Sony model id " + std::to_string(body.sony_model_id) + ")" : "";
        return body.fullName() + ": " + libraw + " does not know this body" + id +
               ", so its frames could come out wrong (crop, black level or values) and the camera refuses it rather "
               "than serve a wrong frame. Fix: " +
               libRawFix(body.libraw_min, series, "knows it");
    }
    std::vector<std::string> types = offered_types;
    if (types.empty())
        for (const auto& type : body.raw_types) types.push_back(rawTypeLabel(type));
    if (types.empty()) return std::nullopt;
    const bool none_decodable = std::all_of(types.begin(), types.end(), [&](const std::string& type) {
        return rawTypeProblem(type, series, version).has_value();
    });
    if (!none_decodable) return std::nullopt;
    std::string list;
    for (const auto& type : types) list += (list.empty() ? "" : ", ") + type;
    const bool lossless_only = std::all_of(types.begin(), types.end(), [](const std::string& type) {
        return type.find("Lossless") != std::string::npos;
    });
    std::string message = body.fullName() + " offers only " + list + ", which " + libraw +
                          " cannot decode to the sensor's values; the camera refuses it rather than serve a wrong or "
                          "black frame. Fix: ";
    if (lossless_only && !decodesSonyLossless(series))
        message += libRawFix(LibRawVersion{0, 21}, series, "decodes it");
    else
        message += "set the body to Uncompressed RAW or the L size of lossless RAW, if its menu offers them";
    return message;
}

std::optional<std::string> preferredRawType(const std::vector<std::string>& offered_types, std::string_view current,
                                            LibRawVersion series) {
    const std::string version = seriesText(series);
    auto decodable = [&](std::string_view type) { return !rawTypeProblem(type, series, version); };
    auto lossless = [](std::string_view type) { return type.find("Lossless") != std::string_view::npos; };
    if (lossless(current) && offered(offered_types, current) && decodable(current)) return std::string(current);
    if (offered(offered_types, "Uncompressed RAW")) return "Uncompressed RAW";
    for (const auto& type : offered_types)
        if (lossless(type) && decodable(type)) return type;
    if (offered(offered_types, "Compressed RAW")) return "Compressed RAW";
    return std::nullopt;
}

}  // namespace sonyalpaca::config
