// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace sonyalpaca::test {

/// A parsed HTTP response.
struct HttpReply {
    int status = 0;                              ///< 0 when the connection failed or closed without a reply
    std::map<std::string, std::string> headers;  ///< names in lower case
    std::string body;

    std::string header(const std::string& lower_case_name) const;
    /// The body as JSON; throws if it is not JSON.
    nlohmann::json json() const { return nlohmann::json::parse(body); }
};

/// Sends `raw` bytes as they are to host:port over TCP and reads the reply until the server closes
/// or the reply is complete (Content-Length). Bounded by `timeout`. With `end_sending`, the sending
/// side is shut after the bytes, so a server waiting for more of a truncated request sees the end
/// at once (cpp-httplib then closes without a reply).
HttpReply sendRaw(const std::string& host, std::uint16_t port, const std::string& raw,
                  std::chrono::milliseconds timeout = std::chrono::seconds(5), bool end_sending = false);

/// An open keep-alive connection to 127.0.0.1:port that has had one request answered and now sits
/// idle; closed when the object goes.
class IdleConnection {
public:
    explicit IdleConnection(std::uint16_t port);
    ~IdleConnection();
    IdleConnection(const IdleConnection&) = delete;
    IdleConnection& operator=(const IdleConnection&) = delete;
    /// True if the request was answered with HTTP 200.
    bool answered() const { return answered_; }

private:
    int fd_ = -1;
    bool answered_ = false;
};

/// Clients that send their request headers one byte at a time ("slowloris"), each on its own
/// connection to 127.0.0.1, from one thread, until they go (at most `limit`).
class SlowClients {
public:
    SlowClients(std::uint16_t port, int count, std::chrono::milliseconds every = std::chrono::milliseconds(100),
                std::chrono::seconds limit = std::chrono::seconds(10));
    ~SlowClients();
    SlowClients(const SlowClients&) = delete;
    SlowClients& operator=(const SlowClients&) = delete;
    std::size_t connected() const { return fds_.size(); }

private:
    std::vector<int> fds_;
    std::atomic<bool> stop_{false};
    std::thread thread_;
};

/// GET `target` (path and query) on 127.0.0.1:port with "Connection: close" and `extra_headers`
/// (each "Name: value\r\n").
HttpReply httpGet(std::uint16_t port, const std::string& target, const std::string& extra_headers = "");

/// `method` `path` with a form body (application/x-www-form-urlencoded) on 127.0.0.1:port.
HttpReply httpForm(std::uint16_t port, const std::string& method, const std::string& path, const std::string& body);

/// An Alpaca member of `device` ("focuser/0") on 127.0.0.1:port: GET, or PUT with a form body. The
/// reply's JSON; throws std::runtime_error when the HTTP status is not 200.
nlohmann::json alpacaGet(std::uint16_t port, const std::string& device, const std::string& member);
nlohmann::json alpacaPut(std::uint16_t port, const std::string& device, const std::string& member,
                         const std::string& form = "");

/// Sends `payload` by UDP to address:port and waits up to `timeout` for one reply.
std::optional<std::string> udpExchange(const std::string& address, std::uint16_t port, const std::string& payload,
                                       std::chrono::milliseconds timeout = std::chrono::seconds(2));

}  // namespace sonyalpaca::test
