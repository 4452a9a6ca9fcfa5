// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "config/LensDatabase.hpp"
#include "ptp/Body.hpp"

#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <stdexcept>
#include <array>
#include <memory>
#include <mutex>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

namespace sonyalpaca::test {

/// A body for the device tests: it opens after `delay`, or fails with `failure` when that is set;
/// with `unreachable` set it refuses even to be tried; counts opens and closes. Its lens has the
/// step lengths of testLens() exactly, no jitter, and stops hard at 0 and its travel.
class TestBody final : public ptp::Body {
public:
    std::atomic<int> opens{0};
    std::atomic<int> closes{0};
    std::atomic<bool> open_{false};
    std::string failure;
    std::string unreachable;
    std::chrono::milliseconds delay{0};
    bool focus_drive = true;
    std::atomic<bool> exposing{false};
    std::atomic<int> focus_steps{0};
    std::array<double, 7> step_lengths{1, 2.5, 6, 15, 40, 60, 100};
    double travel = 100;
    std::string focus_failure;  ///< when set, focus steps fail with it
    /// Lost and being reconnected: focus steps throw BodyAway, state() is Reconnecting.
    std::atomic<bool> away{false};
    std::atomic<std::uint64_t> session_count{1};
    /// Back from being away: a new session.
    void comeBack() {
        ++session_count;
        away = false;
    }

    double lensPosition() const {
        std::lock_guard lock(lens_mutex_);
        return lens_position_;
    }
    void setLensPosition(double position) {
        std::lock_guard lock(lens_mutex_);
        lens_position_ = position;
    }

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
        if (away) return ptp::BodyState::Reconnecting;
        if (!open_) return ptp::BodyState::Disconnected;
        return exposing ? ptp::BodyState::Exposing : ptp::BodyState::Idle;
    }
    std::uint64_t sessions() const noexcept override { return session_count; }
    ptp::Exposure expose(double, std::stop_token) override { throw ptp::BodyError("no exposures here"); }
    bool hasFocusDrive() override { return focus_drive; }
    void focusStep(int size, int direction) override {
        if (!focus_drive) throw ptp::BodyError("no focus drive here");
        if (!focus_failure.empty()) throw ptp::BodyError(focus_failure);
        if (away) throw ptp::BodyAway("the body is away (the connection was lost); reconnecting as soon as it answers");
        std::lock_guard lock(lens_mutex_);
        const double length = step_lengths.at(static_cast<std::size_t>(size - 1));
        lens_position_ = std::clamp(lens_position_ + (direction < 0 ? -length : length), 0.0, travel);
        ++focus_steps;
    }
    std::vector<std::uint8_t> liveView() override { return {}; }

private:
    mutable std::mutex lens_mutex_;
    double lens_position_ = 50;
};

/// The profile of TestBody's lens ("TESTLENS"), with 1 ms steps so tests run fast.
inline config::LensEntry testLens(const TestBody& body) {
    config::LensEntry lens;
    lens.maker = "Test";
    lens.model_id = "TESTLENS";
    lens.name = "test lens";
    for (std::size_t k = 0; k < 7; ++k) lens.full_travel_moves[k] = body.travel / body.step_lengths[k];
    lens.step_time_ms = std::array<double, 7>{1, 1, 1, 1, 1, 1, 1};
    lens.jitter = 0.0;
    lens.source = "test";
    return lens;
}

/// A state directory for one test, removed afterwards.
struct TestStateDir {
    std::filesystem::path path;
    TestStateDir() {
        std::string pattern = (std::filesystem::temp_directory_path() / "sonyalpaca-test.XXXXXX").string();
        if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
        path = pattern;
    }
    ~TestStateDir() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
    TestStateDir(const TestStateDir&) = delete;
    TestStateDir& operator=(const TestStateDir&) = delete;
};

/// A lens database with testLens() only.
inline std::shared_ptr<const config::LensDatabase> testLenses(const TestBody& body) {
    return std::make_shared<const config::LensDatabase>(config::LensDatabase::fromEntries({testLens(body)}));
}

}  // namespace sonyalpaca::test
