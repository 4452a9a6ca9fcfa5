// SPDX-License-Identifier: GPL-3.0-or-later
#include "ptp/sim/sky/SonyMakerNote.hpp"

#include "ptp/sim/sky/TiffIfd.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <utility>

namespace sonyalpaca::ptp::sim {

namespace {

constexpr std::array<std::uint8_t, 12> kHeader{'S', 'O', 'N', 'Y', ' ', 'D', 'S', 'C', ' ', 0, 0, 0};

unsigned powerMod(unsigned base, unsigned exponent, unsigned modulus) {
    unsigned result = 1;
    base %= modulus;
    while (exponent > 0) {
        if (exponent & 1U) result = result * base % modulus;
        base = base * base % modulus;
        exponent >>= 1;
    }
    return result;
}

// Model ids as LibRaw's camera-id table lists them (0.20.2, and 0.21+ for the later bodies).
constexpr std::array<std::pair<std::string_view, std::uint16_t>, 33> kCameraIds{{
    {"SLT-A99V", 0x126},   {"SLT-A99", 0x126},    {"ILCE-3000", 0x12E}, {"ILCE-7", 0x132},    {"ILCE-7R", 0x137},
    {"ILCE-6000", 0x138},  {"ILCE-5000", 0x139},  {"ILCE-7S", 0x13E},   {"ILCA-77M2", 0x13F}, {"ILCE-5100", 0x153},
    {"ILCE-7M2", 0x154},   {"ILCE-7RM2", 0x15B},  {"ILCE-7SM2", 0x15E}, {"ILCA-68", 0x161},   {"ILCA-99M2", 0x162},
    {"DSC-RX10M3", 0x163}, {"ILCE-6300", 0x165},  {"ILCE-9", 0x166},    {"ILCE-6500", 0x168}, {"ILCE-7RM3", 0x16A},
    {"ILCE-7M3", 0x16B},   {"DSC-RX10M4", 0x16D}, {"ILCE-6400", 0x173}, {"ILCE-7RM4", 0x177}, {"ILCE-6600", 0x17A},
    {"ILCE-6100", 0x17B},  {"ZV-E10", 0x17E},     {"ILCE-7SM3", 0x17F}, {"ILCE-1", 0x180},    {"ILCE-7RM3A", 0x182},
    {"ILCE-7RM4A", 0x183}, {"ILCE-7M4", 0x184},   {"ILCE-6700", 0x18A},
}};

}  // namespace

std::uint8_t SonyMakerNote::encipher(std::uint8_t plain) noexcept {
    return plain >= 249 ? plain : static_cast<std::uint8_t>(powerMod(plain, 3, 249));
}

std::uint8_t SonyMakerNote::decipher(std::uint8_t cipher) noexcept {
    return cipher >= 249 ? cipher : static_cast<std::uint8_t>(powerMod(cipher, 55, 249));
}

std::optional<std::uint16_t> SonyMakerNote::cameraId(std::string_view model) noexcept {
    for (const auto& [name, id] : kCameraIds) {
        if (name == model) return id;
    }
    return std::nullopt;
}

std::uint8_t SonyMakerNote::celsiusByte(double celsius) noexcept {
    const double whole = std::isfinite(celsius) ? std::clamp(std::round(celsius), -128.0, 127.0) : 0.0;
    return static_cast<std::uint8_t>(static_cast<std::int8_t>(whole));
}

std::uint8_t SonyMakerNote::fahrenheitByte(double celsius) noexcept {
    const double fahrenheit = std::isfinite(celsius) ? celsius * 1.8 + 32.0 : 68.0;
    return static_cast<std::uint8_t>(std::clamp(std::round(fahrenheit), 0.0, 255.0));
}

namespace {

TiffIfd directory(const SonyMakerNote::Content& content) {
    // 0x9402: raw byte 0 not 0x05/0xFF, raw byte 2 = 0xFF, byte 4 the ambient temperature; the rest
    // enciphered zeros (0 enciphers to 0), so FocusMode (byte 0x16) reads 0.
    std::vector<std::uint8_t> b9402(48, 0);
    b9402[0] = 0x01;
    b9402[2] = 0xFF;
    b9402[4] = SonyMakerNote::encipher(SonyMakerNote::celsiusByte(content.ambient_temperature_c));
    // 0x9403: byte 4 a plain value other than 0x00/0x94, byte 5 the sensor temperature.
    std::vector<std::uint8_t> b9403(32, 0);
    b9403[4] = SonyMakerNote::encipher(1);
    b9403[5] = SonyMakerNote::encipher(SonyMakerNote::celsiusByte(content.sensor_temperature_c));
    // 0x9406: raw byte 0 in {0x01, 0x08, 0x1B}, raw byte 2 in {0x08, 0x1B}, byte 5 the battery in °F.
    std::vector<std::uint8_t> b9406(16, 0);
    b9406[0] = 0x01;
    b9406[2] = 0x08;
    b9406[5] = SonyMakerNote::encipher(SonyMakerNote::fahrenheitByte(content.battery_temperature_c));

    TiffIfd ifd;
    ifd.addBytes(0x9402, TiffIfd::Undefined, std::move(b9402));
    ifd.addBytes(0x9403, TiffIfd::Undefined, std::move(b9403));
    ifd.addBytes(0x9406, TiffIfd::Undefined, std::move(b9406));
    ifd.addShorts(0xB001, {content.camera_id});
    return ifd;
}

}  // namespace

std::vector<std::uint8_t> SonyMakerNote::build(const Content& content, std::uint32_t at) {
    std::vector<std::uint8_t> out(kHeader.begin(), kHeader.end());
    directory(content).serialise(at + static_cast<std::uint32_t>(kHeader.size()), out);
    return out;
}

std::size_t SonyMakerNote::size() { return kHeader.size() + directory(Content{}).size(); }

}  // namespace sonyalpaca::ptp::sim
