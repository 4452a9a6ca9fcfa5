// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace sonyalpaca::ptp::gphoto {

/// True when a Sony device (USB vendor 0x054c) is on the USB bus. Quick: reads the bus's device
/// list, opens nothing. False when USB cannot be read at all.
bool sonyOnUsb() noexcept;

/// True when a TCP connection to host:port opens within `timeout` (a PTP/IP body listens there).
bool tcpReachable(const std::string& host, std::uint16_t port, std::chrono::milliseconds timeout) noexcept;

}  // namespace sonyalpaca::ptp::gphoto
