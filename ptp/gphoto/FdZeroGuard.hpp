// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

namespace sonyalpaca::ptp::gphoto {

/// libgphoto2's PTP/IP disconnect closes file descriptor 0 (2.5.30 in Debian 12, still 2.5.31 in
/// Debian 13, checked): it closes the Fuji-only `jpgfd`,
/// which plain PTP/IP never sets and so is 0 (ptpip.c, ptp_ptpip_disconnect). Once fd 0 is free the
/// next socket or file of any thread gets it, and the next disconnect closes that one: a listening
/// socket or an HTTP connection of the daemon. This guard makes close(0) a no-op on the calling
/// thread; the libgphoto2 worker thread turns it on for its whole life.
///
/// It works by defining close() in the executable (exported with --export-dynamic-symbol=close,
/// see CMakeLists.txt), which libgphoto2's plugins then call; every other call goes to the kernel
/// unchanged.
void guardFdZeroOnThisThread() noexcept;

/// True on a thread that called guardFdZeroOnThisThread().
bool fdZeroGuarded() noexcept;

}  // namespace sonyalpaca::ptp::gphoto
