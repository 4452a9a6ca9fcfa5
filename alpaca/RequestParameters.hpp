// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "alpaca/Http.hpp"
#include "alpaca/Member.hpp"
#include "alpaca/Parameters.hpp"

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string_view>

namespace sonyalpaca::alpaca {

/// A request the server cannot understand: answered with HTTP 400 and this message as plain text.
class BadRequest : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// The parameters of one Alpaca request, with the protocol's casing rules: GET query keys match in
/// any casing; PUT form keys only in their exact casing (API Reference §2.2.2-2.2.3).
class RequestParameters {
public:
    /// Reads the query string (GET) or the form body (PUT) and checks ClientID and
    /// ClientTransactionID. Throws BadRequest when a GET has a body, a PUT has a query string or a
    /// body that is not a form, or an ID is present but not an unsigned 32-bit integer.
    static RequestParameters fromRequest(const HttpRequest& request, Verb verb);

    /// The raw value of `name` (first occurrence), or nullopt.
    std::optional<std::string_view> find(std::string_view name) const;

    /// Parses every parameter of `specs`. Throws BadRequest naming the missing or malformed one.
    Arguments parse(const std::vector<ParamSpec>& specs) const;

    std::uint32_t clientId() const noexcept { return client_id_; }
    std::uint32_t clientTransactionId() const noexcept { return client_transaction_id_; }

private:
    KeyValues pairs_;
    bool any_case_ = true;
    std::uint32_t client_id_ = 0;
    std::uint32_t client_transaction_id_ = 0;
};

}  // namespace sonyalpaca::alpaca
