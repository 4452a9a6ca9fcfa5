// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <stop_token>
#include <string>
#include <vector>

namespace sonyalpaca::ptp {

/// No Sony body can be reached (none attached, not in PC Remote mode, held by another program,
/// unplugged ...). The message says why and what the user can do about it.
class BodyUnavailable : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// The body was lost and the daemon is reconnecting it; nothing was exposed. Waiting for it is
/// worth it (a replugged cable, a body switched off and on).
class BodyAway : public BodyUnavailable {
public:
    using BodyUnavailable::BodyUnavailable;
};

/// The body is there but refused or failed an operation (busy, bad value, lost frame ...). The
/// message says what happened and what to do.
class BodyError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// The body answered "busy" (DeviceBusy); retrying a little later may work.
class BodyBusy : public BodyError {
public:
    using BodyError::BodyError;
};

/// What the body is doing. Reconnecting: the connection was lost and the daemon is opening it again
/// (a replugged cable, a body switched off and on).
enum class BodyState { Disconnected, Reconnecting, Idle, Exposing, Downloading, Busy };

/// Who the body is.
struct BodyIdentity {
    std::string manufacturer;
    std::string model;  ///< PTP model string, e.g. "ILCE-7M3"
    std::string serial;
    std::string firmware;
};

/// The file of one exposure, in memory.
struct Exposure {
    std::vector<std::uint8_t> file;               ///< the whole file as the body wrote it (ARW or JPEG)
    std::string filename;                         ///< the body's name for it, e.g. "capt0000.arw"
    double seconds = 0;                           ///< the exposure time the body was set to (bulb: timed by the host)
    std::chrono::system_clock::time_point start;  ///< when the shutter opened (host clock, UTC)
};

/// The daemon's one door to a Sony body: the seam of docs/ARCHITECTURE.md. Nothing above it knows
/// whether libgphoto2 and a body on USB, a body over PTP/IP, or nothing at all stands behind it.
///
/// All methods are thread-safe; the implementation serialises them. Methods other than the
/// connection ones throw BodyUnavailable when the body is not open or was lost, BodyError when it
/// refused, and never block longer than their timeout.
class Body {
public:
    virtual ~Body() = default;

    /// Opens the session and prepares the body for tethering, or does nothing when it is open.
    virtual void open() = 0;
    /// Closes the session; does nothing when it is closed.
    virtual void close() noexcept = 0;
    virtual bool isOpen() const noexcept = 0;
    /// Throws BodyUnavailable at once when open() cannot succeed right now (nothing is attached),
    /// so an asynchronous connect can refuse synchronously. Does not block.
    virtual void checkReachable() const = 0;
    /// One line for logs and status pages.
    virtual std::string describe() const = 0;
    /// False when the body's worker is stuck past its operation's timeout (the watchdog stops
    /// pinging so systemd restarts the daemon). Thread-safe, non-blocking.
    virtual bool healthy() const noexcept { return true; }

    virtual BodyIdentity identity() = 0;

    /// The ISO choices as the body names them ("Auto", "100", ...) and the current one.
    virtual std::vector<std::string> isoChoices() = 0;
    virtual std::string iso() = 0;
    /// Sets the ISO to `value` (one of isoChoices()) and verifies it. Throws BodyError.
    virtual void setIso(const std::string& value) = 0;

    /// The RAW file types the body offers (Sony 0xD288), by name: "Uncompressed RAW", "Compressed RAW",
    /// "Lossless Compressed RAW"...; empty when the body has no such setting. And the current one.
    virtual std::vector<std::string> rawTypes() = 0;
    virtual std::string rawType() = 0;
    /// Sets the RAW file type (one of rawTypes()) and verifies it. Throws BodyError.
    virtual void setRawType(const std::string& type) = 0;

    /// The body's APS-C/Super 35mm crop (Sony 0xD219, libgphoto2's "sensorcrop"): true while it
    /// crops the sensor to APS-C, false while it uses all of it; nullopt when the body does not say.
    virtual std::optional<bool> sensorCrop() { return std::nullopt; }

    /// The shutter speeds the body lists, in seconds, longest first (bulb not included).
    virtual std::vector<double> shutterSpeeds() = 0;

    /// What the body is doing now. Thread-safe, non-blocking.
    virtual BodyState state() const noexcept = 0;

    /// How many sessions have been opened (each reconnect after a loss is one more): when it changes
    /// the body may have been off and its lens moved. Thread-safe, non-blocking.
    virtual std::uint64_t sessions() const noexcept { return 0; }

    /// Takes one exposure of `seconds` and returns its file: a listed speed (the nearest one) up to
    /// 30 s, BULB timed by the host beyond (the body's dial must be on BULB then). A stop request
    /// ends a bulb exposure early and keeps the image (to abort, stop and discard the result).
    /// Blocks until the file is in memory; a frame whose download a dropped connection cut is
    /// collected after the body reconnects, or the error says it is lost.
    /// Throws BodyAway when the body is lost and being reconnected and the shutter has not opened.
    virtual Exposure expose(double seconds, std::stop_token stop) = 0;

    /// True when the body offers the focus drive (libgphoto2's manualfocus).
    virtual bool hasFocusDrive() = 0;
    /// Drives the lens one step of `size` (1..7) toward near (direction < 0) or far (> 0).
    virtual void focusStep(int size, int direction) = 0;

    /// One live-view JPEG.
    virtual std::vector<std::uint8_t> liveView() = 0;
};

}  // namespace sonyalpaca::ptp
