// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "ptp/Body.hpp"

namespace sonyalpaca::ptp {

/// The body slot while no body can be reached: every attempt to open it fails with `reason`.
/// This is what the daemon serves when it was started for a body source this build cannot reach.
class AbsentBody final : public Body {
public:
    explicit AbsentBody(std::string reason) : reason_(std::move(reason)) {}

    void open() override { throw BodyUnavailable(reason_); }
    void close() noexcept override {}
    bool isOpen() const noexcept override { return false; }
    void checkReachable() const override { throw BodyUnavailable(reason_); }
    std::string describe() const override;

private:
    std::string reason_;
};

}  // namespace sonyalpaca::ptp
