// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace sonyalpaca::ptp::sim {

/// Values of the RAW file type property 0xD288, in the Camera Remote SDK's numbering (not verified
/// on a body).
namespace raw_file_type {
inline constexpr std::uint16_t Uncompressed = 0;
inline constexpr std::uint16_t Compressed = 1;
inline constexpr std::uint16_t Lossless = 2;  ///< lossless compressed RAW, size L (Bayer data)
}  // namespace raw_file_type

/// Whether `model` (e.g. "ILCE-7M4") writes lossless-compressed RAW (ARW 4.0 and later).
bool offersLosslessRaw(std::string_view model) noexcept;

/// The 0xD288 values the body `model` offers: uncompressed and compressed, plus lossless on the
/// bodies of that generation.
std::vector<std::int64_t> rawFileTypesOf(std::string_view model);

}  // namespace sonyalpaca::ptp::sim
