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

/// What a member needs before it runs. Each level includes the one before; the device checks them
/// in one place (Device::admit) and names the member in the error.
enum class Needs {
    Nothing,    ///< capabilities, texts: readable before connecting
    Connected,  ///< NotConnected unless the device is connected
    Idle,       ///< connected, and InvalidOperation while the device is busy (a camera exposing)
};

/// What a member that writes its whole reply itself needs to know about the request.
struct ReplyContext {
    std::uint32_t client_transaction_id = 0;
    std::uint32_t server_transaction_id = 0;
    bool accepts_imagebytes = false;  ///< the Accept header names application/imagebytes
};

/// One Alpaca member of a device for one verb: `GET /api/v1/{type}/{n}/{route}` or the PUT of the
/// same. The router checks the parameters and then the needs before `call` runs, so `call` sees only
/// declared, typed values on a device in the state it needs.
struct Member {
    std::string name;   ///< as Alpaca spells it: "CameraXSize"
    std::string route;  ///< the URL's form of the name: lower case
    Verb verb;
    std::vector<ParamSpec> params;  ///< required parameters (exact casing)
    Needs needs = Needs::Nothing;
    /// Runs the member; throws AlpacaError (or anything else, mapped by toAlpaca). GET returns the Value.
    std::function<nlohmann::json(const Arguments&)> call{};
    /// Set instead of `call` by a member whose Value is too large to build as JSON in memory
    /// (ImageArray): returns the whole response, typically streamed. Throws as `call` does; the
    /// router then sends the usual JSON error reply.
    std::function<HttpResponse(const Arguments&, const ReplyContext&)> reply{};

    /// What a client does with it, for messages: "reading Gain", "writing Gain", "calling StartExposure".
    std::string use() const {
        const bool write = params.size() == 1 && params.front().name == name;
        return (verb == Verb::Get ? "reading " : write ? "writing " : "calling ") + name;
    }
};

}  // namespace sonyalpaca::alpaca
