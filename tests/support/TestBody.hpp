// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "ptp/Body.hpp"

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

namespace sonyalpaca::test {

/// A body for the device tests: it opens after `delay`, or fails with `failure` when that is set;
/// with `unreachable` set it refuses even to be tried; counts opens and closes.
class TestBody final : public ptp::Body {
public:
    std::atomic<int> opens{0};
    std::atomic<int> closes{0};
    std::atomic<bool> open_{false};
    std::string failure;
    std::string unreachable;
    std::chrono::milliseconds delay{0};

    void open() override {
        std::this_thread::sleep_for(delay);
        if (!unreachable.empty()) throw ptp::BodyUnavailable(unreachable);
        if (!failure.empty()) throw ptp::BodyUnavailable(failure);
        if (!open_.exchange(true)) ++opens;
    }
    void close() noexcept override {
        if (open_.exchange(false)) ++closes;
    }
    bool isOpen() const noexcept override { return open_; }
    void checkReachable() const override {
        if (!unreachable.empty()) throw ptp::BodyUnavailable(unreachable);
    }
    std::string describe() const override { return unreachable.empty() ? "test body" : unreachable; }
    // The rest of the seam is not what these tests are about.
    ptp::BodyIdentity identity() override { return {"Sony", "TEST", "1", "1"}; }
    std::vector<std::string> isoChoices() override { return {"100"}; }
    std::string iso() override { return "100"; }
    void setIso(const std::string&) override {}
    std::vector<double> shutterSpeeds() override { return {1.0}; }
    std::vector<std::string> rawTypes() override { return {}; }
    std::string rawType() override { return {}; }
    void setRawType(const std::string&) override {}
    ptp::BodyState state() const noexcept override {
        return open_ ? ptp::BodyState::Idle : ptp::BodyState::Disconnected;
    }
    ptp::Exposure expose(double, std::stop_token) override { throw ptp::BodyError("no exposures here"); }
    bool hasFocusDrive() override { return false; }
    void focusStep(int, int) override { throw ptp::BodyError("no focus drive here"); }
    std::vector<std::uint8_t> liveView() override { return {}; }
};

}  // namespace sonyalpaca::test
