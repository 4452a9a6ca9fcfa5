// SPDX-License-Identifier: GPL-3.0-or-later
#include "config/Settings.hpp"

#include <charconv>

extern char** environ;

namespace sonyalpaca::config {
namespace {
constexpr std::uint16_t kPtpIpPort = 15740;

std::uint16_t parsePort(const std::string& text) {
    unsigned value = 0;
    const auto* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (text.empty() || ec != std::errc() || ptr != end || value == 0 || value > 65535)
        throw std::invalid_argument("\"" + text + "\" is not a port; allowed: 1 to 65535");
    return static_cast<std::uint16_t>(value);
}
}  // namespace

CameraSource CameraSource::parse(const std::string& text) {
    if (text == "auto") return {};
    if (text == "simulator") return {Kind::Simulator, {}, 0};
    const std::string prefix = "ptpip:";
    if (text.rfind(prefix, 0) == 0) {
        std::string rest = text.substr(prefix.size());
        CameraSource source{Kind::PtpIp, {}, kPtpIpPort};
        if (!rest.empty() && rest.front() == '[') {  // [IPv6]:port
            const auto close = rest.find(']');
            if (close == std::string::npos)
                throw std::invalid_argument("\"" + text + "\": missing ']' after IPv6 host");
            source.host = rest.substr(1, close - 1);
            const std::string after = rest.substr(close + 1);
            if (!after.empty()) {
                if (after.front() != ':') throw std::invalid_argument("\"" + text + "\": expected ':PORT' after ']'");
                source.port = parsePort(after.substr(1));
            }
        } else {
            const auto colon = rest.find(':');
            source.host = rest.substr(0, colon);
            if (colon != std::string::npos) source.port = parsePort(rest.substr(colon + 1));
        }
        if (source.host.empty()) throw std::invalid_argument("\"" + text + "\": the host is missing");
        return source;
    }
    throw std::invalid_argument("\"" + text + "\" is not a camera source; allowed: auto, simulator, ptpip:HOST[:PORT]");
}

std::string CameraSource::text() const {
    switch (kind) {
    case Kind::Auto: return "auto";
    case Kind::Simulator: return "simulator";
    case Kind::PtpIp: {
        const bool v6 = host.find(':') != std::string::npos;
        return "ptpip:" + (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
    }
    }
    return "auto";
}

std::filesystem::path defaultStateDir(const std::map<std::string, std::string>& environment) {
    auto get = [&](const char* name) -> std::string {
        auto it = environment.find(name);
        return it == environment.end() ? std::string() : it->second;
    };
    // systemd's StateDirectory= hands the path over; a colon separates several directories.
    if (auto dir = get("STATE_DIRECTORY"); !dir.empty()) return dir.substr(0, dir.find(':'));
    if (!get("INVOCATION_ID").empty()) return "/var/lib/sonyalpaca";
    if (auto xdg = get("XDG_STATE_HOME"); !xdg.empty() && xdg.front() == '/')
        return std::filesystem::path(xdg) / "sonyalpaca";
    if (auto home = get("HOME"); !home.empty()) return std::filesystem::path(home) / ".local/state/sonyalpaca";
    return "/var/lib/sonyalpaca";
}

std::map<std::string, std::string> processEnvironment() {
    std::map<std::string, std::string> result;
    for (char** entry = environ; entry && *entry; ++entry) {
        std::string text(*entry);
        const auto equals = text.find('=');
        if (equals != std::string::npos) result.emplace(text.substr(0, equals), text.substr(equals + 1));
    }
    return result;
}

}  // namespace sonyalpaca::config
