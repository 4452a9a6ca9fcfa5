// SPDX-License-Identifier: GPL-3.0-or-later
#include "alpaca/RequestParameters.hpp"

namespace sonyalpaca::alpaca {
namespace {
bool isFormContentType(std::string_view content_type) {
    const auto semicolon = content_type.find(';');
    std::string_view type = content_type.substr(0, semicolon);
    while (!type.empty() && type.back() == ' ') type.remove_suffix(1);
    return equalsIgnoringCase(type, "application/x-www-form-urlencoded");
}

std::string shown(std::string_view text) {
    constexpr std::size_t kMax = 60;
    std::string out = "\"" + std::string(text.substr(0, kMax));
    if (text.size() > kMax) out += "...";
    return out + "\"";
}
}  // namespace

RequestParameters RequestParameters::fromRequest(const HttpRequest& request, Verb verb) {
    RequestParameters result;
    if (verb == Verb::Get) {
        if (!request.body.empty() || request.body_announced)
            throw BadRequest("a GET request carries its parameters in the query string, not in a body");
        result.pairs_ = parseUrlEncoded(request.query);
        result.any_case_ = true;
    } else {
        if (!request.query.empty())
            throw BadRequest("a PUT request carries its parameters in an application/x-www-form-urlencoded body, "
                             "not in the URL's query string");
        if (!request.body.empty() && !request.content_type.empty() && !isFormContentType(request.content_type))
            throw BadRequest("PUT parameters must be sent as application/x-www-form-urlencoded, not " +
                             shown(request.content_type));
        result.pairs_ = parseUrlEncoded(request.body);
        result.any_case_ = false;
    }
    auto readId = [&](std::string_view name) -> std::uint32_t {
        const auto text = result.find(name);
        if (!text) return 0;
        const auto value = parseUInt32(*text);
        if (!value)
            throw BadRequest(std::string(name) + "=" + shown(*text) +
                             " is not valid: it must be an unsigned 32-bit integer (0 to 4294967295)");
        return *value;
    };
    result.client_id_ = readId("ClientID");
    result.client_transaction_id_ = readId("ClientTransactionID");
    return result;
}

std::optional<std::string_view> RequestParameters::find(std::string_view name) const {
    for (const auto& [key, value] : pairs_)
        if (any_case_ ? equalsIgnoringCase(key, name) : key == name) return std::string_view(value);
    return std::nullopt;
}

Arguments RequestParameters::parse(const std::vector<ParamSpec>& specs) const {
    Arguments arguments;
    for (const auto& spec : specs) {
        const auto text = find(spec.name);
        if (!text) {
            std::string message = "missing parameter " + std::string(spec.name);
            if (!any_case_) {
                for (const auto& [key, value] : pairs_)
                    if (equalsIgnoringCase(key, spec.name))
                        message += " (got " + shown(key) + ": PUT form keys are case-sensitive, send " +
                                   std::string(spec.name) + ")";
            }
            throw BadRequest(message);
        }
        auto value = parseParam(spec.type, *text);
        if (!value)
            throw BadRequest(std::string(spec.name) + "=" + shown(*text) + " is not valid: expected " +
                             std::string(describeType(spec.type)));
        arguments.add(spec.name, std::move(*value));
    }
    return arguments;
}

}  // namespace sonyalpaca::alpaca
