// SPDX-License-Identifier: GPL-3.0-or-later
#include "LibRawDecode.hpp"

#include <libraw/libraw.h>

#include <memory>

namespace sonyalpaca::test {

LibRawResult decodeWithLibRaw(const std::vector<std::uint8_t>& file) {
    LibRawResult result;
    auto processor = std::make_unique<LibRaw>(0U);
    // LibRaw does not write through the buffer; its API is not const-correct.
    std::vector<std::uint8_t> copy = file;
    result.open_status = processor->open_buffer(copy.data(), copy.size());
    if (result.open_status != LIBRAW_SUCCESS) return result;
    result.unpack_status = processor->unpack();
    const libraw_data_t& d = processor->imgdata;
    result.make = d.idata.make;
    result.model = d.idata.model;
    result.raw_width = d.sizes.raw_width;
    result.raw_height = d.sizes.raw_height;
    result.width = d.sizes.width;
    result.height = d.sizes.height;
    result.left_margin = d.sizes.left_margin;
    result.top_margin = d.sizes.top_margin;
    // LibRaw 0.21 (Debian 13) keeps two inset crops, the first of which is 0.20's single one.
#if LIBRAW_COMPILE_CHECK_VERSION_NOTLESS(0, 21)
    const libraw_raw_inset_crop_t& inset = d.sizes.raw_inset_crops[0];
#else
    const libraw_raw_inset_crop_t& inset = d.sizes.raw_inset_crop;
#endif
    result.inset_left = inset.cleft;
    result.inset_top = inset.ctop;
    result.inset_width = inset.cwidth;
    result.inset_height = inset.cheight;
    result.filters = d.idata.filters;
    result.colour_at_origin = processor->COLOR(0, 0);
    result.black = d.color.black;
    result.cblack0 = d.color.cblack[0];
    result.maximum = d.color.maximum;
    result.iso = d.other.iso_speed;
    result.shutter = d.other.shutter;
    result.aperture = d.other.aperture;
    result.timestamp = static_cast<long long>(d.other.timestamp);
    result.ambient_temperature = d.makernotes.common.AmbientTemperature;
    result.sensor_temperature = d.makernotes.common.SensorTemperature;
    result.battery_temperature = d.makernotes.common.BatteryTemperature;
    result.camera_temperature = d.makernotes.common.CameraTemperature;
    if (result.unpack_status == LIBRAW_SUCCESS && d.rawdata.raw_image != nullptr) {
        const std::size_t stride = d.sizes.raw_pitch / 2;
        result.raw.reserve(static_cast<std::size_t>(result.raw_width) * result.raw_height);
        for (std::size_t y = 0; y < result.raw_height; ++y) {
            const std::uint16_t* row = d.rawdata.raw_image + y * stride;
            result.raw.insert(result.raw.end(), row, row + result.raw_width);
        }
    }
    return result;
}

}  // namespace sonyalpaca::test
