// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "alpaca/Router.hpp"

#include <nlohmann/json.hpp>

#include <string>

namespace sonyalpaca::test {

/// GET `path`?`query` through `router`.
inline alpaca::HttpResponse routeGet(alpaca::Router& router, const std::string& path, const std::string& query = "") {
    return router.handle({"GET", path, query, "", "", "test"});
}

/// PUT `path` with form `body` through `router`.
inline alpaca::HttpResponse routePut(alpaca::Router& router, const std::string& path, const std::string& body = "") {
    return router.handle({"PUT", path, "", body, "application/x-www-form-urlencoded", "test"});
}

/// The JSON of a 200 reply (fails the test through an exception otherwise).
inline nlohmann::json jsonOf(const alpaca::HttpResponse& response) {
    if (response.status != 200)
        throw std::runtime_error("HTTP " + std::to_string(response.status) + ": " + response.body);
    return nlohmann::json::parse(response.body);
}

}  // namespace sonyalpaca::test
