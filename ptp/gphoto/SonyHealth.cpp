// SPDX-License-Identifier: GPL-3.0-or-later
#include "ptp/gphoto/SonyHealth.hpp"

#include <charconv>
#include <cmath>

namespace sonyalpaca::ptp::gphoto {
namespace {
/// The number a widget's text holds: "42", "-3", "65537.000000"; nullopt for anything else.
std::optional<std::int64_t> number(const std::optional<std::string>& text) {
    if (!text || text->empty()) return std::nullopt;
    const char* begin = text->data();
    const char* end = begin + text->size();
    std::int64_t whole = 0;
    if (auto [ptr, ec] = std::from_chars(begin, end, whole); ec == std::errc() && ptr == end) return whole;
    double value = 0;
    if (auto [ptr, ec] = std::from_chars(begin, end, value);
        ec == std::errc() && ptr == end && std::isfinite(value) && std::abs(value) < 9e15)
        return static_cast<std::int64_t>(std::llround(value));
    return std::nullopt;
}

/// A property's code as the body sent it: a 32-bit value libgphoto2 printed with "%d" comes back
/// negative (0xFFFFFFFE as -2).
std::optional<std::uint32_t> code(const std::optional<std::string>& text) {
    const auto value = number(text);
    if (!value || *value < INT32_MIN || *value > UINT32_MAX) return std::nullopt;
    return static_cast<std::uint32_t>(*value < 0 ? *value + 0x100000000LL : *value);
}

// CrBatteryLevel (Camera Remote SDK): the low 16 bits the level, 0x10000 set on USB power.
constexpr std::uint32_t kUsbPower = 0x10000, kDummyBattery = 0xFFFFFFFD, kNoBattery = 0xFFFFFFFE;

/// The bars of a level 1..8 (1: the "pre-end" level), or empty.
std::string bars(std::uint32_t level) {
    switch (level) {
    case 1: return "nearly empty";
    case 2: return "1/4";
    case 3: return "2/4";
    case 4: return "3/4";
    case 5: return "4/4";
    case 6: return "1/3";
    case 7: return "2/3";
    case 8: return "3/3";
    default: return {};
    }
}

void decodeIndicator(std::uint32_t value, BodyHealth& health) {
    if (value == kDummyBattery) {
        health.source = PowerSource::DummyBattery;
    } else if (value == kNoBattery) {
        health.source = PowerSource::NoBattery;
    } else if (value == kUsbPower) {  // USB power, no battery level given
        health.source = PowerSource::UsbPower;
    } else if ((value & ~0xFFFFu) == kUsbPower && value <= kUsbPower + 5) {  // USB power, battery 1..5
        health.source = PowerSource::UsbPower;
        health.battery_bars = bars(value & 0xFFFFu);
    } else if (value >= 1 && value <= 8) {
        health.source = PowerSource::Battery;
        health.battery_bars = bars(value);
        health.battery_nearly_empty = value == 1;
    } else {
        health.source_code = value;
    }
}
}  // namespace

BodyHealth decodeSonyHealth(const SonyHealthReadings& readings, std::chrono::system_clock::time_point read_at) {
    BodyHealth health;
    health.read_at = read_at;
    // BatteryLevel: a percentage; −1 (and anything outside 0..100) is "not known".
    if (const auto level = number(readings.battery_level); level && *level >= 0 && *level <= 100)
        health.battery_percent = static_cast<int>(*level);
    if (const auto value = code(readings.battery_indicator)) decodeIndicator(*value, health);
    if (const auto status = code(readings.card_status)) {
        switch (*status) {
        case 0: health.card = CardState::In; break;
        case 1: health.card = CardState::None; break;
        case 2:  // a card error
        case 3:  // being recognised, or locked (CrSlotStatus_RecognizingOrLockedError)
            health.card = CardState::Error;
            break;
        default: health.card_code = *status;
        }
    }
    if (const auto shots = number(readings.remaining_shots);
        shots && *shots >= 0 && health.card != CardState::None && health.card != CardState::Error)
        health.remaining_shots = *shots;
    if (const auto state = code(readings.overheat)) {
        switch (*state) {
        case 0: health.overheat = Overheat::None; break;
        case 1: health.overheat = Overheat::PreOverheating; break;
        case 2: health.overheat = Overheat::Overheating; break;
        default: health.overheat_code = *state;
        }
    }
    return health;
}

}  // namespace sonyalpaca::ptp::gphoto
