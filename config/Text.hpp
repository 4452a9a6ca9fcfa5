// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <string>
#include <string_view>

namespace sonyalpaca::text {

/// `c` as a lower-case ASCII letter (other characters unchanged).
constexpr char asciiLower(char c) noexcept { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

/// `text` with ASCII letters in lower case.
inline std::string asciiLower(std::string_view text) {
    std::string out(text);
    for (auto& c : out) c = asciiLower(c);
    return out;
}

/// True if `a` equals `b` ignoring the case of ASCII letters.
constexpr bool equalsIgnoringCase(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (asciiLower(a[i]) != asciiLower(b[i])) return false;
    return true;
}

/// `text` without the spaces, tabs and line ends around it.
inline std::string trim(std::string_view text) {
    const auto first = text.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos) return {};
    const auto last = text.find_last_not_of(" \t\r\n");
    return std::string(text.substr(first, last - first + 1));
}

}  // namespace sonyalpaca::text
