// SPDX-License-Identifier: GPL-3.0-or-later
#include "config/GphotoSupport.hpp"

namespace sonyalpaca::config {

std::optional<std::string> gphotoProblem(const BodyEntry& body, std::string_view version) {
    // Only the 2.5.31 series asks for protocol 3.00 in the way the bodies do not answer: 2.5.30 and
    // older use 2.00 for every body, 2.5.32 and later send the second parameter and read 3.00 lists.
    const bool series_2_5_31 = compareVersions(version, "2.5.31") >= 0 && compareVersions(version, "2.5.32") < 0;
    if (!series_2_5_31 || body.gphotoProtocol(version) != 3) return std::nullopt;
    return "libgphoto2 " + std::string(version) + " cannot drive the " + body.fullName() +
           ": it opens this body in Sony's protocol 3.00 but reads its settings in the older layout, so every "
           "setting fails (libgphoto2 issues #937 and #946, fixed in 2.5.32). Raspberry Pi OS trixie / Debian 13 "
           "ships 2.5.31: use Raspberry Pi OS bookworm / Debian 12 (libgphoto2 2.5.30) for this body, or install "
           "libgphoto2 2.5.32 or later";
}

}  // namespace sonyalpaca::config
