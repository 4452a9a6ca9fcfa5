// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sonyalpaca::config {

/// One Sony body of the shipped database (sony-bodies.json). Some upstream entries lack the crop,
/// the ISO list or the shutter codes: those fields are then empty or equal to the full sensor.
struct BodyEntry {
    std::string model;         ///< PTP model string, e.g. "ILCE-7M3"
    std::string display_name;  ///< e.g. "a7 Mk III"
    std::string sensor_name;   ///< as the upstream data names it ("CMOS", "EXMOR R"); empty when absent
    double pixel_size_x_um = 0;
    double pixel_size_y_um = 0;
    int sensor_width = 0;   ///< raw sensor
    int sensor_height = 0;
    int cropped_width = 0;  ///< visible area
    int cropped_height = 0;
    double exposure_min_s = 0;
    double exposure_max_s = 0;
    /// Shutter-speed property values (numerator << 16 | denominator; 0 = BULB), longest first.
    std::vector<std::uint32_t> shutter_codes;
    /// ISO choices; 0xFFFFFF stands for AUTO, as Sony encodes it.
    std::vector<std::uint32_t> isos;
};

/// The shipped body facts.
class BodyDatabase {
public:
    /// Loads and validates; throws std::runtime_error naming the file, the body and the field.
    static BodyDatabase load(const std::filesystem::path& path);

    const std::vector<BodyEntry>& bodies() const { return bodies_; }
    /// The body whose model string equals `model` (ASCII case-insensitive), or nullptr.
    const BodyEntry* find(std::string_view model) const;
    /// The model strings, comma separated, for error messages.
    std::string models() const;

private:
    std::vector<BodyEntry> bodies_;
};

/// Sony's ISO code for AUTO.
inline constexpr std::uint32_t kIsoAuto = 0xFFFFFF;

}  // namespace sonyalpaca::config
