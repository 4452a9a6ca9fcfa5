// SPDX-License-Identifier: GPL-3.0-or-later
#include "config/RawTypes.hpp"

#include <libraw/libraw.h>  // only its version: libraw_version(), libraw_versionNumber()

namespace sonyalpaca::config {

std::string libRawVersion() { return libraw_version(); }

LibRawVersion libRawSeries() noexcept {
    // LIBRAW_MAKE_VERSION(major, minor, patch) is (major << 16) | (minor << 8) | patch.
    const int number = libraw_versionNumber();
    return {number >> 16, (number >> 8) & 0xFF};
}

bool decodesSonyLossless(LibRawVersion series) noexcept {
    // LibRaw 0.21.0 brought sony_ljpeg_load_raw, its reader of Sony's lossless JPEG tiles.
    return series.major > 0 || series.minor >= 21;
}

bool decodesSonyLossless() noexcept { return decodesSonyLossless(libRawSeries()); }

std::optional<std::string> rawTypeProblem(std::string_view type, LibRawVersion series, std::string_view version) {
    if (type.find("Lossless") == std::string_view::npos) return std::nullopt;
    if (type.ends_with(" S") || type.ends_with(" M"))
        return "this size of lossless RAW is a colour image of reduced size, not the sensor's Bayer data: choose "
               "the L size or Uncompressed RAW";
    if (!decodesSonyLossless(series))
        return "LibRaw " + std::string(version) + " cannot decode lossless-compressed ARW (" +
               std::string(kLosslessLibRawHint) +
               "); until then choose Uncompressed RAW (Compressed RAW works too, "
               "but is lossy)";
    return std::nullopt;
}

std::optional<std::string> rawTypeProblem(std::string_view type) {
    return rawTypeProblem(type, libRawSeries(), libRawVersion());
}

int libRawApscTrim(std::string_view model, int raw_width) {
    const auto starts = [&](std::string_view prefix) { return model.substr(0, prefix.size()) == prefix; };
    const bool trimmed =
        ((starts("ILCE-7RM") || model == "ILCA-99M2") && (raw_width == 5216 || raw_width == 6304)) ||
        (model == "ILCE-7R" && raw_width >= 4580 && raw_width < 5020) || (model == "ILCE-7" && raw_width == 3968) ||
        ((starts("ILCE-7M") || model == "ILCE-9" || starts("SLT-A99")) && raw_width > 3750 && raw_width < 4120) ||
        (starts("ILCE-7S") && raw_width == 2816);
    return trimmed ? 32 : 0;
}

}  // namespace sonyalpaca::config
