// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "alpaca/BodyMemory.hpp"
#include "config/BodyDatabase.hpp"
#include "config/LensDatabase.hpp"

#include <functional>
#include <optional>
#include <string>

namespace sonyalpaca::alpaca {

/// The frame size the camera reports at connect, before any image, and why.
struct FrameSizeAtConnect {
    BodyMemory::Mode mode = BodyMemory::Mode::Full;
    unsigned width = 0;  ///< 0 = unknown: learned from the first image
    unsigned height = 0;
    std::string reason;  ///< for the log, e.g. "the body's APS-C/Super 35mm setting is On"
};

/// What decides the size at connect:
/// - the mode: the body's APS-C/Super 35mm setting where it says it (`sensor_crop`); else, on a
///   full-frame body, the lens's image circle (an "aps-c" lens crops at the factory setting "Auto");
///   else the whole sensor;
/// - the size in that mode: the one this body delivered last time (`remembered`), else the body
///   data's (LibRaw's visible area of the whole sensor; for APS-C BodyEntry::apscRawSize(), which
///   LibRaw keeps whole for raw widths it has no margin rule for), else unknown.
/// `body` and `lens` may be null (not in the data).
FrameSizeAtConnect frameSizeAtConnect(
    const config::BodyEntry* body, std::optional<bool> sensor_crop, const config::LensEntry* lens,
    const std::function<std::optional<BodyMemory::Size>(BodyMemory::Mode)>& remembered);

}  // namespace sonyalpaca::alpaca
