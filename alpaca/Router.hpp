// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "alpaca/DeviceRegistry.hpp"
#include "alpaca/HostCheck.hpp"
#include "alpaca/Http.hpp"
#include "alpaca/SetupPages.hpp"

#include <atomic>
#include <cstdint>
#include <string>

namespace sonyalpaca::alpaca {

/// Turns HTTP requests into Alpaca replies: the device API (/api/v1/...), the management API
/// (/management/...) and the setup pages (/setup...). Applies every protocol rule in one place, in the
/// order ConformU expects: route, client IDs, required parameters, value types, what the member needs
/// (Device::admit: connected, idle), then the member itself.
/// Thread-safe; never throws.
class Router {
public:
    /// `setup` is what the setup pages reach besides the devices (SetupPages); `hosts` which Host
    /// headers are answered (every request, the API, the management API and the setup pages alike:
    /// 403 otherwise; the default checks nothing).
    Router(const DeviceRegistry& registry, ServerDescription description, SetupContext setup = {},
           HostCheck hosts = {});

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
    HostCheck hosts_;
    std::atomic<unsigned> refused_hosts_{0};  // for logging the first refusals, then every 100th
};

}  // namespace sonyalpaca::alpaca
