// SPDX-License-Identifier: GPL-3.0-or-later
#include "ptp/sim/PtpIpServer.hpp"

#include "config/Log.hpp"
#include "ptp/sim/ByteIo.hpp"
#include "ptp/sim/FrameSource.hpp"
#include "ptp/sim/PtpCodes.hpp"
#include "ptp/sim/VirtualBody.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <vector>

namespace sonyalpaca::ptp::sim {
namespace {
// PTP/IP packet types
constexpr std::uint32_t kInitCommandRequest = 1, kInitCommandAck = 2, kInitEventRequest = 3, kInitEventAck = 4,
                        kInitFail = 5, kOperationRequest = 6, kOperationResponse = 7, kEvent = 8, kStartData = 9,
                        kData = 10, kEndData = 12;
constexpr std::size_t kMaxPacket = 64u << 20;
constexpr std::size_t kDataChunk = 1u << 20;
/// How long a new host waits for the previous host's connection to wind down before it is refused.
constexpr std::chrono::seconds kHandOver{1};

/// The connection or the server ended; unwinds a connection's loop.
struct ConnectionClosed {};

class Channel {
public:
    Channel(int fd, int wake) : fd_(fd), wake_(wake) {}

    /// Reads exactly `size` bytes; waits as long as the peer is there and the server runs.
    void read(std::uint8_t* into, std::size_t size) {
        std::size_t done = 0;
        while (done < size) {
            pollfd fds[2] = {{fd_, POLLIN, 0}, {wake_, POLLIN, 0}};
            if (::poll(fds, 2, -1) < 0) {
                if (errno == EINTR) continue;
                throw ConnectionClosed{};
            }
            if (fds[1].revents) throw ConnectionClosed{};
            const ssize_t n = ::recv(fd_, into + done, size - done, 0);
            if (n <= 0) throw ConnectionClosed{};
            // Acknowledge at once: libgphoto2 writes a packet in pieces, and a delayed ACK against its
            // Nagle wait costs 40 ms per operation.
            const int yes = 1;
            ::setsockopt(fd_, IPPROTO_TCP, TCP_QUICKACK, &yes, sizeof yes);
            done += static_cast<std::size_t>(n);
        }
    }

    /// One packet: type and payload.
    std::pair<std::uint32_t, std::vector<std::uint8_t>> packet() {
        std::uint8_t header[8];
        read(header, sizeof header);
        ByteReader in(header);
        const std::uint32_t length = in.u32();
        const std::uint32_t type = in.u32();
        if (length < 8 || length > kMaxPacket) throw ConnectionClosed{};
        std::vector<std::uint8_t> payload(length - 8);
        if (!payload.empty()) read(payload.data(), payload.size());
        return {type, std::move(payload)};
    }

    void send(std::uint32_t type, std::span<const std::uint8_t> payload, std::span<const std::uint8_t> tail = {}) {
        ByteWriter header;
        header.u32(static_cast<std::uint32_t>(8 + payload.size() + tail.size()));
        header.u32(type);
        header.raw(payload);
        write(header.bytes().data(), header.bytes().size());
        if (!tail.empty()) write(tail.data(), tail.size());
    }

private:
    void write(const std::uint8_t* data, std::size_t size) {
        std::size_t done = 0;
        while (done < size) {
            const ssize_t n = ::send(fd_, data + done, size - done, MSG_NOSIGNAL);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) throw ConnectionClosed{};
            done += static_cast<std::size_t>(n);
        }
    }

    int fd_;
    int wake_;
};

/// Sends `file` as the data phase of `transaction`: StartData, then Data chunks and EndData. With
/// `drop`, only the first half goes out and the connection ends, as when a cable is pulled.
void sendFile(Channel& channel, std::uint32_t transaction, const CapturedFile& file, bool drop) {
    ByteWriter start;
    start.u32(transaction);
    start.u64(file.size);
    channel.send(kStartData, start.bytes());
    const std::size_t end = drop ? file.size / 2 : file.size;
    std::vector<std::uint8_t> chunk;
    std::size_t offset = 0;
    do {
        const std::size_t n = std::min(end - offset, kDataChunk);
        chunk.resize(n);
        file.read(offset, chunk);
        offset += n;
        ByteWriter head;
        head.u32(transaction);
        channel.send(offset == file.size ? kEndData : kData, head.bytes(), chunk);
    } while (offset < end);
    if (drop) {
        log::get("ptp")->info("simulated body: fault: connection dropped in mid-transfer");
        throw ConnectionClosed{};
    }
}

std::vector<std::uint8_t> guid() {
    return std::vector<std::uint8_t>{'s', 'o', 'n', 'y', 'a', 'l', 'p', 'a', 'c', 'a', '-', 's', 'i', 'm', '0', '1'};
}
}  // namespace

PtpIpServer::PtpIpServer(VirtualBody& body) : body_(body) {}

PtpIpServer::~PtpIpServer() { stop(); }

void PtpIpServer::start(const std::string& address, std::uint16_t port) {
    listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    const int yes = 1;
    ::setsockopt(listener_, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    sockaddr_in socket_address{};
    socket_address.sin_family = AF_INET;
    socket_address.sin_port = htons(port);
    if (::inet_pton(AF_INET, address.c_str(), &socket_address.sin_addr) != 1) {
        stop();
        throw std::runtime_error("simulated body: \"" + address + "\" is not an IPv4 address");
    }
    if (::bind(listener_, reinterpret_cast<sockaddr*>(&socket_address), sizeof socket_address) != 0 ||
        ::listen(listener_, 8) != 0) {
        const int error = errno;
        stop();
        throw std::runtime_error("simulated body: cannot listen on " + address + ":" + std::to_string(port) + ": " +
                                 std::strerror(error));
    }
    socklen_t size = sizeof socket_address;
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&socket_address), &size);
    port_ = ntohs(socket_address.sin_port);
    wake_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    body_.setEventSink([this](std::uint16_t code, std::uint32_t param) { sendEvent(code, param); });
    acceptor_ = std::thread([this] { acceptLoop(); });
    log::get("ptp")->info("simulated {} serving PTP/IP on {}:{}", body_.model().model, address, port_);
}

void PtpIpServer::stop() noexcept {
    body_.setEventSink(nullptr);
    if (wake_ >= 0) {
        const std::uint64_t one = 1;
        [[maybe_unused]] auto written = ::write(wake_, &one, sizeof one);
    }
    if (acceptor_.joinable()) acceptor_.join();
    std::list<Connection> connections;
    {
        std::lock_guard lock(mutex_);
        connections.splice(connections.end(), connections_);
    }
    for (auto& connection : connections) {
        ::shutdown(connection.fd, SHUT_RDWR);
        if (connection.thread.joinable()) connection.thread.join();
        ::close(connection.fd);
    }
    if (listener_ >= 0) ::close(listener_);
    if (wake_ >= 0) ::close(wake_);
    listener_ = wake_ = -1;
}

void PtpIpServer::acceptLoop() noexcept {
    while (true) {
        pollfd fds[2] = {{listener_, POLLIN, 0}, {wake_, POLLIN, 0}};
        if (::poll(fds, 2, -1) < 0 && errno != EINTR) return;
        if (fds[1].revents) return;
        if (!(fds[0].revents & POLLIN)) continue;
        const int fd = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0) continue;
        if (body_.faults().unplugged()) {  // no body there: the connection goes nowhere
            ::close(fd);
            continue;
        }
        const int yes = 1;
        ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
        std::lock_guard lock(mutex_);
        // Forget connections that have ended.
        for (auto it = connections_.begin(); it != connections_.end();) {
            if (it->done) {
                it->thread.join();
                ::close(it->fd);
                it = connections_.erase(it);
            } else {
                ++it;
            }
        }
        log::get("ptp")->debug("simulated body: connection accepted ({} open)", connections_.size() + 1);
        auto& connection = connections_.emplace_back();
        connection.fd = fd;
        connection.thread = std::thread([this, &connection] { serve(connection); });
    }
}

void PtpIpServer::serve(Connection& connection) noexcept {
    try {
        Channel channel(connection.fd, wake_);
        const auto [type, payload] = channel.packet();
        log::get("ptp")->debug("simulated body: connection opened with packet type {}", type);
        if (type == kInitCommandRequest)
            serveCommands(connection.fd);
        else if (type == kInitEventRequest)
            serveEvents(connection.fd);
        else
            log::get("ptp")->warn("simulated body: a connection began with packet type {}; closed", type);
    } catch (const ConnectionClosed&) {
    } catch (const std::exception& e) {
        log::get("ptp")->warn("simulated body: connection failed: {}", e.what());
    }
    ::shutdown(connection.fd, SHUT_RDWR);
    connection.done = true;
}

void PtpIpServer::serveCommands(int fd) {
    Channel channel(fd, wake_);
    {
        // A host that closed its connection and opened a new one at once (Disconnect, Connect) would
        // otherwise be refused while the old connection's thread has yet to see the close.
        std::unique_lock lock(mutex_);
        if (!command_released_.wait_for(lock, kHandOver, [this] { return !command_active_; })) {
            ByteWriter reason;
            reason.u32(1);  // busy: another host holds the body
            channel.send(kInitFail, reason.bytes());
            log::get("ptp")->warn("simulated body: refused a second host; one is connected already");
            return;
        }
        command_active_ = true;
    }
    struct Release {
        PtpIpServer& server;
        ~Release() {
            {
                std::lock_guard lock(server.mutex_);
                server.command_active_ = false;
            }
            server.command_released_.notify_all();
        }
    } release{*this};

    ByteWriter ack;
    ack.u32(++connection_number_);
    ack.raw(guid());
    ack.utf16z("sonyalpaca simulated body");
    ack.u32(0x00010000);
    channel.send(kInitCommandAck, ack.bytes());
    log::get("ptp")->info("simulated body: host connected");

    while (true) {
        auto [type, payload] = channel.packet();
        if (type != kOperationRequest) continue;  // stray data or unknown packets are skipped
        ByteReader in(payload);
        const std::uint32_t phase = in.u32();
        const std::uint16_t operation = in.u16();
        const std::uint32_t transaction = in.u32();
        std::vector<std::uint32_t> params;
        while (in.remaining() >= 4 && params.size() < 5) params.push_back(in.u32());

        std::vector<std::uint8_t> data;
        if (phase == 2) {  // the host sends data: StartData, then Data ... EndData (none if empty)
            auto [start_type, start] = channel.packet();
            ByteReader start_in(start);
            start_in.u32();
            const std::uint64_t total = start_type == kStartData ? start_in.u64() : 0;
            while (data.size() < total) {
                auto [data_type, chunk] = channel.packet();
                if (chunk.size() < 4) break;
                data.insert(data.end(), chunk.begin() + 4, chunk.end());
                if (data_type == kEndData) break;
            }
        }

        Faults& faults = body_.faults();
        if (faults.unplugged()) throw ConnectionClosed{};
        if (Faults::take(faults.slow_operations)) {
            pollfd wake{wake_, POLLIN, 0};
            ::poll(&wake, 1, static_cast<int>(faults.slow_reply_ms.load()));
        }
        OperationResult result = body_.handle(operation, params, data);
        ++operations_;
        if (result.data)
            result.file =
                std::make_shared<const CapturedFile>(CapturedFile::fromBytes(0, {}, 0, 0, std::move(*result.data)));
        if (result.file) {
            sendFile(channel, transaction, *result.file,
                     operation == code::GetObject && faults.drop_mid_transfer.exchange(false));
            if (operation == code::GetObject) body_.transferred(result.file);
        }
        ByteWriter response;
        response.u16(result.code);
        response.u32(transaction);
        for (auto p : result.params) response.u32(p);
        channel.send(kOperationResponse, response.bytes());
        if (faults.drop_after_operations > 0 && --faults.drop_after_operations == 0) {
            log::get("ptp")->info("simulated body: fault: connection dropped after operation 0x{:04x}", operation);
            throw ConnectionClosed{};
        }
    }
}

void PtpIpServer::unplug(std::chrono::milliseconds duration) {
    body_.faults().unplug(duration);
    log::get("ptp")->info("simulated body: fault: unplugged for {} ms", duration.count());
    dropConnections();
}

void PtpIpServer::dropConnections() noexcept {
    std::lock_guard lock(mutex_);
    for (auto& connection : connections_)
        if (!connection.done) ::shutdown(connection.fd, SHUT_RDWR);
}

void PtpIpServer::serveEvents(int fd) {
    Channel channel(fd, wake_);
    {
        std::lock_guard write_lock(event_write_mutex_);
        channel.send(kInitEventAck, {});
    }
    {
        std::lock_guard lock(mutex_);
        event_fd_ = fd;
    }
    try {
        while (true) channel.packet();  // the host sends nothing we act on; this notices the close
    } catch (const ConnectionClosed&) {
        std::lock_guard lock(mutex_);
        if (event_fd_ == fd) event_fd_ = -1;
        throw;
    }
}

void PtpIpServer::sendEvent(std::uint16_t code, std::uint32_t param) noexcept {
    int fd = -1;
    {
        std::lock_guard lock(mutex_);
        fd = event_fd_;
    }
    if (fd < 0) return;
    try {
        ByteWriter event;
        event.u16(code);
        event.u32(0xFFFFFFFF);
        event.u32(param);
        std::lock_guard write_lock(event_write_mutex_);
        Channel(fd, wake_).send(kEvent, event.bytes());
    } catch (const ConnectionClosed&) {
    }
}

}  // namespace sonyalpaca::ptp::sim
