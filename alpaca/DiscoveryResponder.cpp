// SPDX-License-Identifier: GPL-3.0-or-later
#include "alpaca/DiscoveryResponder.hpp"

#include "config/Log.hpp"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <string>
#include <string_view>

namespace sonyalpaca::alpaca {
namespace {
constexpr std::string_view kRequest = "alpacadiscovery1";
constexpr const char* kIpv6Group = "ff12::a1:9aca";
constexpr int kInterfaceRescanMs = 5000;

void closeFd(int& fd) noexcept {
    if (fd >= 0) ::close(fd);
    fd = -1;
}

int openSocket(int family, std::uint16_t port, std::string& error) {
    const int fd = ::socket(family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) {
        error = std::strerror(errno);
        return -1;
    }
    const int yes = 1;
    // Required by the Alpaca spec (§5.8.2) so several Alpaca servers can share the discovery port.
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &yes, sizeof yes);
    int result = -1;
    if (family == AF_INET) {
        ::setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &yes, sizeof yes);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_port = htons(port);
        address.sin_addr.s_addr = htonl(INADDR_ANY);
        result = ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
    } else {
        ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &yes, sizeof yes);
        sockaddr_in6 address{};
        address.sin6_family = AF_INET6;
        address.sin6_port = htons(port);
        address.sin6_addr = in6addr_any;
        result = ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
    }
    if (result != 0) {
        error = std::strerror(errno);
        ::close(fd);
        return -1;
    }
    return fd;
}

/// The numeric text of an address as inet_ntop writes it ("::0001" → "::1"); unchanged if not one.
std::string canonical(const std::string& address) {
    unsigned char bytes[16] = {};
    char text[INET6_ADDRSTRLEN] = {};
    const int family = address.find(':') != std::string::npos ? AF_INET6 : AF_INET;
    if (::inet_pton(family, address.c_str(), bytes) != 1 || !::inet_ntop(family, bytes, text, sizeof text))
        return address;
    return text;
}

std::string addressText(const sockaddr* address) {
    char text[INET6_ADDRSTRLEN] = {};
    if (!address) return {};
    if (address->sa_family == AF_INET)
        ::inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(address)->sin_addr, text, sizeof text);
    else if (address->sa_family == AF_INET6)
        ::inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(address)->sin6_addr, text, sizeof text);
    return text;
}

bool contains(const std::vector<std::string>& list, const std::string& item) {
    return std::find(list.begin(), list.end(), item) != list.end();
}

std::uint16_t boundPort(int fd) {
    sockaddr_storage address{};
    socklen_t size = sizeof address;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size) != 0) return 0;
    return ntohs(address.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&address)->sin6_port
                                               : reinterpret_cast<sockaddr_in*>(&address)->sin_port);
}
}  // namespace

bool discoveryAnswers(const std::vector<std::string>& bind, const std::vector<DiscoveryInterface>& interfaces,
                      const std::string& destination, unsigned interface) {
    const bool v6 = destination.find(':') != std::string::npos;
    if (bind.empty() || contains(bind, "::") || (!v6 && contains(bind, "0.0.0.0"))) return true;
    if (contains(bind, destination)) return true;
    // A broadcast (IPv4) or multicast (IPv6) request: answered when it came in on an interface that
    // carries a bound address, whose address the answer then comes from.
    bool group = v6 ? destination.rfind("ff", 0) == 0 : destination == "255.255.255.255";
    const DiscoveryInterface* arrived = nullptr;
    for (const auto& entry : interfaces)
        if (entry.index == interface) {
            arrived = &entry;
            if (!v6 && contains(entry.broadcasts, destination)) group = true;
        }
    if (!group || !arrived) return false;
    for (const auto& address : arrived->addresses)
        if ((address.find(':') != std::string::npos) == v6 && contains(bind, address)) return true;
    return false;
}

DiscoveryResponder::DiscoveryResponder(std::uint16_t alpaca_port, std::vector<std::string> bind)
    : alpaca_port_(alpaca_port) {
    for (const auto& address : bind) bind_.push_back(canonical(address));
    everywhere_ = bind_.empty() || contains(bind_, "::");
}

DiscoveryResponder::~DiscoveryResponder() { stop(); }

void DiscoveryResponder::readInterfaces() noexcept {
    if (everywhere_) return;
    ifaddrs* list = nullptr;
    if (::getifaddrs(&list) != 0) return;
    std::vector<DiscoveryInterface> found;
    for (const ifaddrs* entry = list; entry; entry = entry->ifa_next) {
        if (!entry->ifa_addr || (entry->ifa_addr->sa_family != AF_INET && entry->ifa_addr->sa_family != AF_INET6))
            continue;
        const unsigned index = ::if_nametoindex(entry->ifa_name);
        auto at = std::find_if(found.begin(), found.end(), [&](const auto& each) { return each.index == index; });
        if (at == found.end()) at = found.insert(found.end(), DiscoveryInterface{index, {}, {}});
        at->addresses.push_back(addressText(entry->ifa_addr));
        if (entry->ifa_addr->sa_family == AF_INET && (entry->ifa_flags & IFF_BROADCAST) && entry->ifa_broadaddr)
            at->broadcasts.push_back(addressText(entry->ifa_broadaddr));
    }
    ::freeifaddrs(list);
    interfaces_ = std::move(found);
}

void DiscoveryResponder::start(std::uint16_t port) {
    auto logger = log::get("alpaca");
    std::string error;
    ipv4_ = openSocket(AF_INET, port, error);
    if (ipv4_ < 0)
        throw std::runtime_error("cannot open Alpaca discovery on UDP port " + std::to_string(port) + ": " + error +
                                 " (choose another with --discovery-port, or turn discovery off with --no-discovery)");
    port_ = boundPort(ipv4_);
    ipv6_ = openSocket(AF_INET6, port_, error);
    if (ipv6_ < 0) logger->warn("Alpaca discovery over IPv6 is off: UDP [::]:{}: {}", port_, error);
    wake_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (wake_ < 0) {
        const int code = errno;
        stop();
        throw std::runtime_error(std::string("cannot start Alpaca discovery: eventfd: ") + std::strerror(code));
    }
    const int yes = 1;
    ::setsockopt(ipv4_, IPPROTO_IP, IP_PKTINFO, &yes, sizeof yes);
    if (ipv6_ >= 0) ::setsockopt(ipv6_, IPPROTO_IPV6, IPV6_RECVPKTINFO, &yes, sizeof yes);
    readInterfaces();
    joinMulticastGroups();
    running_ = true;
    thread_ = std::thread([this] { run(); });
    std::string scope;
    for (const auto& address : bind_) scope += (scope.empty() ? "" : ", ") + address;
    logger->info("Alpaca discovery on UDP port {} (IPv4{}), answering AlpacaPort {}{}", port_,
                 ipv6_ >= 0 ? " and IPv6" : " only", alpaca_port_,
                 everywhere_ ? std::string() : " for requests to " + scope + " (as --bind)");
}

void DiscoveryResponder::stop() noexcept {
    if (thread_.joinable()) {
        const std::uint64_t one = 1;
        [[maybe_unused]] auto written = ::write(wake_, &one, sizeof one);
        thread_.join();
    }
    running_ = false;
    closeFd(ipv4_);
    closeFd(ipv6_);
    closeFd(wake_);
    joined_.clear();
}

void DiscoveryResponder::joinMulticastGroups() noexcept {
    if (ipv6_ < 0) return;
    ifaddrs* list = nullptr;
    if (::getifaddrs(&list) != 0) return;
    in6_addr group{};
    ::inet_pton(AF_INET6, kIpv6Group, &group);
    for (const ifaddrs* entry = list; entry; entry = entry->ifa_next) {
        if (!(entry->ifa_flags & IFF_UP) || !(entry->ifa_flags & IFF_MULTICAST)) continue;
        const unsigned index = ::if_nametoindex(entry->ifa_name);
        if (index == 0 || joined_.count(index)) continue;
        ipv6_mreq request{};
        request.ipv6mr_multiaddr = group;
        request.ipv6mr_interface = index;
        if (::setsockopt(ipv6_, IPPROTO_IPV6, IPV6_JOIN_GROUP, &request, sizeof request) == 0 || errno == EADDRINUSE) {
            joined_.insert(index);
            log::get("alpaca")->debug("discovery joined {} on {}", kIpv6Group, entry->ifa_name);
        }
    }
    ::freeifaddrs(list);
}

void DiscoveryResponder::answer(int fd) noexcept {
    // Drain everything queued; the socket is non-blocking.
    for (int i = 0; i < 64; ++i) {
        std::array<char, 512> buffer{};
        sockaddr_storage sender{};
        alignas(cmsghdr) std::array<char, 256> control{};
        iovec part{buffer.data(), buffer.size()};
        msghdr message{};
        message.msg_name = &sender;
        message.msg_namelen = sizeof sender;
        message.msg_iov = &part;
        message.msg_iovlen = 1;
        message.msg_control = control.data();
        message.msg_controllen = control.size();
        const ssize_t n = ::recvmsg(fd, &message, 0);
        if (n < 0) return;
        const socklen_t sender_size = message.msg_namelen;
        const std::string_view payload(buffer.data(), static_cast<std::size_t>(n));
        if (payload.find(kRequest) == std::string_view::npos) continue;
        if (!everywhere_) {
            // Where the request was sent to, and on which interface it came in.
            std::string destination;
            unsigned interface = 0;
            for (cmsghdr* header = CMSG_FIRSTHDR(&message); header; header = CMSG_NXTHDR(&message, header)) {
                char text[INET6_ADDRSTRLEN] = {};
                if (header->cmsg_level == IPPROTO_IP && header->cmsg_type == IP_PKTINFO) {
                    in_pktinfo info{};
                    std::memcpy(&info, CMSG_DATA(header), sizeof info);
                    ::inet_ntop(AF_INET, &info.ipi_addr, text, sizeof text);
                    interface = static_cast<unsigned>(info.ipi_ifindex);
                } else if (header->cmsg_level == IPPROTO_IPV6 && header->cmsg_type == IPV6_PKTINFO) {
                    in6_pktinfo info{};
                    std::memcpy(&info, CMSG_DATA(header), sizeof info);
                    ::inet_ntop(AF_INET6, &info.ipi6_addr, text, sizeof text);
                    interface = info.ipi6_ifindex;
                } else {
                    continue;
                }
                destination = text;
            }
            if (destination.empty() || !discoveryAnswers(bind_, interfaces_, destination, interface)) continue;
        }
        const std::string reply = "{\"AlpacaPort\":" + std::to_string(alpaca_port_) + "}";
        if (::sendto(fd, reply.data(), reply.size(), 0, reinterpret_cast<sockaddr*>(&sender), sender_size) >= 0)
            ++answered_;
    }
}

void DiscoveryResponder::run() noexcept {
    while (true) {
        std::array<pollfd, 3> fds{{{wake_, POLLIN, 0}, {ipv4_, POLLIN, 0}, {ipv6_, POLLIN, 0}}};
        const int ready = ::poll(fds.data(), ipv6_ >= 0 ? 3 : 2, kInterfaceRescanMs);
        if (ready < 0 && errno != EINTR) break;
        if (fds[0].revents) break;
        if (fds[1].revents & POLLIN) answer(ipv4_);
        if (ipv6_ >= 0 && (fds[2].revents & POLLIN)) answer(ipv6_);
        if (ready == 0) {
            readInterfaces();
            joinMulticastGroups();
        }
    }
    running_ = false;
}

}  // namespace sonyalpaca::alpaca
