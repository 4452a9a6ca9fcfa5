// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "alpaca/Member.hpp"

#include <string>
#include <string_view>

namespace sonyalpaca::alpaca {

/// What the router needs of an Alpaca device. Thread-safe: members run on the HTTP server's threads.
class Device {
public:
    virtual ~Device() = default;

    /// The ASCOM device type as the management API spells it: "Camera", "Focuser".
    virtual std::string_view deviceType() const noexcept = 0;

    /// A short name for people (management API DeviceName).
    virtual std::string deviceName() const = 0;

    /// The member at `route` (lower case) for `verb`, or nullptr.
    virtual const Member* findMember(std::string_view route, Verb verb) const noexcept = 0;

    /// True if `route` is a member for any verb (to tell "wrong verb" from "unknown member").
    virtual bool hasMember(std::string_view route) const noexcept = 0;

    /// Throws the Alpaca error of the first of `member`'s needs the device does not meet now.
    virtual void admit(const Member& member) const = 0;

    /// Stops background work (an asynchronous connect, ...) before the daemon exits. Idempotent.
    virtual void shutdown() noexcept = 0;
};

}  // namespace sonyalpaca::alpaca
