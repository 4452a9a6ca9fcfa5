// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "DaemonProcess.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace sonyalpaca::test {

/// `sonyalpaca simulate-body` on an ephemeral 127.0.0.1 port with its control port, started with
/// `options` (e.g. {"--lens", "SEL20F18G", "--jitter", "0.002"}); the constructor waits until it serves.
struct SimulatorProcess {
    DaemonProcess process;
    std::string ptp_port;            ///< the PTP/IP port, as text
    std::uint16_t control_port = 0;  ///< GET /status, PUT /fault ... (docs/SIMULATOR.md)

    explicit SimulatorProcess(const std::vector<std::string>& options);
    /// "ptpip:127.0.0.1:PORT", for the daemon's --camera.
    std::string source() const { return "ptpip:127.0.0.1:" + ptp_port; }
    /// GET /status of the control port: lens position, best focus, focus steps...
    nlohmann::json status() const;
};

/// Writes a user lens profile of SEL20F18G into STATE_DIR/lenses: the shipped step counts, with the
/// timing of the simulator at --move-time-scale 0.2, jitter 0.2 % and backlash 2 (what the focuser
/// tests run the simulator with).
void writeTestLensProfile(const std::filesystem::path& state_dir);

}  // namespace sonyalpaca::test
