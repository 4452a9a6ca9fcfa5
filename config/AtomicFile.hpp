// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <filesystem>
#include <string_view>

namespace sonyalpaca::config {

/// Replaces `path` with `content` atomically: written to a temporary file in the same directory,
/// flushed to disk, then renamed over the old file, so a crash or power loss leaves either the old
/// or the new content, never a mix. Creates missing parent directories. Throws std::system_error.
void writeFileAtomically(const std::filesystem::path& path, std::string_view content);

}  // namespace sonyalpaca::config
