// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <filesystem>
#include <map>
#include <mutex>
#include <string>

namespace sonyalpaca::alpaca {

/// The Alpaca UniqueIDs of the devices, created once (random UUIDs) and kept in the state directory,
/// so that clients recognise the same devices after a restart (API Reference §4.2.3).
class UniqueIdStore {
public:
    /// Reads `file` if it exists. A damaged file is moved aside (FILE.damaged) and logged.
    explicit UniqueIdStore(std::filesystem::path file);

    /// The ID for `key` (e.g. "camera/0"); a new one is created and saved at once if there is none.
    /// Throws std::system_error when the state directory cannot be written.
    std::string idFor(const std::string& key);

private:
    std::filesystem::path file_;
    std::mutex mutex_;
    std::map<std::string, std::string> ids_;
};

/// A random (version 4) UUID in its 36-character text form.
std::string randomUuid();

}  // namespace sonyalpaca::alpaca
