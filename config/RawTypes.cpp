// SPDX-License-Identifier: GPL-3.0-or-later
#include "config/RawTypes.hpp"

#include <libraw/libraw.h>  // only its version: libraw_version(), libraw_versionNumber()

namespace sonyalpaca::config {

std::string libRawVersion() { return libraw_version(); }

bool decodesSonyLossless() noexcept {
    // LibRaw 0.21.0 brought sony_ljpeg_load_raw, its reader of Sony's lossless JPEG tiles.
    return libraw_versionNumber() >= LIBRAW_MAKE_VERSION(0, 21, 0);
}

std::optional<std::string> rawTypeProblem(std::string_view type) {
    if (type.find("Lossless") == std::string_view::npos) return std::nullopt;
    if (type.ends_with(" S") || type.ends_with(" M"))
        return "this size of lossless RAW is a colour image of reduced size, not the sensor's Bayer data: choose "
               "the L size or Uncompressed RAW";
    if (!decodesSonyLossless())
        return "LibRaw " + libRawVersion() + " cannot decode lossless-compressed ARW (" +
               std::string(kLosslessLibRawHint) + "); until then choose Uncompressed RAW (Compressed RAW works too, "
               "but is lossy)";
    return std::nullopt;
}

}  // namespace sonyalpaca::config
