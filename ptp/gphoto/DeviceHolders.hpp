// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace sonyalpaca::ptp::gphoto {

/// A process that has a file open.
struct Holder {
    int pid = 0;
    std::string name;  ///< from /proc/PID/comm, e.g. "gvfsd-gphoto2"
};

/// The processes (other than this one) that have `path` open, found through /proc/*/fd. Processes
/// whose descriptors this user may not read are not seen. Never throws.
std::vector<Holder> processesHolding(const std::filesystem::path& path) noexcept;

/// The device node of the first Sony (054c) USB device: /dev/bus/usb/BBB/DDD, or empty.
std::filesystem::path sonyUsbDeviceNode() noexcept;

}  // namespace sonyalpaca::ptp::gphoto
