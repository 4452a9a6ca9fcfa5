// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstddef>

namespace sonyalpaca::bench {

/// A socket closed at the end of the scope; reads and writes time out after 20 s, so a stuck
/// bench fails instead of hanging. Throws std::runtime_error for a failed socket() (fd < 0).
class Socket {
public:
    explicit Socket(int fd);
    ~Socket();
    Socket(const Socket&) = delete;
    Socket& operator=(const Socket&) = delete;
    int fd() const { return fd_; }

private:
    int fd_;
};

/// The yardstick of the benches: sends `bytes` over a fresh TCP connection on 127.0.0.1 in 1 MiB
/// writes and receives them on the other side, into one buffer of all the bytes (as a client
/// keeping an image does) or, with `chunk` > 0, into a buffer of that size reused. The time from
/// connect to the last byte, in seconds. Reads and writes time out after 20 s; throws
/// std::runtime_error when the copy cannot be made or stops early.
double loopbackCopySeconds(std::size_t bytes, std::size_t chunk = 0);

}  // namespace sonyalpaca::bench
