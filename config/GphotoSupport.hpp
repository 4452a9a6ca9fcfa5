// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "config/BodyDatabase.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace sonyalpaca::config {

/// Why libgphoto2 `version` ("2.5.31", as gp_library_version reports it) cannot drive `body`, or
/// nothing when it can. Known case: libgphoto2 2.5.31 (the one Debian 13 / Raspberry Pi OS trixie
/// ships) opens the a7 IV generation (sony-bodies.json: libgphoto2.protocol "2.5.31": 3) in Sony's
/// PC-remote protocol 3.00 but asks for it without the second request parameter and reads the
/// property list in the older layout, so every setting after the first fails with PTP error 0x2002
/// (libgphoto2 issues #937 and #946; gphoto2 #610, #641, #660 for the a7R IV, a7R V, a7S III);
/// 2.5.32 fixed both. The message names the body, the libgphoto2 version, the reason and the fix.
/// Pure; thread-safe.
std::optional<std::string> gphotoProblem(const BodyEntry& body, std::string_view version);

}  // namespace sonyalpaca::config
