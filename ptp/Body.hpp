// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <stdexcept>
#include <string>

namespace sonyalpaca::ptp {

/// No Sony body can be reached. The message says why and what the user can do about it.
class BodyUnavailable : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// The daemon's one door to a Sony body: the seam of docs/ARCHITECTURE.md. Nothing above it knows
/// whether a body on USB, one on PTP/IP or none at all stands behind it.
///
/// This is the connection part of the seam; settings, exposures and the focus drive are added with
/// the backend. All methods are thread-safe.
class Body {
public:
    virtual ~Body() = default;

    /// Opens the session with the body, or does nothing when it is open.
    /// Throws BodyUnavailable when no body can be reached.
    virtual void open() = 0;

    /// Closes the session; does nothing when it is closed.
    virtual void close() noexcept = 0;

    virtual bool isOpen() const noexcept = 0;

    /// Throws BodyUnavailable at once when open() cannot succeed right now (nothing is attached),
    /// so an asynchronous connect can refuse synchronously. Does not block.
    virtual void checkReachable() const = 0;

    /// One line for logs and status pages, e.g. "no body attached (camera source: auto)".
    virtual std::string describe() const = 0;
};

}  // namespace sonyalpaca::ptp
