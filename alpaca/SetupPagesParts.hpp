// SPDX-License-Identifier: GPL-3.0-or-later
// Internal to the setup pages (SetupPages.cpp, SetupPageHtml.cpp, SetupStatus.cpp): what more than one
// of those files needs. Not part of the library's interface; nothing else includes it.
#pragma once

#include "alpaca/DeviceRegistry.hpp"
#include "alpaca/SetupPages.hpp"
#include "config/SettingsSchema.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>
#include <string_view>

namespace sonyalpaca::alpaca {
class CameraDevice;
}

namespace sonyalpaca::alpaca::setup {
using Json = nlohmann::ordered_json;

inline constexpr const char* kHtml = "text/html; charset=utf-8";
inline constexpr const char* kText = "text/plain; charset=utf-8";

/// The setup pages' Content-Security-Policy: their inline script and style, requests to this server
/// only (images also from blob: URLs, which the live view's frames are made into), never framed.
inline constexpr const char* kContentSecurityPolicy =
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src 'self' blob:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// The settings the form offers, in its order; the form shows them and a save accepts only them.
inline constexpr std::string_view kFormKeys[] = {"lens",
                                                 "focuser_homing",
                                                 "focuser_rehome_sigma",
                                                 "focuser_approach",
                                                 "focuser_backlash",
                                                 "raw_type",
                                                 "keep_raw",
                                                 "save_fits",
                                                 "image_dir",
                                                 "focal_length_mm"};

template <typename T>
T* deviceOf(const DeviceRegistry& registry, std::string_view type) {
    return dynamic_cast<T*>(registry.find(type, 0));
}

// The status (SetupStatus.cpp): the page renders what status.json sends, so both come from here.

/// The focuser's "learning" object of its status, with every key even while it is not connected.
nlohmann::json learningOf(const nlohmann::json& focuser);

/// One status field per id ("f-ID" in the page), as text: the page renders them and the script
/// replaces them from status.json, so both show the same words.
Json statusFields(const DeviceRegistry& registry, const SetupContext& context);

/// The body's health as text fields ("battery", "power_source", "card", "remaining_shots",
/// "body_temperatures", "overheat", "health_read", "battery_warning") for the Body panel; part of
/// statusFields().
Json healthFields(const SetupContext& context);

/// status.json's "battery" (level, source, low), "storage" (card, remaining_shots) and
/// "body_temperature" (sensor_c, ambient_c, battery_c, overheat), null where not known.
Json healthStatus(const SetupContext& context);

/// The camera's last frame figures (frameFiguresJson, as the Action framestats gives them), or null
/// before the first frame or without a camera.
Json frameFigures(const CameraDevice* camera);

/// What the wizard shows besides the focuser's learning status: the name learning takes without one
/// ("default_name"), whether the last learning finished ("done", with "hint") or failed ("error"),
/// and the learned profile the settings' lens field offers until a restart lists it ("learned_id",
/// "learned_option").
Json learnInfo(const nlohmann::json& focuser, const SetupContext& context);

/// The profile the focuser learned since it connected (saved under the state directory's lenses/,
/// in the lens database from the next start), or empty.
std::string learnedLensId(const DeviceRegistry& registry);

// The settings file (SetupPages.cpp): the form shows it, a POST rewrites it.

/// The config file as a JSON object; an absent file is an empty object. Throws std::runtime_error
/// when it cannot be read or is not one JSON object.
Json readConfig(const std::filesystem::path& path);

/// The value of `key` as the form shows it: a string as it is, anything else as JSON; empty when unset.
std::string textValue(const Json& document, std::string_view key);

/// The schema's key named `name`, or nullptr.
const config::SettingKey* schemaKey(std::string_view name);
}  // namespace sonyalpaca::alpaca::setup
