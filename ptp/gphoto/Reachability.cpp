// SPDX-License-Identifier: GPL-3.0-or-later
#include "ptp/gphoto/Reachability.hpp"

#include <libusb.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

namespace sonyalpaca::ptp::gphoto {

bool sonyOnUsb() noexcept {
    libusb_context* context = nullptr;
    if (libusb_init(&context) != 0) return false;
    libusb_device** devices = nullptr;
    const ssize_t count = libusb_get_device_list(context, &devices);
    bool found = false;
    for (ssize_t i = 0; i < count && !found; ++i) {
        libusb_device_descriptor descriptor{};
        if (libusb_get_device_descriptor(devices[i], &descriptor) == 0 && descriptor.idVendor == 0x054c) found = true;
    }
    if (count >= 0) libusb_free_device_list(devices, 1);
    libusb_exit(context);
    return found;
}

bool tcpReachable(const std::string& host, std::uint16_t port, std::chrono::milliseconds timeout) noexcept {
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    addrinfo* found = nullptr;
    if (::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found) != 0) return false;
    bool reachable = false;
    for (addrinfo* a = found; a && !reachable; a = a->ai_next) {
        const int fd = ::socket(a->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0) continue;
        if (::connect(fd, a->ai_addr, a->ai_addrlen) == 0) {
            reachable = true;
        } else if (errno == EINPROGRESS) {
            pollfd poll_fd{fd, POLLOUT, 0};
            int error = 0;
            socklen_t size = sizeof error;
            reachable = ::poll(&poll_fd, 1, static_cast<int>(timeout.count())) == 1 &&
                        ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &size) == 0 && error == 0;
        }
        ::close(fd);
    }
    ::freeaddrinfo(found);
    return reachable;
}

}  // namespace sonyalpaca::ptp::gphoto
