// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "config/BodyDatabase.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sonyalpaca::config {

/// A Debian release the daemon is packaged for, and the LibRaw it ships (docs/ARCHITECTURE.md).
struct DebianLibRaw {
    std::string_view release;  ///< with the Raspberry Pi OS built on it
    LibRawVersion series;
    std::string_view version;
};

/// Oldest first.
inline constexpr DebianLibRaw kDebianLibRaws[] = {
    {"Raspberry Pi OS bookworm / Debian 12", {0, 20}, "0.20.2"},
    {"Raspberry Pi OS trixie / Debian 13", {0, 21}, "0.21.4"},
};

/// The newest LibRaw release whose source the body data was checked against ("libraw_min": null
/// means that no release up to this one knows the body).
inline constexpr std::string_view kNewestLibRawChecked = "0.22.2";

/// The body's name for a RAW file type of the database ("uncompressed" → "Uncompressed RAW",
/// "compressed" → "Compressed RAW", "lossless" → "Lossless Compressed RAW"); other text unchanged.
std::string rawTypeLabel(std::string_view database_name);

/// Why no frame of `body` can be served correctly with LibRaw `series` (`version`: its full
/// version, for the message), or nothing when frames can be served: the body's Sony model id is
/// unknown to that LibRaw (per the data's "libraw_min"), or none of the RAW file types it offers
/// decodes with it (e.g. lossless only, on LibRaw 0.20). `offered` lists the body's RAW file types
/// in its own words ("Uncompressed RAW" ...); when it is empty (the body lists none), the database's
/// raw_types count. The message names the body, the LibRaw version and the fix: the Debian release
/// whose LibRaw decodes the body, or that no Debian release has one yet. Pure; thread-safe.
std::optional<std::string> bodyDecodeProblem(const BodyEntry& body, const std::vector<std::string>& offered,
                                             LibRawVersion series, std::string_view version);

/// The RAW file type (the body's words) to put a body on, among `offered`, for LibRaw `series`:
/// `current` when it is a lossless type that LibRaw decodes (exact values, smaller files), else
/// Uncompressed RAW (exact values), else a lossless type that LibRaw decodes, else Compressed RAW
/// (lossy, but decodable); nothing when no offered type decodes. Pure; thread-safe.
std::optional<std::string> preferredRawType(const std::vector<std::string>& offered, std::string_view current,
                                            LibRawVersion series);

}  // namespace sonyalpaca::config
