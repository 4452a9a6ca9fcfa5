// SPDX-License-Identifier: GPL-3.0-or-later
#include "LoopbackCopy.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <thread>
#include <vector>

namespace sonyalpaca::bench {
Socket::Socket(int fd) : fd_(fd) {
    if (fd_ < 0) throw std::runtime_error("socket() failed");
    timeval timeout{20, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
}

Socket::~Socket() { ::close(fd_); }

double loopbackCopySeconds(std::size_t bytes, std::size_t chunk) {
    Socket listener(::socket(AF_INET, SOCK_STREAM, 0));
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t size = sizeof address;
    if (::bind(listener.fd(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::listen(listener.fd(), 1) != 0 ||
        ::getsockname(listener.fd(), reinterpret_cast<sockaddr*>(&address), &size) != 0)
        throw std::runtime_error("cannot listen on 127.0.0.1");
    const std::vector<std::uint8_t> block(std::size_t{1} << 20, 0x5A);
    const auto start = std::chrono::steady_clock::now();
    std::thread sender([&] {
        Socket out(::socket(AF_INET, SOCK_STREAM, 0));
        if (::connect(out.fd(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) return;
        for (std::size_t sent = 0; sent < bytes;) {
            const ssize_t n = ::send(out.fd(), block.data(), std::min(block.size(), bytes - sent), MSG_NOSIGNAL);
            if (n <= 0) return;
            sent += static_cast<std::size_t>(n);
        }
    });
    std::size_t got = 0;
    {
        Socket in(::accept(listener.fd(), nullptr, nullptr));
        std::vector<std::uint8_t> received(chunk > 0 ? chunk : bytes);
        while (got < bytes) {
            const std::size_t at = chunk > 0 ? 0 : got;
            const std::size_t room = chunk > 0 ? std::min(chunk, bytes - got) : bytes - got;
            const ssize_t n = ::recv(in.fd(), received.data() + at, room, 0);
            if (n <= 0) break;
            got += static_cast<std::size_t>(n);
        }
    }
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    sender.join();
    if (got != bytes) throw std::runtime_error("the loopback copy stopped early");
    return elapsed;
}

}  // namespace sonyalpaca::bench
