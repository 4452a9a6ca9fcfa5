// SPDX-License-Identifier: GPL-3.0-or-later
#include "alpaca/ClientText.hpp"

#include <algorithm>
#include <cstdint>

namespace sonyalpaca::alpaca {

std::string loggable(std::string_view text, std::size_t limit) {
    constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    std::size_t shown = std::min(text.size(), limit);
    // Cut between UTF-8 characters, not inside one.
    while (shown > 0 && shown < text.size() && (static_cast<unsigned char>(text[shown]) & 0xC0) == 0x80) --shown;
    out.reserve(shown + 16);
    for (std::size_t i = 0; i < shown; ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        switch (c) {
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
            if (c < 0x20 || c == 0x7f) {
                out += "\\x";
                out += kHex[c >> 4];
                out += kHex[c & 0xf];
            } else {
                out += static_cast<char>(c);
            }
        }
    }
    if (shown < text.size()) out += "\u2026(" + std::to_string(text.size()) + " bytes)";
    return out;
}

std::string badLensName(std::string_view name) {
    if (name.size() > 100)
        return "the name is " + std::to_string(name.size()) +
               " bytes long; at most 100 (a letter outside ASCII takes 2 to 4)";
    for (std::size_t i = 0; i < name.size();) {
        const auto lead = static_cast<unsigned char>(name[i]);
        const std::size_t length = lead < 0x80             ? 1
                                   : (lead & 0xE0) == 0xC0 ? 2
                                   : (lead & 0xF0) == 0xE0 ? 3
                                   : (lead & 0xF8) == 0xF0 ? 4
                                                           : 0;
        if (length == 0 || i + length > name.size()) return "the name is not UTF-8 text";
        std::uint32_t code = length == 1 ? lead : lead & (0x7Fu >> length);
        for (std::size_t k = 1; k < length; ++k) {
            const auto next = static_cast<unsigned char>(name[i + k]);
            if ((next & 0xC0) != 0x80) return "the name is not UTF-8 text";
            code = code << 6 | (next & 0x3Fu);
        }
        constexpr std::uint32_t kShortest[] = {0, 0, 0x80, 0x800, 0x10000};
        if (code < kShortest[length] || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF))
            return "the name is not UTF-8 text";
        if (code < 0x20 || (code >= 0x7F && code < 0xA0))
            return "the name holds a control character (at byte " + std::to_string(i + 1) +
                   "); use letters, digits, spaces and punctuation";
        i += length;
    }
    return {};
}

}  // namespace sonyalpaca::alpaca
