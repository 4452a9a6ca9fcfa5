// SPDX-License-Identifier: GPL-3.0-or-later
#include "ptp/sim/RawFileTypes.hpp"

#include <algorithm>
#include <array>

namespace sonyalpaca::ptp::sim {
namespace {

// The bodies that offer "Lossless Compressed RAW", from Sony's published specifications as far as
// they were known here (they could not be fetched to check) and lclevy/sony_raw's table of ARW
// versions (a1, a7 IV, a7R V: ARW 4.0; a6700: 4.0.1; a9 III: 5.0; a1 II: 5.0.1). The only place that
// lists them: issue 15 will move the RAW types of each body into data/sony-bodies.json.
constexpr std::array<std::string_view, 9> kLosslessBodies{
    "ILCE-1",     // a1 (2021), the first
    "ILCE-1M2",   // a1 II
    "ILCE-7M4",   // a7 IV
    "ILCE-7RM5",  // a7R V
    "ILCE-7CM2",  // a7C II
    "ILCE-7CR",   // a7CR
    "ILCE-6700",  // a6700
    "ILCE-9M3",   // a9 III
    "ZV-E1",
};

}  // namespace

bool offersLosslessRaw(std::string_view model) noexcept {
    return std::find(kLosslessBodies.begin(), kLosslessBodies.end(), model) != kLosslessBodies.end();
}

std::vector<std::int64_t> rawFileTypesOf(std::string_view model) {
    std::vector<std::int64_t> types{raw_file_type::Uncompressed, raw_file_type::Compressed};
    if (offersLosslessRaw(model)) types.push_back(raw_file_type::Lossless);
    return types;
}

}  // namespace sonyalpaca::ptp::sim
