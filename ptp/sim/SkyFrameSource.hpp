// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "config/BodyDatabase.hpp"
#include "ptp/sim/FrameSource.hpp"

#include <memory>
#include <string>

namespace sonyalpaca::ptp::sim {

/// The virtual body's images: a synthetic star field through the Bayer mosaic (ptp/sim/sky), its
/// stars blurred by the lens's defocus, written as ARW (uncompressed, cRAW or lossless, as the RAW
/// file type says; lossless frames are padded to whole 512-pixel tiles at the black level, as bodies
/// pad them) and/or JPEG, as the compression setting says. `sensor_scale` > 1 shrinks the sensor for
/// fast tests, keeping even crops and the RGGB phase. `seed` fixes the star field. `lens_travel`
/// scales the defocus curve, so critical focus spans the same fraction of every lens's travel.
/// `lens_name` goes into each ARW's EXIF LensModel, as a body names its lens.
std::shared_ptr<FrameSource> makeSkyFrameSource(const config::BodyEntry& body, unsigned sensor_scale,
                                                std::uint64_t seed, double lens_travel, std::string lens_name = {});

}  // namespace sonyalpaca::ptp::sim
