// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sonyalpaca::alpaca {

/// Which Host headers the daemon answers: the defence against DNS rebinding, where a web page of
/// another site points its own name at this machine's address and then reads and drives the setup
/// pages and the Alpaca API from the browser (the browser sends that foreign name as Host, and as
/// Origin, so a same-origin check alone does not see it).
///
/// Allowed: an IPv4 literal, a bracketed IPv6 literal (with a zone), `localhost`, this machine's host
/// name with and without its domain and with `.local` (mDNS) or `.lan`, and the names of the
/// `allowed_hosts` setting; each with or without a port, in any casing, with or without a final dot.
/// A request without Host (HTTP/1.0) is allowed: a browser always sends one, so rebinding never
/// arrives without it. Everything else is answered 403 by the Router.
///
/// Immutable after construction: thread-safe.
class HostCheck {
public:
    /// Allows every Host (a test router that does not check).
    HostCheck() = default;
    /// `machine`: this machine's host name (gethostname); `extra`: further names (allowed_hosts).
    HostCheck(const std::string& machine, const std::vector<std::string>& extra);

    /// True when a request with this Host header may be served.
    bool allows(std::string_view host) const;

    /// The reason of a refusal, for the 403 body: what is allowed and which setting adds a name.
    std::string refusal(std::string_view host) const;

    /// The host name part of a Host header (lower case, without port, brackets or final dot); empty
    /// when the header is malformed.
    static std::string nameOf(std::string_view host);

private:
    bool checking_ = false;
    std::vector<std::string> names_;  // lower case, without a final dot
};

}  // namespace sonyalpaca::alpaca
