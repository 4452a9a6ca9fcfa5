// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "config/BodyDatabase.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace sonyalpaca::config {

/// The version of the LibRaw this process runs, e.g. "0.20.2-Release".
std::string libRawVersion();

/// The release series of the LibRaw this process runs: {0, 20} on Debian 12, {0, 21} on Debian 13.
LibRawVersion libRawSeries() noexcept;

/// Whether LibRaw `series` decodes Sony's lossless-compressed ARW: 0.21 and later (Debian 13,
/// Raspberry Pi OS trixie); Debian 12's 0.20.2 does not (it has no sony_ljpeg_load_raw).
bool decodesSonyLossless(LibRawVersion series) noexcept;
/// The same for this process's LibRaw. Decided at run time, from the library.
bool decodesSonyLossless() noexcept;

/// Where a LibRaw that decodes lossless-compressed ARW comes from, for messages.
inline constexpr std::string_view kLosslessLibRawHint =
    "Raspberry Pi OS trixie / Debian 13 and later ship LibRaw 0.21, which decodes it";

/// Why frames of a Sony RAW file type, as the body names it ("Uncompressed RAW", "Compressed RAW",
/// "Lossless Compressed RAW", "Lossless Compressed RAW M" ...), cannot be served with LibRaw `series`
/// (`version` is its full version, for the message), or nothing when they can: lossless needs
/// decodesSonyLossless(series); the S and M sizes of lossless RAW are colour images, never the
/// sensor's mosaic. The reason names what to choose instead.
std::optional<std::string> rawTypeProblem(std::string_view type, LibRawVersion series, std::string_view version);
/// The same for this process's LibRaw.
std::optional<std::string> rawTypeProblem(std::string_view type);

/// How many columns LibRaw (0.20.2 to 0.21.4, src/utils/open.cpp) cuts from the right of a Sony
/// full-frame body's APS-C/Super 35mm frame of raw width `raw_width` (its last block is bad,
/// LibRaw/LibRaw#201): 32 for the widths LibRaw names per model (a7/a7 II/a7 III/a9/A99 3751-4119,
/// a7R 4580-5019, a7R II-IV and A99 II 5216 or 6304, a7S 2816), else 0.
int libRawApscTrim(std::string_view model, int raw_width);

}  // namespace sonyalpaca::config
