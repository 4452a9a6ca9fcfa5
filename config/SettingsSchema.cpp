// SPDX-License-Identifier: GPL-3.0-or-later
#include "config/SettingsSchema.hpp"

#include "config/RawTypes.hpp"

#include <nlohmann/json.hpp>

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <fstream>
#include <sstream>

namespace sonyalpaca::config {
namespace {

const std::string& asString(const SettingValue& v) { return std::get<std::string>(v); }

std::uint16_t asPort(const SettingValue& v) {
    const long long n = std::get<long long>(v);
    if (n < 0 || n > 65535)
        throw std::invalid_argument(std::to_string(n) + " is not a port; allowed: 1 to 65535, or 0 for any free port");
    return static_cast<std::uint16_t>(n);
}

bool isIpAddress(const std::string& text) {
    std::array<unsigned char, 16> buffer{};
    return inet_pton(AF_INET, text.c_str(), buffer.data()) == 1 ||
           inet_pton(AF_INET6, text.c_str(), buffer.data()) == 1;
}

/// A DNS name: letters, digits, '-', '_' and '.', at most 253 characters, not starting with a dot.
bool isHostName(const std::string& text) {
    if (text.empty() || text.size() > 253 || text.front() == '.' || text.front() == '-') return false;
    return std::all_of(text.begin(), text.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
               c == '_';
    });
}

/// A directory the daemon writes to: absolute, without control characters (a newline or NUL in a
/// path would forge log lines and cut the path short in C calls). Throws std::invalid_argument.
std::string checkedDirectory(const std::string& text) {
    if (text.empty()) throw std::invalid_argument("an empty path is not allowed; give a directory");
    for (const char c : text)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
            throw std::invalid_argument("the path contains a control character (newline, tab, NUL...); allowed: an "
                                        "absolute path of printable characters such as /var/lib/sonyalpaca/images");
    if (text.front() != '/')
        throw std::invalid_argument("\"" + text +
                                    "\" is a relative path; allowed: an absolute path such as "
                                    "/var/lib/sonyalpaca/images (the daemon's working directory is not yours)");
    return text;
}

constexpr std::array<std::string_view, 7> kLogLevels{"trace", "debug", "info", "warn", "error", "critical", "off"};

double asNumber(const SettingValue& v, double low, double high, std::string_view unit) {
    const double n = std::get<double>(v);
    if (!(n >= low && n <= high))
        throw std::invalid_argument(std::to_string(n) + " is out of range; allowed: " + std::to_string(low) + " to " +
                                    std::to_string(high) + " " + std::string(unit));
    return n;
}

/// `text` must be one of `choices`; returns its index.
std::size_t choose(const std::string& text, std::initializer_list<std::string_view> choices) {
    std::size_t index = 0;
    std::string list;
    for (auto choice : choices) {
        if (text == choice) return index;
        ++index;
        list += (list.empty() ? "" : ", ") + std::string(choice);
    }
    throw std::invalid_argument("\"" + text + "\" is not allowed; allowed: " + list);
}

const std::array<SettingKey, 18> kKeys{{
    {"camera", "--camera", "SOURCE",
     "where the Sony body is: auto (the body on USB, waiting until one is plugged in), simulator (the built-in "
     "virtual body), or ptpip:HOST[:PORT] (a body or simulator speaking PTP/IP)",
     "auto", SettingKey::Type::String,
     [](Settings& s, const SettingValue& v) { s.camera = CameraSource::parse(asString(v)); }},
    {"bind", "--bind", "ADDR",
     "address to serve Alpaca on (repeatable); IPv4 or IPv6 literal such as 127.0.0.1, 0.0.0.0 or ::",
     "every IPv4 and IPv6 address", SettingKey::Type::StringList,
     [](Settings& s, const SettingValue& v) {
         const auto& list = std::get<std::vector<std::string>>(v);
         for (const auto& address : list)
             if (!isIpAddress(address))
                 throw std::invalid_argument("\"" + address +
                                             "\" is not an IPv4 or IPv6 address; allowed: a numeric address such as "
                                             "127.0.0.1, 0.0.0.0, ::1 or ::");
         s.bind = list;
     }},
    {"port", "--port", "N", "TCP port of the Alpaca HTTP API (0 = any free port)", "11111", SettingKey::Type::Port,
     [](Settings& s, const SettingValue& v) { s.port = asPort(v); }},
    {"discovery_port", "--discovery-port", "N", "UDP port of Alpaca discovery (0 = any free port)", "32227",
     SettingKey::Type::Port, [](Settings& s, const SettingValue& v) { s.discovery_port = asPort(v); }},
    {"discovery", "--no-discovery", "", "do not answer Alpaca discovery requests", "discovery on",
     SettingKey::Type::Bool, [](Settings& s, const SettingValue& v) { s.discovery = std::get<bool>(v); }},
    {"allowed_hosts", "--allow-host", "NAME",
     "host name clients may address the daemon by (repeatable), besides its IP addresses, localhost and the "
     "machine's own name with .local and .lan; requests for any other name get 403 (DNS rebinding)",
     "none", SettingKey::Type::StringList,
     [](Settings& s, const SettingValue& v) {
         const auto& list = std::get<std::vector<std::string>>(v);
         for (const auto& name : list)
             if (!isHostName(name))
                 throw std::invalid_argument("\"" + name +
                                             "\" is not a host name; allowed: letters, digits, '-', '_' and '.', "
                                             "without a port, such as observatory.example.org");
         s.allowed_hosts = list;
     }},
    {"state_dir", "--state-dir", "DIR", "directory for the daemon's state (device IDs, focuser position)",
     "/var/lib/sonyalpaca as a service, $XDG_STATE_HOME/sonyalpaca otherwise", SettingKey::Type::String,
     [](Settings& s, const SettingValue& v) {
         if (asString(v).empty()) throw std::invalid_argument("an empty path is not allowed; give a directory");
         s.state_dir = asString(v);
     }},
    {"lens", "--lens", "NAME", "focus profile of the lens (model id or name from the lens database)",
     "the lens the body reports", SettingKey::Type::String,
     [](Settings& s, const SettingValue& v) { s.lens = asString(v); }},
    {"raw_type", "--raw-type", "TYPE",
     "RAW file type the body is set to at every connect: \"Uncompressed RAW\", \"Compressed RAW\" (lossy) or "
     "\"Lossless Compressed RAW\" (needs LibRaw 0.21: Debian 13, Raspberry Pi OS trixie); empty = as the body is",
     "as the body is (opening it sets uncompressed RAW, or keeps a lossless type LibRaw decodes)",
     SettingKey::Type::String,
     [](Settings& s, const SettingValue& v) {
         const std::string& type = asString(v);
         std::string allowed = "allowed: \"Uncompressed RAW\", \"Compressed RAW\", ";
         allowed += decodesSonyLossless() ? "\"Lossless Compressed RAW\", " : "";
         allowed += "or empty for the body's own";
         constexpr std::string_view kKnown[] = {"Uncompressed RAW",          "Compressed RAW",
                                                "Lossless Compressed RAW",   "Lossless Compressed RAW L",
                                                "Lossless Compressed RAW M", "Lossless Compressed RAW S"};
         if (!type.empty() && std::find(std::begin(kKnown), std::end(kKnown), type) == std::end(kKnown))
             throw std::invalid_argument("\"" + type + "\" is not a RAW file type; " + allowed);
         if (const auto problem = rawTypeProblem(type))
             throw std::invalid_argument("\"" + type + "\" is refused: " + *problem + "; " + allowed);
         s.raw_type = type;
     }},
    {"focuser_homing", "--focuser-homing", "WHEN",
     "when the focuser drives into the infinity end stop to find the lens: every-connect, first-connect (when no "
     "saved position of this body and lens can be trusted) or never; it happens at the first move after connecting",
     "first-connect", SettingKey::Type::String,
     [](Settings& s, const SettingValue& v) {
         constexpr HomingPolicy policies[] = {HomingPolicy::EveryConnect, HomingPolicy::FirstConnect,
                                              HomingPolicy::Never};
         s.focuser.homing = policies[choose(asString(v), {"every-connect", "first-connect", "never"})];
     }},
    {"focuser_rehome_sigma", "--focuser-rehome-sigma", "UNITS",
     "re-home before a move (never during an exposure) once the focuser position's standard deviation exceeds "
     "this many steps; 0 = never by itself, only report it",
     "0.5", SettingKey::Type::Number,
     [](Settings& s, const SettingValue& v) { s.focuser.rehome_sigma = asNumber(v, 0, 1e6, "steps"); }},
    {"focuser_approach", "--focuser-approach", "DIR",
     "direction every focuser move ends in, to take up backlash the same way: far, near or either", "far",
     SettingKey::Type::String,
     [](Settings& s, const SettingValue& v) {
         constexpr int directions[] = {1, -1, 0};
         s.focuser.approach = directions[choose(asString(v), {"far", "near", "either"})];
     }},
    {"focuser_backlash", "--focuser-backlash", "UNITS",
     "focus-drive backlash in smallest steps (motion lost when the direction reverses); overrides the lens profile",
     "the lens profile's value, 0 if it has none", SettingKey::Type::Number,
     [](Settings& s, const SettingValue& v) { s.focuser.backlash = asNumber(v, 0, 1e5, "steps"); }},
    {"image_dir", "--image-dir", "DIR",
     "directory for the image files kept by keep_raw and save_fits, in a folder per observing night (YYYY-MM-DD, "
     "noon to noon)",
     "STATE_DIR/images", SettingKey::Type::String,
     [](Settings& s, const SettingValue& v) { s.images.dir = checkedDirectory(asString(v)); }},
    {"keep_raw", "--keep-raw", "true|false", "keep the body's original ARW file of every exposure in image_dir",
     "false", SettingKey::Type::Bool,
     [](Settings& s, const SettingValue& v) { s.images.keep_raw = std::get<bool>(v); }},
    {"save_fits", "--save-fits", "true|false",
     "write every image as served (subframe, binning) to image_dir as a FITS file with its exposure's headers", "false",
     SettingKey::Type::Bool, [](Settings& s, const SettingValue& v) { s.images.save_fits = std::get<bool>(v); }},
    {"focal_length_mm", "--focal-length", "MM",
     "the telescope's or lens's focal length in mm, for HFR in arc-seconds when the file does not record it "
     "(telescopes, manual and adapted lenses)",
     "the focal length the file records; none: HFR in pixels only", SettingKey::Type::Number,
     [](Settings& s, const SettingValue& v) { s.focal_length_mm = asNumber(v, 1, 100000, "mm"); }},
    {"log_level", "--log-level", "LEVEL", "trace, debug, info, warn, error, critical or off", "info",
     SettingKey::Type::String,
     [](Settings& s, const SettingValue& v) {
         for (auto level : kLogLevels)
             if (asString(v) == level) {
                 s.log_level = asString(v);
                 return;
             }
         throw std::invalid_argument("\"" + asString(v) +
                                     "\" is not a log level; allowed: trace, debug, info, warn, error, critical, off");
     }},
}};

std::string typeName(SettingKey::Type type) {
    switch (type) {
    case SettingKey::Type::String: return "a string";
    case SettingKey::Type::Port: return "an integer port number";
    case SettingKey::Type::Bool: return "true or false";
    case SettingKey::Type::StringList: return "a list of strings";
    case SettingKey::Type::Number: return "a number";
    }
    return "a value";
}

SettingValue fromJson(const SettingKey& key, const nlohmann::json& value) {
    switch (key.type) {
    case SettingKey::Type::String:
        if (value.is_string()) return value.get<std::string>();
        break;
    case SettingKey::Type::Port:
        if (value.is_number_integer()) return value.get<long long>();
        break;
    case SettingKey::Type::Bool:
        if (value.is_boolean()) return value.get<bool>();
        break;
    case SettingKey::Type::Number:
        if (value.is_number()) return value.get<double>();
        break;
    case SettingKey::Type::StringList:
        if (value.is_array()) {
            std::vector<std::string> list;
            for (const auto& item : value) {
                if (!item.is_string()) throw std::invalid_argument("every item must be a string, got " + item.dump());
                list.push_back(item.get<std::string>());
            }
            return list;
        }
        break;
    }
    throw std::invalid_argument("expected " + typeName(key.type) + ", got " + value.dump());
}

std::string allowedKeys() {
    std::string text;
    for (const auto& key : kKeys) {
        if (!text.empty()) text += ", ";
        text += key.key;
    }
    return text;
}

}  // namespace

std::span<const SettingKey> settingKeys() { return kKeys; }

const SettingKey* findOption(std::string_view option) {
    for (const auto& key : kKeys)
        if (key.option == option) return &key;
    return nullptr;
}

SettingValue parseOptionText(const SettingKey& key, std::string_view text) {
    switch (key.type) {
    case SettingKey::Type::String: return std::string(text);
    case SettingKey::Type::StringList: return std::vector<std::string>{std::string(text)};
    case SettingKey::Type::Bool:
        if (text == "true") return true;
        if (text == "false") return false;
        throw std::invalid_argument("\"" + std::string(text) + "\" is not true or false");
    case SettingKey::Type::Port: {
        long long n = 0;
        const auto* end = text.data() + text.size();
        const auto [ptr, ec] = std::from_chars(text.data(), end, n);
        if (text.empty() || ec != std::errc() || ptr != end)
            throw std::invalid_argument("\"" + std::string(text) +
                                        "\" is not a port; allowed: 1 to 65535, or 0 for any free port");
        return n;
    }
    case SettingKey::Type::Number: {
        double n = 0;
        const auto* end = text.data() + text.size();
        const auto [ptr, ec] = std::from_chars(text.data(), end, n);
        if (text.empty() || ec != std::errc() || ptr != end || !std::isfinite(n))
            throw std::invalid_argument("\"" + std::string(text) + "\" is not a number");
        return n;
    }
    }
    throw std::invalid_argument("unsupported setting type");
}

void applySetting(Settings& settings, const SettingKey& key, const SettingValue& value, std::string_view where) {
    try {
        key.apply(settings, value);
    } catch (const std::invalid_argument& e) {
        throw ConfigError(std::string(where) + ": " + e.what());
    }
}

void applyJson(Settings& settings, const nlohmann::json& document, const std::string& source) {
    if (!document.is_object())
        throw ConfigError(source + ": the config file must hold one JSON object, such as {\"port\": 11111}");
    for (const auto& [name, value] : document.items()) {
        const SettingKey* found = nullptr;
        for (const auto& key : kKeys)
            if (key.key == name) found = &key;
        if (!found) throw ConfigError(source + ": unknown key \"" + name + "\"; allowed keys: " + allowedKeys());
        const std::string where = source + ": key \"" + name + "\"";
        SettingValue typed;
        try {
            typed = fromJson(*found, value);
        } catch (const std::invalid_argument& e) {
            throw ConfigError(where + ": " + e.what());
        }
        applySetting(settings, *found, typed, where);
    }
}

void applyFile(Settings& settings, const std::filesystem::path& path, bool required) {
    std::ifstream in(path);
    if (!in) {
        std::error_code ec;
        if (!required && !std::filesystem::exists(path, ec)) return;
        throw ConfigError("cannot read config file " + path.string() +
                          (std::filesystem::exists(path, ec) ? ": permission denied or not a file" : ": no such file"));
    }
    std::stringstream text;
    text << in.rdbuf();
    if (text.str().find_first_not_of(" \t\r\n") == std::string::npos) return;  // an empty file sets nothing
    nlohmann::json document;
    try {
        document = nlohmann::json::parse(text.str(), nullptr, true, /*ignore_comments=*/true);
    } catch (const nlohmann::json::parse_error& e) {
        throw ConfigError("config file " + path.string() + " is not valid JSON: " + e.what());
    }
    applyJson(settings, document, path.string());
}

std::filesystem::path stateSettingsFile(const std::filesystem::path& state_dir) { return state_dir / "settings.json"; }

void applyStateSettingsFile(Settings& settings, const std::filesystem::path& path,
                            std::span<const std::pair<const SettingKey*, SettingValue>> overrides) {
    const std::filesystem::path state_dir = settings.state_dir;
    applyFile(settings, path, false);
    if (settings.state_dir != state_dir)
        throw ConfigError(path.string() + ": key \"state_dir\": the state directory's own settings file cannot move "
                                          "it; set state_dir in the config file or with --state-dir");
    for (const auto& [key, value] : overrides)
        applySetting(settings, *key, value, "command line: " + std::string(key->option));
}

}  // namespace sonyalpaca::config
