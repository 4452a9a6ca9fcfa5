// SPDX-License-Identifier: GPL-3.0-or-later
#include "alpaca/Parameters.hpp"

#include <charconv>
#include <cmath>

namespace sonyalpaca::alpaca {
namespace {
int hexDigit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

bool isDigits(std::string_view text) {
    if (text.empty()) return false;
    for (char c : text)
        if (c < '0' || c > '9') return false;
    return true;
}

}  // namespace

std::string urlDecode(std::string_view text, bool plus_is_space) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '%' && i + 2 < text.size()) {
            const int hi = hexDigit(text[i + 1]);
            const int lo = hexDigit(text[i + 2]);
            if (hi >= 0 && lo >= 0) {
                out.push_back(static_cast<char>(hi * 16 + lo));
                i += 2;
                continue;
            }
        }
        out.push_back(plus_is_space && c == '+' ? ' ' : c);
    }
    return out;
}

KeyValues parseUrlEncoded(std::string_view text) {
    KeyValues result;
    while (!text.empty()) {
        const auto amp = text.find('&');
        const std::string_view piece = text.substr(0, amp);
        text = amp == std::string_view::npos ? std::string_view() : text.substr(amp + 1);
        if (piece.empty()) continue;
        const auto equals = piece.find('=');
        if (equals == std::string_view::npos)
            result.emplace_back(urlDecode(piece, true), std::string());
        else
            result.emplace_back(urlDecode(piece.substr(0, equals), true), urlDecode(piece.substr(equals + 1), true));
    }
    return result;
}

std::optional<std::uint32_t> parseUInt32(std::string_view text) {
    if (!isDigits(text)) return std::nullopt;
    std::uint32_t value = 0;
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || ptr != text.data() + text.size()) return std::nullopt;
    return value;
}

std::optional<std::int32_t> parseInt32(std::string_view text) {
    const std::string_view digits = !text.empty() && text.front() == '-' ? text.substr(1) : text;
    if (!isDigits(digits)) return std::nullopt;
    std::int32_t value = 0;
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || ptr != text.data() + text.size()) return std::nullopt;
    return value;
}

std::optional<double> parseDouble(std::string_view text) {
    if (text.empty()) return std::nullopt;
    // from_chars does not take a leading '+'; allow it as invariant culture does.
    if (text.front() == '+') text.remove_prefix(1);
    if (text.empty() ||
        !(std::isdigit(static_cast<unsigned char>(text.front())) || text.front() == '-' || text.front() == '.'))
        return std::nullopt;
    double value = 0;
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || ptr != text.data() + text.size() || !std::isfinite(value)) return std::nullopt;
    return value;
}

std::optional<bool> parseBool(std::string_view text) {
    if (equalsIgnoringCase(text, "true")) return true;
    if (equalsIgnoringCase(text, "false")) return false;
    return std::nullopt;
}

std::optional<ParamValue> parseParam(ParamType type, std::string_view text) {
    switch (type) {
    case ParamType::Bool:
        if (auto v = parseBool(text)) return ParamValue(*v);
        return std::nullopt;
    case ParamType::Int:
        if (auto v = parseInt32(text)) return ParamValue(*v);
        return std::nullopt;
    case ParamType::Double:
        if (auto v = parseDouble(text)) return ParamValue(*v);
        return std::nullopt;
    case ParamType::String: return ParamValue(std::string(text));
    }
    return std::nullopt;
}

std::string_view describeType(ParamType type) {
    switch (type) {
    case ParamType::Bool: return "true or false";
    case ParamType::Int: return "a 32-bit integer";
    case ParamType::Double: return "a number (with '.' as the decimal point)";
    case ParamType::String: return "a string";
    }
    return "a value";
}

}  // namespace sonyalpaca::alpaca
