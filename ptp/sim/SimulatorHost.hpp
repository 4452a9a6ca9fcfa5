// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "config/BodyDatabase.hpp"
#include "config/LensDatabase.hpp"
#include "ptp/sim/Faults.hpp"
#include "ptp/sim/PtpIpServer.hpp"
#include "ptp/sim/VirtualBody.hpp"

#include <memory>
#include <string>

namespace sonyalpaca::ptp::sim {

/// How to build a simulated body.
struct SimulatorOptions {
    std::string bind = "127.0.0.1";
    std::uint16_t port = 0;  ///< 0: any free port
    std::string body = "ILCE-7M3";
    std::string lens = "SEL20F18G";
    unsigned sensor_scale = 1;
    LensOptions lens_options;
    BodyOptions body_options;
    std::shared_ptr<Faults> faults = std::make_shared<Faults>();
};

/// A virtual Sony body serving PTP/IP in this process: what `simulate-body` runs, and what
/// `serve --camera simulator` connects its normal libgphoto2 backend to.
class SimulatorHost {
public:
    /// Builds the body from the shipped databases and starts serving. Throws std::invalid_argument
    /// for an unknown body or lens (naming the allowed ones), std::runtime_error when it cannot listen.
    explicit SimulatorHost(const SimulatorOptions& options);

    VirtualBody& body() { return *body_; }
    PtpIpServer& server() { return *server_; }
    std::uint16_t port() const noexcept { return server_->port(); }
    const config::LensEntry& lens() const noexcept { return lens_; }

private:
    config::BodyEntry model_;
    config::LensEntry lens_;
    std::unique_ptr<VirtualBody> body_;
    std::unique_ptr<PtpIpServer> server_;
};

}  // namespace sonyalpaca::ptp::sim
