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

/// Where the body's power comes from (Sony 0xD20E, BatteryLevelIndicator).
enum class PowerSource { Battery, UsbPower, DummyBattery, NoBattery, Unknown };
/// The memory card in slot 1 (Sony 0xD248, MediaSLOT1Status).
enum class CardState { In, None, Error, Unknown };
/// The body's overheating state (Sony 0xD251, DeviceOverheatStatus).
enum class Overheat { None, PreOverheating, Overheating, Unknown };

/// What the body says of its battery, card and temperature, read at `read_at`. Every part may be
/// unknown (a body that lacks the property, or a value not understood: its code is kept).
struct BodyHealth {
    /// At or below this level on battery power (or unknown power), the battery counts as low.
    static constexpr int kLowPercent = 15;

    std::optional<int> battery_percent;  ///< 0..100 (Sony 0xD218)
    PowerSource source = PowerSource::Unknown;
    std::string battery_bars;                  ///< "3/4", "nearly empty", ... ; empty: not said
    bool battery_nearly_empty = false;         ///< the body's own "pre-end" level
    std::optional<std::uint32_t> source_code;  ///< 0xD20E as read, when it was not understood
    CardState card = CardState::Unknown;
    std::optional<std::uint32_t> card_code;       ///< 0xD248 as read, when it was not understood
    std::optional<std::int64_t> remaining_shots;  ///< with a card in (Sony 0xD249)
    Overheat overheat = Overheat::Unknown;
    std::optional<std::uint32_t> overheat_code;  ///< 0xD251 as read, when it was not understood
    std::chrono::system_clock::time_point read_at{};

    /// Low: the body's "nearly empty" level, or at most kLowPercent while running on the battery
    /// (or on power the body does not name); never on USB power or a dummy battery.
    bool lowBattery() const noexcept {
        if (source == PowerSource::UsbPower || source == PowerSource::DummyBattery || source == PowerSource::NoBattery)
            return false;
        return battery_nearly_empty || (battery_percent && *battery_percent <= kLowPercent);
    }
};

inline const char* powerSourceName(PowerSource source) noexcept {
    switch (source) {
    case PowerSource::Battery: return "battery";
    case PowerSource::UsbPower: return "usb power";
    case PowerSource::DummyBattery: return "dummy battery";
    case PowerSource::NoBattery: return "no battery";
    case PowerSource::Unknown: break;
    }
    return "unknown";
}

inline const char* cardStateName(CardState card) noexcept {
    switch (card) {
    case CardState::In: return "in";
    case CardState::None: return "none";
    case CardState::Error: return "error";
    case CardState::Unknown: break;
    }
    return "unknown";
}

inline const char* overheatName(Overheat overheat) noexcept {
    switch (overheat) {
    case Overheat::None: return "none";
    case Overheat::PreOverheating: return "pre-overheating";
    case Overheat::Overheating: return "overheating";
    case Overheat::Unknown: break;
    }
    return "unknown";
}

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

    /// The body's battery, card and temperature as last read (the backend refreshes it now and then
    /// while the body is idle, never during an exposure); nullopt when the body tells nothing (not
    /// open, or a backend that does not read it). Thread-safe, non-blocking: for status pages.
    virtual std::optional<BodyHealth> health() const { return std::nullopt; }
};

}  // namespace sonyalpaca::ptp
