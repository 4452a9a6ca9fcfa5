// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstdint>
#include <string>

namespace sonyalpaca::ptp::sim {

/// Colour of one photosite of the Bayer mosaic.
enum class CfaColour : std::uint8_t { Red = 0, Green = 1, Blue = 2 };

/// Geometry of a Sony raw frame: the full readout (raw_width x raw_height, margins included) and
/// Sony's DefaultCrop inside it. The colour filter array is RGGB at the raw origin (arw.md §1), and
/// the crop offsets are even, so the first visible pixel is red too.
struct SensorLayout {
    unsigned raw_width = 0;
    unsigned raw_height = 0;
    unsigned crop_left = 0;
    unsigned crop_top = 0;
    unsigned crop_width = 0;
    unsigned crop_height = 0;

    /// The ILCE-7M3 (a7 III): 6048x4024 with a 6000x4000 crop at (12,12).
    static SensorLayout ilce7m3() noexcept;

    /// Pixels in the raw frame.
    std::size_t pixelCount() const noexcept { return static_cast<std::size_t>(raw_width) * raw_height; }

    /// Throws std::invalid_argument naming the field when the layout is unusable: raw sides below
    /// 22 or above 65535 (LibRaw's limits), odd crop offsets or sizes, or a crop outside the frame.
    void validate() const;

    /// Colour of the photosite at raw (x, y): RGGB with R at (0, 0).
    static constexpr CfaColour colourAt(unsigned x, unsigned y) noexcept {
        const unsigned index = (y & 1U) * 2U + (x & 1U);
        return index == 0 ? CfaColour::Red : index == 3 ? CfaColour::Blue : CfaColour::Green;
    }

    /// "6048x4024, crop 6000x4000 at (12,12)".
    std::string describe() const;

    friend bool operator==(const SensorLayout&, const SensorLayout&) = default;
};

}  // namespace sonyalpaca::ptp::sim
