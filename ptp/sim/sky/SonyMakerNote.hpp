// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace sonyalpaca::ptp::sim {

/// The part of a Sony maker note LibRaw 0.20.2 reads temperatures from (arw.md §3.3): the
/// "SONY DSC " header and an IFD with the enciphered blocks 0x9402 (ambient temperature), 0x9403
/// (sensor temperature), 0x9406 (battery temperature) and 0xB001 (the camera's model id, which
/// LibRaw needs before it takes any of them, and which names the camera).
class SonyMakerNote {
public:
    struct Content {
        std::uint16_t camera_id = 0x016B;  ///< 0xB001; ILCE-7M3 by default
        double ambient_temperature_c = 15.0;
        double sensor_temperature_c = 20.0;
        double battery_temperature_c = 20.0;
    };

    /// Sony's byte cipher: c = b³ mod 249 for b < 249; 249..255 stay.
    static std::uint8_t encipher(std::uint8_t plain) noexcept;
    /// Its inverse: b = c⁵⁵ mod 249 for c < 249; 249..255 stay.
    static std::uint8_t decipher(std::uint8_t cipher) noexcept;

    /// The 0xB001 id of a body model (e.g. "ILCE-7M3" → 0x016B), for the models LibRaw's id table
    /// lists; nothing for an unknown model.
    static std::optional<std::uint16_t> cameraId(std::string_view model) noexcept;

    /// The byte a temperature is stored as in 0x9402/0x9403: whole °C as a signed byte (rounded,
    /// clamped to −128..127). LibRaw 0.20.2 reads it unsigned, so −5 °C comes back as 251.
    static std::uint8_t celsiusByte(double celsius) noexcept;
    /// The 0x9406 battery byte: whole °F, clamped to 0..255 (−17.8 °C .. 123.9 °C).
    static std::uint8_t fahrenheitByte(double celsius) noexcept;

    /// The maker note's bytes as placed at absolute file offset `at`.
    static std::vector<std::uint8_t> build(const Content& content, std::uint32_t at);
    /// Its size, the same for any content.
    static std::size_t size();
};

}  // namespace sonyalpaca::ptp::sim
