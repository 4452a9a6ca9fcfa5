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

/// When the focuser drives into the infinity end stop to know where the lens is. Homing runs at the
/// first move after a connect (not during the connect: Alpaca clients expect a connect to finish in
/// seconds and the focuser to be idle right after it), or when the Action "home" asks for it.
enum class HomingPolicy {
    EveryConnect,  ///< at the first move after every connect
    FirstConnect,  ///< only when no saved position can be trusted (same body, same lens, not cut mid-move)
    Never,         ///< never by itself: a saved position is trusted, and without one the position is unknown
};

/// How the focuser drives the lens.
struct FocuserSettings {
    HomingPolicy homing = HomingPolicy::FirstConnect;
    /// Re-home before a move (never during an exposure) when the position's standard deviation
    /// exceeds this many units; 0 = never re-home by itself, only report the uncertainty.
    double rehome_sigma = 0.5;
    /// Every move ends with steps in this direction, to take up the backlash the same way each
    /// time: +1 toward infinity (far), -1 toward near, 0 = whichever is cheaper.
    int approach = 1;
    /// Units of motion lost at a reversal of direction; negative = the lens profile's value (0 if none).
    double backlash = -1;
};

/// Which image files the camera keeps on this computer.
struct ImageFileSettings {
    /// Where: a folder per observing night (YYYY-MM-DD, noon to noon) below it. Empty until
    /// resolved: then state_dir/images.
    std::filesystem::path dir;
    bool keep_raw = false;   ///< the body's original ARW of every exposure
    bool save_fits = false;  ///< the served image as FITS with the exposure's headers
};

/// Every setting of the daemon, after defaults, the config file and the command line were applied.
struct Settings {
    CameraSource camera;
    std::vector<std::string> bind;  ///< addresses to listen on; empty = every IPv4 and IPv6 address
    /// Host names requests may be addressed to besides IP literals, localhost and this machine's
    /// name (with .local and .lan): a DNS name (letters, digits, '-', '.', '_'), lower or upper case.
    std::vector<std::string> allowed_hosts;
    std::uint16_t port = 11111;            ///< Alpaca HTTP port; 0 = any free port
    std::uint16_t discovery_port = 32227;  ///< 0 = any free port
    bool discovery = true;
    std::filesystem::path state_dir;  ///< empty until resolved by resolveStateDir()
    std::string lens;                 ///< focus profile; empty = the lens the body reports
    /// The body's RAW file type, set at every connect: "Uncompressed RAW" or "Compressed RAW";
    /// empty = as the body is (opening it sets uncompressed RAW; a client may change it).
    std::string raw_type;
    std::string log_level = "info";
    /// The optics' focal length for HFR in arc-seconds when the file does not record one; 0 = unknown.
    double focal_length_mm = 0;
    FocuserSettings focuser;
    ImageFileSettings images;
};

/// The state directory used when none is configured: $STATE_DIRECTORY (systemd StateDirectory=) or
/// /var/lib/sonyalpaca when run by systemd, otherwise $XDG_STATE_HOME/sonyalpaca (~/.local/state/sonyalpaca).
std::filesystem::path defaultStateDir(const std::map<std::string, std::string>& environment);

/// The environment of this process as a map (for defaultStateDir).
std::map<std::string, std::string> processEnvironment();

}  // namespace sonyalpaca::config
