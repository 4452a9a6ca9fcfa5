// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "ptp/Body.hpp"

namespace sonyalpaca::ptp {

/// The body slot while no body can be reached: every attempt to use it fails with `reason`.
class AbsentBody final : public Body {
public:
    explicit AbsentBody(std::string reason) : reason_(std::move(reason)) {}

    void open() override { fail(); }
    void close() noexcept override {}
    bool isOpen() const noexcept override { return false; }
    void checkReachable() const override { fail(); }
    std::string describe() const override { return reason_; }
    BodyIdentity identity() override { fail(); }
    std::vector<std::string> isoChoices() override { fail(); }
    std::string iso() override { fail(); }
    void setIso(const std::string&) override { fail(); }
    std::vector<std::string> rawTypes() override { fail(); }
    std::string rawType() override { fail(); }
    void setRawType(const std::string&) override { fail(); }
    std::vector<double> shutterSpeeds() override { fail(); }
    BodyState state() const noexcept override { return BodyState::Disconnected; }
    Exposure expose(double, std::stop_token) override { fail(); }
    bool hasFocusDrive() override { fail(); }
    void focusStep(int, int) override { fail(); }
    std::vector<std::uint8_t> liveView() override { fail(); }

private:
    [[noreturn]] void fail() const { throw BodyUnavailable(reason_); }
    std::string reason_;
};

}  // namespace sonyalpaca::ptp
