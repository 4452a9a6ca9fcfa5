// SPDX-License-Identifier: GPL-3.0-or-later
#include "ptp/gphoto/FdZeroGuard.hpp"

#include <sys/syscall.h>
#include <unistd.h>

namespace sonyalpaca::ptp::gphoto {
namespace {
thread_local bool guard_fd_zero = false;
}

void guardFdZeroOnThisThread() noexcept { guard_fd_zero = true; }

bool fdZeroGuarded() noexcept { return guard_fd_zero; }

}  // namespace sonyalpaca::ptp::gphoto

// The interposed close(): see FdZeroGuard.hpp.
extern "C" int close(int fd) {
    if (fd == 0 && sonyalpaca::ptp::gphoto::fdZeroGuarded()) return 0;
    return static_cast<int>(::syscall(SYS_close, fd));
}
