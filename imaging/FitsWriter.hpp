// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "imaging/Frame.hpp"

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <variant>

namespace sonyalpaca::imaging {

/// One FITS header card: keyword, value, comment. The caller passes what it knows, typically
/// DATE-OBS, EXPTIME, GAIN or ISO, XPIXSZ/YPIXSZ, BAYERPAT, XBAYROFF/YBAYROFF, CCD-TEMP, FOCUSPOS,
/// INSTRUME, the lens and the daemon's version. COMMENT and HISTORY cards take a string value.
struct FitsCard {
    using Value = std::variant<std::string, double, std::int64_t, bool>;

    std::string key;      ///< 1 to 8 of A–Z, 0–9, '-', '_' (the FITS keyword alphabet)
    Value value;          ///< strings: printable ASCII, at most 68 characters are kept
    std::string comment;  ///< may be empty; printable ASCII
};

/// Writes `frame` to `path` as a FITS file: one primary image with BITPIX 16, BZERO 32768 and
/// BSCALE 1 (FITS's way of storing unsigned 16-bit values), NAXIS1 = width, NAXIS2 = height, rows in
/// the frame's order, top row first, which the card ROWORDER = 'TOP-DOWN' states; then `cards`, in
/// their order. Non-printable characters in strings become '?', and longer strings are cut.
///
/// Atomic: written to a hidden temporary file in the same folder (created if missing), flushed to
/// disk (fsync), then renamed to `path` (replacing a file there) and the folder flushed, so a crash
/// or a full disk leaves the old file or nothing, never a partial file under `path`.
///
/// Throws std::invalid_argument naming the card for a bad keyword, a reserved one (SIMPLE, BITPIX,
/// NAXIS…, EXTEND, BZERO, BSCALE, ROWORDER, END) or a value that is not finite, or for a frame whose
/// pixel count does not match its size; std::runtime_error naming the path and the system's reason
/// ("No space left on device", "Permission denied", …) when the file cannot be written. Never leaves
/// the temporary file behind. Thread-safe for different paths.
void writeFits(const std::filesystem::path& path, const Frame& frame, std::span<const FitsCard> cards);

}  // namespace sonyalpaca::imaging
