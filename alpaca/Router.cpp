// SPDX-License-Identifier: GPL-3.0-or-later
#include "alpaca/Router.hpp"

#include "alpaca/AlpacaError.hpp"
#include "alpaca/ClientText.hpp"
#include "alpaca/RequestParameters.hpp"
#include "config/Log.hpp"

#include <cmath>
#include <vector>

namespace sonyalpaca::alpaca {
namespace {
using Json = nlohmann::ordered_json;

std::vector<std::string_view> splitPath(std::string_view path) {
    std::vector<std::string_view> parts;
    if (path.empty() || path.front() != '/') return parts;
    path.remove_prefix(1);
    while (true) {
        const auto slash = path.find('/');
        parts.push_back(path.substr(0, slash));
        if (slash == std::string_view::npos) break;
        path.remove_prefix(slash + 1);
    }
    return parts;
}

bool hasUpperCase(std::string_view text) {
    for (char c : text)
        if (c >= 'A' && c <= 'Z') return true;
    return false;
}

/// Device numbers are canonical decimals: "0", "1", ... (no sign, no leading zeros).
std::optional<int> parseDeviceNumber(std::string_view text) {
    if (text.empty() || text.size() > 6 || (text.size() > 1 && text.front() == '0')) return std::nullopt;
    int value = 0;
    for (char c : text) {
        if (c < '0' || c > '9') return std::nullopt;
        value = value * 10 + (c - '0');
    }
    return value;
}

std::optional<Verb> verbOf(std::string_view method) {
    if (method == "GET" || method == "HEAD") return Verb::Get;
    if (method == "PUT") return Verb::Put;
    return std::nullopt;
}

/// The Accept header names application/imagebytes (alpaca.md §4: match on "contains", any casing).
bool acceptsImageBytes(std::string_view accept) {
    return asciiLower(accept).find("application/imagebytes") != std::string::npos;
}

std::string dumpJson(const Json& json) { return json.dump(-1, ' ', false, Json::error_handler_t::replace); }

Json envelope(std::uint32_t client_transaction, std::uint32_t server_transaction) {
    Json reply;
    reply["ClientTransactionID"] = client_transaction;
    reply["ServerTransactionID"] = server_transaction;
    reply["ErrorNumber"] = 0;
    reply["ErrorMessage"] = "";
    return reply;
}

}  // namespace

Router::Router(const DeviceRegistry& registry, ServerDescription description, SetupContext setup, HostCheck hosts)
    : registry_(registry),
      description_(description),
      setup_(registry, std::move(description), std::move(setup)),
      hosts_(std::move(hosts)) {}

std::uint32_t Router::nextServerTransactionId() noexcept {
    std::uint32_t current = server_transaction_.load();
    std::uint32_t next = 0;
    do {
        next = current == UINT32_MAX ? 1 : current + 1;
    } while (!server_transaction_.compare_exchange_weak(current, next));
    return next;
}

HttpResponse Router::handle(const HttpRequest& request) noexcept {
    try {
        if (!hosts_.allows(request.host)) {
            const unsigned refused = ++refused_hosts_;
            if (refused <= 10 || refused % 100 == 0)
                log::get("alpaca")->warn("{} {} from {} refused (403): addressed to host \"{}\", not one of this "
                                         "server's names ({} such requests so far)",
                                         loggable(request.method), loggable(request.path), request.remote,
                                         loggable(request.host), refused);
            return {403, "text/plain; charset=utf-8", hosts_.refusal(loggable(request.host)), {}};
        }
        HttpResponse response;
        if (request.path.rfind("/api/", 0) == 0)
            response = handleApi(request);
        else if (request.path.rfind("/management/", 0) == 0)
            response = handleManagement(request);
        else if (request.path == "/setup" || request.path.rfind("/setup/", 0) == 0)
            response = setup_.handle(request);
        else
            response = HttpResponse::badRequest("unknown path " + request.path +
                                                "; Alpaca devices are under /api/v1/, the management API under "
                                                "/management/ and setup pages under /setup");
        log::get("alpaca")->debug("{} {} {} from {} -> {}", loggable(request.method), loggable(request.path),
                                  loggable(request.query), request.remote, response.status);
        return response;
    } catch (const BadRequest& e) {
        log::get("alpaca")->debug("{} {} from {} -> 400: {}", loggable(request.method), loggable(request.path),
                                  request.remote, loggable(e.what()));
        return HttpResponse::badRequest(e.what());
    } catch (const std::exception& e) {
        log::get("alpaca")->error("{} {} failed: {}", loggable(request.method), loggable(request.path),
                                  loggable(e.what()));
        return {500, "text/plain; charset=utf-8", std::string("internal error: ") + e.what() + "\n"};
    } catch (...) {
        return {500, "text/plain; charset=utf-8", "internal error\n"};
    }
}

HttpResponse Router::handleApi(const HttpRequest& request) {
    if (hasUpperCase(request.path))
        throw BadRequest("Alpaca paths are lower case: use /api/v1/{devicetype}/{devicenumber}/{member}, not " +
                         request.path);
    const auto parts = splitPath(request.path);
    if (parts.size() != 5)
        throw BadRequest("malformed Alpaca path " + request.path +
                         "; expected /api/v1/{devicetype}/{devicenumber}/{member}");
    if (parts[1] != "v1")
        throw BadRequest("unsupported Alpaca API version \"" + std::string(parts[1]) + "\"; this server speaks v1");
    if (!registry_.knowsType(parts[2]))
        throw BadRequest("unknown device type \"" + std::string(parts[2]) + "\"; this server has camera and focuser");
    const auto number = parseDeviceNumber(parts[3]);
    Device* device = number ? registry_.find(parts[2], *number) : nullptr;
    if (!device)
        throw BadRequest("there is no " + std::string(parts[2]) + " number \"" + std::string(parts[3]) +
                         "\" on this server");
    const std::string_view member_name = parts[4];
    if (!device->hasMember(member_name))
        throw BadRequest("\"" + std::string(member_name) + "\" is not a member of " + std::string(parts[2]) +
                         " devices");
    const auto verb = verbOf(request.method);
    const Member* member = verb ? device->findMember(member_name, *verb) : nullptr;
    if (!member) {
        const bool get = device->findMember(member_name, Verb::Get) != nullptr;
        const bool put = device->findMember(member_name, Verb::Put) != nullptr;
        throw BadRequest(std::string(member_name) + " accepts " +
                         (get && put ? "GET and PUT"
                          : get      ? "GET"
                                     : "PUT") +
                         "; " + request.method + " is not allowed");
    }

    const auto params = RequestParameters::fromRequest(request, member->verb);
    const Arguments arguments = params.parse(member->params);

    const std::uint32_t client_transaction = params.clientTransactionId();
    const std::uint32_t server_transaction = nextServerTransactionId();
    Json reply = envelope(client_transaction, server_transaction);
    try {
        device->admit(*member);
        if (member->reply)
            return member->reply(arguments,
                                 {client_transaction, server_transaction, acceptsImageBytes(request.accept)});
        nlohmann::json value = member->call(arguments);
        if (value.is_number_float() && !std::isfinite(value.get<double>()))
            throw AlpacaError(ErrorCode::Unspecified, "the value is not a finite number");
        if (member->verb == Verb::Get || !value.is_null()) reply["Value"] = std::move(value);
    } catch (...) {
        const ErrorReply error = toAlpaca(std::current_exception());
        reply["ErrorNumber"] = error.number;
        reply["ErrorMessage"] = error.message;
        if (member->verb == Verb::Get) reply["Value"] = nullptr;
        auto logger = log::get("alpaca");
        logger->log(error.number == static_cast<int>(ErrorCode::Unspecified) ? spdlog::level::warn
                                                                             : spdlog::level::debug,
                    "{} {}: error 0x{:X}: {}", loggable(request.method), loggable(request.path), error.number,
                    loggable(error.message));
    }
    return HttpResponse::json(dumpJson(reply));
}

HttpResponse Router::handleManagement(const HttpRequest& request) {
    const auto verb = verbOf(request.method);
    const std::string& path = request.path;
    const bool known = path == "/management/apiversions" || path == "/management/v1/description" ||
                       path == "/management/v1/configureddevices";
    if (!known)
        throw BadRequest("unknown management path " + path +
                         "; known: /management/apiversions, /management/v1/description, "
                         "/management/v1/configureddevices");
    if (verb != Verb::Get)
        throw BadRequest("the management API is read with GET; " + request.method + " is not allowed");
    const auto params = RequestParameters::fromRequest(request, Verb::Get);
    Json reply = envelope(params.clientTransactionId(), nextServerTransactionId());
    if (path == "/management/apiversions") {
        reply["Value"] = Json::array({1});
    } else if (path == "/management/v1/description") {
        reply["Value"] = {{"ServerName", description_.server_name},
                          {"Manufacturer", description_.manufacturer},
                          {"ManufacturerVersion", description_.manufacturer_version},
                          {"Location", description_.location}};
    } else {
        Json devices = Json::array();
        for (const auto& entry : registry_.entries())
            devices.push_back({{"DeviceName", entry.device->deviceName()},
                               {"DeviceType", std::string(entry.device->deviceType())},
                               {"DeviceNumber", entry.number},
                               {"UniqueID", entry.unique_id}});
        reply["Value"] = std::move(devices);
    }
    return HttpResponse::json(dumpJson(reply));
}

}  // namespace sonyalpaca::alpaca
