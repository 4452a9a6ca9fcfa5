// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "alpaca/Parameters.hpp"

#include <nlohmann/json.hpp>

#include <functional>
#include <string>
#include <vector>

namespace sonyalpaca::alpaca {

enum class Verb { Get, Put };

/// One routed Alpaca member of a device: `GET /api/v1/{type}/{n}/{name}` or the PUT of the same.
/// The router checks the parameters before `call` runs, so `call` only sees declared, typed values.
struct Member {
    std::string name;  ///< lower case, as in the URL
    Verb verb;
    std::vector<ParamSpec> params;  ///< required parameters (exact casing)
    /// Runs the member; throws AlpacaError (or anything else, mapped by toAlpaca). GET returns the Value.
    std::function<nlohmann::json(const Arguments&)> call;
};

}  // namespace sonyalpaca::alpaca
