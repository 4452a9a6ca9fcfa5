// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <string>

namespace sonyalpaca::alpaca {

/// An HTTP request as the router sees it, independent of the HTTP library.
struct HttpRequest {
    std::string method;        ///< "GET", "PUT", ...
    std::string path;          ///< percent-decoded path, e.g. "/api/v1/camera/0/name"
    std::string query;         ///< raw query string after '?', not decoded
    std::string body;
    std::string content_type;  ///< Content-Type header, or empty
    std::string remote;        ///< peer address, for logs
    /// A body was announced (Content-Length > 0 or Transfer-Encoding), even if the transport did
    /// not read it: cpp-httplib leaves the body of a GET unread.
    bool body_announced = false;
};

/// An HTTP response as the router builds it.
struct HttpResponse {
    int status = 200;
    std::string content_type;
    std::string body;

    static HttpResponse json(std::string body) { return {200, "application/json; charset=utf-8", std::move(body)}; }
    /// 400 with a plain-text message (Alpaca: "the request could not be understood").
    static HttpResponse badRequest(std::string message) {
        return {400, "text/plain; charset=utf-8", std::move(message) + "\n"};
    }
};

}  // namespace sonyalpaca::alpaca
