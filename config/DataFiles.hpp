// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <filesystem>
#include <string_view>

namespace sonyalpaca::config {

/// Finds a shipped data file (sony-lenses.json, sony-bodies.json). Looks in $SONYALPACA_DATA_DIR, then
/// ../share/sonyalpaca beside the running executable, then the install directory, then the source
/// tree (for a daemon run from its build directory). Throws std::runtime_error listing where it looked.
std::filesystem::path findDataFile(std::string_view name);

}  // namespace sonyalpaca::config
