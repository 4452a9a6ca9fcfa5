// SPDX-License-Identifier: GPL-3.0-or-later
#include "config/DataFiles.hpp"

#include <cstdlib>
#include <stdexcept>
#include <string>
#include <vector>

namespace sonyalpaca::config {

std::filesystem::path findDataFile(std::string_view name) {
    std::vector<std::filesystem::path> candidates;
    if (const char* dir = std::getenv("SONYALPACA_DATA_DIR"); dir && *dir) candidates.emplace_back(dir);
    std::error_code ec;
    const auto executable = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (!ec) candidates.push_back(executable.parent_path().parent_path() / "share" / "sonyalpaca");
    candidates.emplace_back(SONYALPACA_INSTALL_DATADIR);
    candidates.emplace_back(SONYALPACA_SOURCE_DATADIR);
    std::string looked;
    for (const auto& dir : candidates) {
        const auto path = dir / name;
        if (std::filesystem::is_regular_file(path, ec)) return path;
        looked += (looked.empty() ? "" : ", ") + dir.string();
    }
    throw std::runtime_error("cannot find the data file " + std::string(name) + " (looked in " + looked +
                             "); reinstall sonyalpaca or set SONYALPACA_DATA_DIR");
}

}  // namespace sonyalpaca::config
