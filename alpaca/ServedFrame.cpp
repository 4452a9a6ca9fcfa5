// SPDX-License-Identifier: GPL-3.0-or-later
#include "alpaca/ServedFrame.hpp"

namespace sonyalpaca::alpaca {

ServedFrame serveFrame(imaging::Frame&& frame, imaging::Subframe region, bool full_frame, bool keep_rows) {
    if (full_frame) {
        region.start_x = 0;
        region.start_y = 0;
        region.num_x = frame.width / region.bin;
        region.num_y = frame.height / region.bin;
    }
    region.check(frame.width, frame.height);
    const bool whole = region.bin == 1 && region.num_x == frame.width && region.num_y == frame.height;
    // The source frame goes as soon as the region is cut from it: at most two frames are held at once.
    imaging::Frame source = std::move(frame);
    auto rows = std::make_shared<imaging::Frame>(whole ? std::move(source) : imaging::extractSubframe(source, region));
    source = {};
    ServedFrame served;
    served.region = region;
    served.image = std::make_shared<const imaging::ImageBytes>(*rows);
    if (keep_rows) served.rows = std::move(rows);
    return served;
}

}  // namespace sonyalpaca::alpaca
