// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstdint>
#include <memory>
#include <thread>

namespace httplib {
class Server;
}

namespace sonyalpaca::ptp::sim {
class PtpIpServer;
class VirtualBody;
}  // namespace sonyalpaca::ptp::sim

namespace sonyalpaca::server {

/// The simulated body's inspection and control interface for black-box tests, on loopback only:
///   GET /status                       the true lens position, travel, best focus, temperature,
///                                     focus steps per size, exposures, PTP operations and health (JSON)
///   PUT /temperature, form celsius=X  sets the sensor temperature (best focus drifts with it)
///   PUT /best-focus, form units=X     moves best focus (at 20 °C)
///   PUT /health, form with any of     battery=PERCENT, source=battery|usb|dummy|none, card=in|none|error,
///                                     shots=N, overheat=0|1|2 (what the body reports; in /status too)
///   PUT /fault, form with any of      drop_after=N (operations), drop_mid_transfer=1, busy_captures=K,
///                                     never_ready=K, slow_ms=MS and slow_operations=N, events=0|1,
///                                     unplug_ms=T (the body vanishes for T ms)
class SimulatorControl {
public:
    SimulatorControl(ptp::sim::VirtualBody& body, ptp::sim::PtpIpServer& server);
    ~SimulatorControl();
    SimulatorControl(const SimulatorControl&) = delete;
    SimulatorControl& operator=(const SimulatorControl&) = delete;

    /// Listens on 127.0.0.1:`port` (0: any free port). Throws std::runtime_error.
    void start(std::uint16_t port);
    std::uint16_t port() const noexcept { return port_; }
    void stop() noexcept;

private:
    ptp::sim::VirtualBody& body_;
    ptp::sim::PtpIpServer& server_;
    std::unique_ptr<httplib::Server> http_;
    std::thread thread_;
    std::uint16_t port_ = 0;
};

}  // namespace sonyalpaca::server
