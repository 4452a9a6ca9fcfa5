// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace sonyalpaca::config {

/// A configuration problem found at start-up; the message names the key, the source and what is allowed.
class ConfigError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Where the daemon finds its Sony body.
struct CameraSource {
    enum class Kind { Auto, Simulator, PtpIp };
    Kind kind = Kind::Auto;
    std::string host;        ///< PtpIp only
    std::uint16_t port = 0;  ///< PtpIp only; 15740 when not given

    /// Parses "auto", "simulator" or "ptpip:HOST[:PORT]" (IPv6 hosts in brackets). Throws std::invalid_argument.
    static CameraSource parse(const std::string& text);
    std::string text() const;
    friend bool operator==(const CameraSource&, const CameraSource&) = default;
};

/// Every setting of the daemon, after defaults, the config file and the command line were applied.
struct Settings {
    CameraSource camera;
    std::vector<std::string> bind;  ///< addresses to listen on; empty = every IPv4 and IPv6 address
    std::uint16_t port = 11111;     ///< Alpaca HTTP port; 0 = any free port
    std::uint16_t discovery_port = 32227;  ///< 0 = any free port
    bool discovery = true;
    std::filesystem::path state_dir;  ///< empty until resolved by resolveStateDir()
    std::string lens;                 ///< focus profile; empty = the lens the body reports
    std::string log_level = "info";
};

/// The state directory used when none is configured: $STATE_DIRECTORY (systemd StateDirectory=) or
/// /var/lib/sonyalpaca when run by systemd, otherwise $XDG_STATE_HOME/sonyalpaca (~/.local/state/sonyalpaca).
std::filesystem::path defaultStateDir(const std::map<std::string, std::string>& environment);

/// The environment of this process as a map (for defaultStateDir).
std::map<std::string, std::string> processEnvironment();

}  // namespace sonyalpaca::config
