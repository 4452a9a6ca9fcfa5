// SPDX-License-Identifier: GPL-3.0-or-later
#include "ptp/sim/RawFileTypes.hpp"

namespace sonyalpaca::ptp::sim {

std::vector<std::int64_t> rawFileTypesOf(const config::BodyEntry& body) {
    std::vector<std::int64_t> types;
    for (const auto& type : body.raw_types) {
        if (type == "uncompressed")
            types.push_back(raw_file_type::Uncompressed);
        else if (type == "compressed")
            types.push_back(raw_file_type::Compressed);
        else if (type == "lossless")
            types.push_back(raw_file_type::Lossless);
    }
    if (types.empty()) types = {raw_file_type::Uncompressed, raw_file_type::Compressed};
    return types;
}

}  // namespace sonyalpaca::ptp::sim
