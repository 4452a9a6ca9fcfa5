// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "config/Text.hpp"

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace sonyalpaca::alpaca {

/// The declared type of an Alpaca parameter.
enum class ParamType { Bool, Int, Double, String };

/// A parameter a member requires, named in its exact Alpaca casing (e.g. "BinX").
struct ParamSpec {
    std::string name;
    ParamType type;
};

/// A parsed parameter value.
using ParamValue = std::variant<bool, std::int32_t, double, std::string>;

/// Decoded key/value pairs in the order they arrived (query string or form body).
using KeyValues = std::vector<std::pair<std::string, std::string>>;

/// Decodes "a=1&b=x%20y" (application/x-www-form-urlencoded; '+' is a space). Malformed escapes are
/// kept as they are; empty pieces are skipped.
KeyValues parseUrlEncoded(std::string_view text);

/// Percent-decodes `text`; '+' becomes a space when `plus_is_space`.
std::string urlDecode(std::string_view text, bool plus_is_space);

using text::asciiLower;
using text::equalsIgnoringCase;

/// Strict parsers for the Alpaca wire formats (API Reference §2.3): decimal integers, invariant-culture
/// doubles (finite only), "true"/"false" in any casing. No surrounding white space is accepted.
std::optional<std::uint32_t> parseUInt32(std::string_view text);
std::optional<std::int32_t> parseInt32(std::string_view text);
std::optional<double> parseDouble(std::string_view text);
std::optional<bool> parseBool(std::string_view text);

/// Parses `text` as `type`; nullopt if it is not a value of that type.
std::optional<ParamValue> parseParam(ParamType type, std::string_view text);

/// What a parameter of `type` looks like, for error messages ("an integer", ...).
std::string_view describeType(ParamType type);

/// The validated parameters of one request, looked up by their exact Alpaca name.
class Arguments {
public:
    void add(std::string_view name, ParamValue value) { values_.emplace_back(std::string(name), std::move(value)); }

    /// The value of `name` as T. Throws std::logic_error if the member did not declare it.
    template <typename T>
    const T& get(std::string_view name) const {
        for (const auto& [key, value] : values_)
            if (key == name) return std::get<T>(value);
        throw std::logic_error("undeclared parameter " + std::string(name));
    }

private:
    std::vector<std::pair<std::string, ParamValue>> values_;
};

}  // namespace sonyalpaca::alpaca
