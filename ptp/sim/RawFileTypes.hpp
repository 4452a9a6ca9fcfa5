// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "config/BodyDatabase.hpp"

#include <cstdint>
#include <vector>

namespace sonyalpaca::ptp::sim {

/// Values of the RAW file type property 0xD288, in the Camera Remote SDK's numbering (not verified
/// on a body).
namespace raw_file_type {
inline constexpr std::uint16_t Uncompressed = 0;
inline constexpr std::uint16_t Compressed = 1;
inline constexpr std::uint16_t Lossless = 2;  ///< lossless compressed RAW, size L (Bayer data)
}  // namespace raw_file_type

/// The 0xD288 values `body` offers, in the data's order (sony-bodies.json raw_types: e.g. compressed
/// only on the a7 and a6000 generations, lossless from the a1 on); uncompressed and compressed for
/// a row that lists none.
std::vector<std::int64_t> rawFileTypesOf(const config::BodyEntry& body);

}  // namespace sonyalpaca::ptp::sim
