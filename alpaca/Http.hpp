// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace sonyalpaca::alpaca {

/// An HTTP request as the router sees it, independent of the HTTP library.
struct HttpRequest {
    std::string method;  ///< "GET", "PUT", ...
    std::string path;    ///< percent-decoded path, e.g. "/api/v1/camera/0/name"
    std::string query;   ///< raw query string after '?', not decoded
    std::string body;
    std::string content_type;  ///< Content-Type header, or empty
    std::string remote;        ///< peer address, for logs
    /// A body was announced (Content-Length > 0 or Transfer-Encoding), even if the transport did
    /// not read it: cpp-httplib leaves the body of a GET unread.
    bool body_announced = false;
    std::string accept{};   ///< Accept header, or empty
    std::string host{};     ///< Host header, or empty (the setup pages check Origin and Referer against it)
    std::string origin{};   ///< Origin header, or empty
    std::string referer{};  ///< Referer header, or empty
};

/// A response body too large to hold as one string (an image of tens of megabytes): handed to the
/// transport piece by piece, straight from where its bytes live, with its length known before the
/// first byte. The transport sends it with a Content-Length and never compresses it.
///
/// One source serves one response; the transport calls read() from one thread at a time.
class BodySource {
public:
    virtual ~BodySource() = default;

    /// Bytes in the whole body.
    virtual std::size_t size() const noexcept = 0;

    /// The body's bytes from `offset` on: a view of 1 to `max` bytes, valid until the next call or
    /// until the source goes. Requires offset < size() and max > 0; offsets may come in any order
    /// (a retry, a range request). Throws on failure; the transport then drops the connection.
    virtual std::span<const char> read(std::size_t offset, std::size_t max) = 0;
};

/// An HTTP response as the router builds it.
struct HttpResponse {
    int status = 200;
    std::string content_type;
    std::string body;
    /// When set, the body comes from here instead of `body` (streamed; see BodySource).
    std::shared_ptr<BodySource> source{};
    /// Further headers (name, value), e.g. the setup pages' X-Frame-Options and Content-Security-Policy.
    std::vector<std::pair<std::string, std::string>> headers{};

    static HttpResponse json(std::string body) { return {200, "application/json; charset=utf-8", std::move(body), {}}; }
    /// 400 with a plain-text message (Alpaca: "the request could not be understood").
    static HttpResponse badRequest(std::string message) {
        return {400, "text/plain; charset=utf-8", std::move(message) + "\n", {}};
    }
    /// 200 with a streamed body of `content_type`.
    static HttpResponse streamed(std::string content_type, std::shared_ptr<BodySource> source) {
        return {200, std::move(content_type), {}, std::move(source)};
    }
};

}  // namespace sonyalpaca::alpaca
