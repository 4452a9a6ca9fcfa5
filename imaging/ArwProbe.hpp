// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace sonyalpaca::imaging {

/// What a quick walk over a raw file's TIFF structure tells before LibRaw runs: enough to explain
/// a failure in the camera's terms (a JPEG instead of a raw file, a lossless-compressed ARW).
/// Reads at most IFD0 and its first eight SubIFDs; every read is bounds-checked, so any byte
/// sequence is safe to inspect.
struct ArwProbe {
    bool jpeg = false;  ///< starts with a JPEG SOI marker (FF D8): the camera saved JPEG, not RAW
    bool tiff = false;  ///< starts with a TIFF header ("II*\0" or "MM\0*"), as every ARW does
    std::string make;   ///< IFD0 Make as written ("SONY"); empty when absent
    /// TIFF Compression of the mosaic's IFD (Photometric 32803, CFA; else the first SubIFD):
    /// 1 uncompressed, 32767 Sony cRAW, 7 (JPEG) Sony's lossless compression (ARW 4.0).
    std::optional<unsigned> raw_compression;

    /// Never throws; a malformed file gives whatever could be read before the damage.
    static ArwProbe inspect(std::span<const std::uint8_t> file) noexcept;

    /// Sony's lossless-compressed raw (Make SONY, raw Compression 7).
    bool sonyLossless() const noexcept;
};

}  // namespace sonyalpaca::imaging
