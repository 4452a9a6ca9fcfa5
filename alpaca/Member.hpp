// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "alpaca/Http.hpp"
#include "alpaca/Parameters.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace sonyalpaca::alpaca {

enum class Verb { Get, Put };

/// What a member that writes its whole reply itself needs to know about the request.
struct ReplyContext {
    std::uint32_t client_transaction_id = 0;
    std::uint32_t server_transaction_id = 0;
    bool accepts_imagebytes = false;  ///< the Accept header names application/imagebytes
};

/// One routed Alpaca member of a device: `GET /api/v1/{type}/{n}/{name}` or the PUT of the same.
/// The router checks the parameters before `call` runs, so `call` only sees declared, typed values.
struct Member {
    std::string name;  ///< lower case, as in the URL
    Verb verb;
    std::vector<ParamSpec> params;  ///< required parameters (exact casing)
    /// Runs the member; throws AlpacaError (or anything else, mapped by toAlpaca). GET returns the Value.
    std::function<nlohmann::json(const Arguments&)> call;
    /// Set instead of `call` by a member whose Value is too large to build as JSON in memory
    /// (ImageArray): returns the whole response, typically streamed. Throws as `call` does; the
    /// router then sends the usual JSON error reply.
    std::function<HttpResponse(const Arguments&, const ReplyContext&)> reply{};
};

}  // namespace sonyalpaca::alpaca
