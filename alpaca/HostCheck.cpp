// SPDX-License-Identifier: GPL-3.0-or-later
#include "alpaca/HostCheck.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>

namespace sonyalpaca::alpaca {
namespace {
std::string lower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c); });
    return out;
}

bool isPort(std::string_view text) {
    if (text.empty() || text.size() > 5) return false;
    return std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool isIpv4(const std::string& text) {
    in_addr address{};
    return ::inet_pton(AF_INET, text.c_str(), &address) == 1;
}

bool isIpv6(std::string text) {
    // A zone ("fe80::1%25eth0" in a URL, RFC 6874) names the interface, not the address.
    if (const auto zone = text.find('%'); zone != std::string::npos) text.erase(zone);
    in6_addr address{};
    return ::inet_pton(AF_INET6, text.c_str(), &address) == 1;
}

/// A DNS name's characters only (letters, digits, '-', '.', '_'): nothing that could hide a port,
/// a user or a second name.
bool isName(std::string_view text) {
    if (text.empty() || text.size() > 253) return false;
    return std::all_of(text.begin(), text.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_';
    });
}

std::string withoutFinalDot(std::string name) {
    if (!name.empty() && name.back() == '.') name.pop_back();
    return name;
}
}  // namespace

HostCheck::HostCheck(const std::string& machine, const std::vector<std::string>& extra) : checking_(true) {
    names_.push_back("localhost");
    const std::string full = withoutFinalDot(lower(machine));
    if (!full.empty()) {
        const std::string short_name = full.substr(0, full.find('.'));
        for (const auto& name : {full, short_name}) {
            names_.push_back(name);
            names_.push_back(name + ".local");
            names_.push_back(name + ".lan");
        }
    }
    for (const auto& name : extra)
        if (!name.empty()) names_.push_back(withoutFinalDot(lower(name)));
}

std::string HostCheck::nameOf(std::string_view host) {
    if (host.empty()) return {};
    if (host.front() == '[') {
        const auto close = host.find(']');
        if (close == std::string_view::npos) return {};
        const auto rest = host.substr(close + 1);
        if (!rest.empty() && (rest.front() != ':' || !isPort(rest.substr(1)))) return {};
        return lower(host.substr(0, close + 1));
    }
    const auto colon = host.find(':');
    std::string_view name = host.substr(0, colon);
    if (colon != std::string_view::npos && !isPort(host.substr(colon + 1))) return {};
    std::string result = withoutFinalDot(lower(name));
    return isName(result) ? result : std::string();
}

bool HostCheck::allows(std::string_view host) const {
    if (!checking_ || host.empty()) return true;
    const std::string name = nameOf(host);
    if (name.empty()) return false;
    if (name.front() == '[') return isIpv6(name.substr(1, name.size() - 2));
    if (isIpv4(name)) return true;
    return std::find(names_.begin(), names_.end(), name) != names_.end();
}

std::string HostCheck::refusal(std::string_view host) const {
    std::string allowed;
    for (const auto& name : names_) allowed += (allowed.empty() ? "" : ", ") + name;
    return "this server does not answer requests addressed to the host \"" + std::string(host) +
           "\" (a protection against web pages that rebind their own name to this machine); use its IP "
           "address or one of: " +
           allowed + ", or add the name to the \"allowed_hosts\" setting\n";
}

}  // namespace sonyalpaca::alpaca
