// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "imaging/Frame.hpp"
#include "imaging/ImageBytes.hpp"
#include "imaging/RawDecoder.hpp"
#include "imaging/Subframe.hpp"

#include <memory>

namespace sonyalpaca::alpaca {

/// A decoded frame made ready to serve: the region a client asked for, binned, in Alpaca's order.
struct ServedFrame {
    imaging::Subframe region;                          ///< what was cut, in binned pixels
    std::shared_ptr<const imaging::Frame> rows;        ///< the served pixels row-major (null unless kept)
    std::shared_ptr<const imaging::ImageBytes> image;  ///< the served pixels as ImageBytes
};

/// Cuts `region` out of `frame` (the whole frame at region.bin when `full_frame`, whatever its
/// size), bins it and builds the ImageBytes once. Keeps the row-major pixels in `rows` when
/// `keep_rows` (for a FITS file). A whole frame at bin 1 is moved, not copied. Throws
/// std::invalid_argument naming the field when the region does not fit the frame.
ServedFrame serveFrame(imaging::Frame&& frame, imaging::Subframe region, bool full_frame, bool keep_rows);

}  // namespace sonyalpaca::alpaca
