// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "ptp/Body.hpp"

#include <chrono>
#include <optional>
#include <string>

namespace sonyalpaca::ptp::gphoto {

/// The libgphoto2 widgets of the body-health properties: libgphoto2 2.5.30 lists each Sony
/// property it has no name for in its "other" section, named by the lower-case hex code.
inline constexpr const char* kBatteryLevelWidget = "d218";      ///< BatteryLevel, −1..100
inline constexpr const char* kBatteryIndicatorWidget = "d20e";  ///< BatteryLevelIndicator
inline constexpr const char* kCardStatusWidget = "d248";        ///< MediaSLOT1Status
inline constexpr const char* kRemainingShotsWidget = "d249";    ///< MediaSLOT1RemainingShots
inline constexpr const char* kOverheatWidget = "d251";          ///< DeviceOverheatStatus

/// The widgets' values as libgphoto2 gives them as text ("%d" of the value, or a float for a big
/// range); nullopt for a property the body does not have.
struct SonyHealthReadings {
    std::optional<std::string> battery_level;
    std::optional<std::string> battery_indicator;
    std::optional<std::string> card_status;
    std::optional<std::string> remaining_shots;
    std::optional<std::string> overheat;
};

/// Decodes the readings with the values of Sony's Camera Remote SDK (CrBatteryLevel, CrSlotStatus,
/// CrDeviceOverheatingState). How real bodies put these on the PTP wire is not verified: a 32-bit
/// value libgphoto2 printed as a negative int is taken as its unsigned code, a float as its whole
/// number, and anything not understood stays unknown with its code kept (docs/BODIES.md).
BodyHealth decodeSonyHealth(const SonyHealthReadings& readings, std::chrono::system_clock::time_point read_at);

}  // namespace sonyalpaca::ptp::gphoto
