// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "alpaca/DeviceRegistry.hpp"
#include "alpaca/Http.hpp"
#include "alpaca/SetupPages.hpp"

#include <atomic>
#include <cstdint>
#include <string>

namespace sonyalpaca::alpaca {

/// Turns HTTP requests into Alpaca replies: the device API (/api/v1/...), the management API
/// (/management/...) and the setup pages (/setup...). Applies every protocol rule in one place, in the
/// order ConformU expects: route, client IDs, required parameters, value types, then the device.
/// Thread-safe; never throws.
class Router {
public:
    /// `setup` is what the setup pages reach besides the devices (SetupPages).
    Router(const DeviceRegistry& registry, ServerDescription description, SetupContext setup = {});

    HttpResponse handle(const HttpRequest& request) noexcept;

    /// The next ServerTransactionID: 1, 2, ... wrapping back to 1.
    std::uint32_t nextServerTransactionId() noexcept;

private:
    HttpResponse handleApi(const HttpRequest& request);
    HttpResponse handleManagement(const HttpRequest& request);

    const DeviceRegistry& registry_;
    ServerDescription description_;
    std::atomic<std::uint32_t> server_transaction_{0};
    SetupPages setup_;
};

}  // namespace sonyalpaca::alpaca
