// SPDX-License-Identifier: GPL-3.0-or-later
#include "ptp/sim/sky/PreviewJpeg.hpp"

#include "imaging/Jpeg.hpp"
#include "imaging/Thumbnail.hpp"

namespace sonyalpaca::ptp::sim {

std::vector<std::uint8_t> previewJpeg(const RawImage& raw, unsigned max_width, int quality) {
    raw.validate();
    const SensorLayout& l = raw.layout;
    const imaging::MosaicView crop{raw.pixels.data() + static_cast<std::size_t>(l.crop_top) * l.raw_width + l.crop_left,
                                   l.crop_width, l.crop_height, l.raw_width};
    imaging::ThumbnailOptions options;
    options.max_width = max_width;
    return imaging::encodeJpeg(imaging::makeThumbnail(crop, options), quality);
}

}  // namespace sonyalpaca::ptp::sim
