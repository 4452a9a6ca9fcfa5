// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace sonyalpaca::test {

/// What LibRaw 0.20.2 makes of a raw file (open_buffer + unpack, no processing).
struct LibRawResult {
    int open_status = -1;
    int unpack_status = -1;
    std::string make;
    std::string model;
    unsigned raw_width = 0;
    unsigned raw_height = 0;
    unsigned width = 0;
    unsigned height = 0;
    unsigned left_margin = 0;
    unsigned top_margin = 0;
    int inset_left = 0;
    int inset_top = 0;
    int inset_width = 0;
    int inset_height = 0;
    unsigned filters = 0;
    int colour_at_origin = -1;  ///< COLOR(0, 0): 0 red
    unsigned black = 0;
    unsigned cblack0 = 0;
    unsigned maximum = 0;
    float iso = 0;
    float shutter = 0;
    float aperture = 0;
    long long timestamp = 0;
    float ambient_temperature = 0;
    float sensor_temperature = 0;
    float battery_temperature = 0;
    float camera_temperature = 0;
    std::vector<std::uint16_t> raw;  ///< raw_image, raw_width x raw_height
};

LibRawResult decodeWithLibRaw(const std::vector<std::uint8_t>& file);

}  // namespace sonyalpaca::test
