// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "ptp/sim/sky/ArwFile.hpp"
#include "ptp/sim/sky/SkyRenderer.hpp"

#include <cstdint>
#include <vector>

namespace sonyalpaca::bench {

/// The frame the image benches measure: a realistic 30 s, ISO 800 sky (background near black,
/// stars, hot pixels) on the full ILCE-7M3 sensor, written as an uncompressed ARW. Seeded: every
/// run gets the same file.
inline std::vector<std::uint8_t> skyArw() {
    ptp::sim::SkyConditions sky;
    sky.seed = 1;
    sky.noise_seed = 1;
    sky.exposure_s = 30.0;
    sky.iso = 800;
    ptp::sim::ArwInfo info;
    info.exposure_s = sky.exposure_s;
    info.iso = sky.iso;
    return ptp::sim::writeArw(ptp::sim::renderSky(ptp::sim::SensorLayout::ilce7m3(), sky), info,
                              ptp::sim::ArwKind::Uncompressed);
}

}  // namespace sonyalpaca::bench
