// SPDX-License-Identifier: GPL-3.0-or-later
// Decoding the body-health properties from the text libgphoto2 gives (Sony's Camera Remote SDK
// values; how real bodies send them is not verified, so odd values must come out as "unknown").
#include "ptp/gphoto/SonyHealth.hpp"

#include <doctest/doctest.h>

using namespace sonyalpaca::ptp;
using gphoto::decodeSonyHealth;
using gphoto::SonyHealthReadings;

namespace {
const auto kWhen = std::chrono::system_clock::time_point(std::chrono::seconds(1'700'000'000));

BodyHealth battery(const char* level, const char* indicator) {
    SonyHealthReadings readings;
    if (level) readings.battery_level = level;
    if (indicator) readings.battery_indicator = indicator;
    return decodeSonyHealth(readings, kWhen);
}
}  // namespace

TEST_CASE("body health: a body that tells nothing is unknown in every part, and not low") {
    const auto health = decodeSonyHealth({}, kWhen);
    CHECK_FALSE(health.battery_percent);
    CHECK(health.source == PowerSource::Unknown);
    CHECK(health.card == CardState::Unknown);
    CHECK_FALSE(health.remaining_shots);
    CHECK(health.overheat == Overheat::Unknown);
    CHECK_FALSE(health.lowBattery());
    CHECK(health.read_at == kWhen);
    CHECK_FALSE(health.source_code);
    CHECK_FALSE(health.card_code);
    CHECK_FALSE(health.overheat_code);
}

TEST_CASE("body health: the battery level is a percentage, -1 and nonsense are unknown") {
    CHECK(battery("100", nullptr).battery_percent == 100);
    CHECK(battery("0", nullptr).battery_percent == 0);
    CHECK(battery("57.000000", nullptr).battery_percent == 57);  // a RANGE widget's float
    CHECK_FALSE(battery("-1", nullptr).battery_percent);
    CHECK_FALSE(battery("101", nullptr).battery_percent);
    CHECK_FALSE(battery("", nullptr).battery_percent);
    CHECK_FALSE(battery("full", nullptr).battery_percent);
    CHECK_FALSE(battery("50%", nullptr).battery_percent);
}

TEST_CASE("body health: the indicator names the power source and the bars") {
    auto h = battery("80", "4");
    CHECK(h.source == PowerSource::Battery);
    CHECK(h.battery_bars == "3/4");
    CHECK_FALSE(h.battery_nearly_empty);
    CHECK(battery("80", "8").battery_bars == "3/3");
    CHECK(battery("30", "6").battery_bars == "1/3");
    h = battery("3", "1");
    CHECK(h.battery_nearly_empty);
    CHECK(h.battery_bars == "nearly empty");
    h = battery("60", "65536");  // 0x10000: USB power, no level
    CHECK(h.source == PowerSource::UsbPower);
    CHECK(h.battery_bars.empty());
    h = battery("60", "65539");  // 0x10003: USB power, battery 2/4
    CHECK(h.source == PowerSource::UsbPower);
    CHECK(h.battery_bars == "2/4");
    CHECK(battery("60", "65537").source == PowerSource::UsbPower);  // pre-end, but on USB
    // 0xFFFFFFFD / 0xFFFFFFFE, as "%d" of a 32-bit value prints them, or unsigned
    CHECK(battery("-1", "-3").source == PowerSource::DummyBattery);
    CHECK(battery("-1", "4294967293").source == PowerSource::DummyBattery);
    CHECK(battery("-1", "-2").source == PowerSource::NoBattery);
    CHECK(battery("-1", "4294967294.000000").source == PowerSource::NoBattery);
}

TEST_CASE("body health: an indicator value not understood is unknown, with its code kept") {
    for (const auto& [text, code] : {std::pair{"0", 0u}, {"9", 9u}, {"65542", 0x10006u}, {"-7", 0xFFFFFFF9u}}) {
        CAPTURE(text);
        const auto h = battery("50", text);
        CHECK(h.source == PowerSource::Unknown);
        CHECK(h.source_code == code);
        CHECK(h.battery_bars.empty());
        CHECK(h.battery_percent == 50);
    }
    CHECK_FALSE(battery("50", "lots").source_code);  // not a number at all: unknown, no code
    CHECK_FALSE(battery("50", "99999999999").source_code);
}

TEST_CASE("body health: low on battery at 15 % or less, or at the body's nearly-empty level, never on mains") {
    CHECK(battery("15", "2").lowBattery());
    CHECK_FALSE(battery("16", "2").lowBattery());
    CHECK(battery("0", nullptr).lowBattery());  // the source not said: taken as the battery
    CHECK(battery("40", "1").lowBattery());     // pre-end whatever the percentage says
    CHECK(battery(nullptr, "1").lowBattery());
    CHECK_FALSE(battery("10", "65538").lowBattery());  // USB power
    CHECK_FALSE(battery("10", "65537").lowBattery());  // pre-end battery, but USB power
    CHECK_FALSE(battery("5", "-3").lowBattery());      // dummy battery
    CHECK_FALSE(battery("-1", "-2").lowBattery());     // no battery: on something else
    CHECK_FALSE(battery("-1", "3").lowBattery());
    CHECK(BodyHealth::kLowPercent == 15);
}

TEST_CASE("body health: the card slot and its remaining shots") {
    SonyHealthReadings readings;
    readings.card_status = "0";
    readings.remaining_shots = "1234";
    auto h = decodeSonyHealth(readings, kWhen);
    CHECK(h.card == CardState::In);
    CHECK(h.remaining_shots == 1234);
    readings.card_status = "1";
    h = decodeSonyHealth(readings, kWhen);
    CHECK(h.card == CardState::None);
    CHECK_FALSE(h.remaining_shots);  // no card, no shots, whatever the count says
    for (const char* error : {"2", "3"}) {
        readings.card_status = error;
        CHECK(decodeSonyHealth(readings, kWhen).card == CardState::Error);
    }
    readings.card_status = "7";
    h = decodeSonyHealth(readings, kWhen);
    CHECK(h.card == CardState::Unknown);
    CHECK(h.card_code == 7u);
    CHECK(h.remaining_shots == 1234);
    readings.card_status.reset();  // no status: the count is still what the body says
    readings.remaining_shots = "-5";
    CHECK_FALSE(decodeSonyHealth(readings, kWhen).remaining_shots);
    readings.remaining_shots = "12.000000";
    CHECK(decodeSonyHealth(readings, kWhen).remaining_shots == 12);
}

TEST_CASE("body health: overheating") {
    SonyHealthReadings readings;
    const std::pair<const char*, Overheat> cases[] = {
        {"0", Overheat::None}, {"1", Overheat::PreOverheating}, {"2", Overheat::Overheating}, {"3", Overheat::Unknown}};
    for (const auto& [text, state] : cases) {
        CAPTURE(text);
        readings.overheat = text;
        CHECK(decodeSonyHealth(readings, kWhen).overheat == state);
    }
    readings.overheat = "3";
    CHECK(decodeSonyHealth(readings, kWhen).overheat_code == 3u);
    CHECK(std::string(overheatName(Overheat::PreOverheating)) == "pre-overheating");
    CHECK(std::string(powerSourceName(PowerSource::UsbPower)) == "usb power");
    CHECK(std::string(cardStateName(CardState::None)) == "none");
}
