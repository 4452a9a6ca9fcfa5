// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "config/LensDatabase.hpp"
#include "ptp/Body.hpp"
#include "ptp/sim/sky/ArwFile.hpp"

#include <stdlib.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace sonyalpaca::test {

/// The value smallArw() writes at (x, y).
inline std::uint16_t smallArwValue(unsigned x, unsigned y) {
    return static_cast<std::uint16_t>(512 + (x * 7 + y * 131) % 9000);
}

/// A small ARW file (uncompressed, RGGB, `width` x `height`, every photosite smallArwValue() of its
/// place) that LibRaw 0.20.2 decodes, with the given ISO and sensor temperature.
inline std::vector<std::uint8_t> smallArw(unsigned width = 64, unsigned height = 48, unsigned iso = 800,
                                          double sensor_c = 12, double ambient_c = -5) {
    ptp::sim::RawImage image;
    image.layout = {width, height, 0, 0, width, height};
    image.pixels.resize(std::size_t{width} * height);
    for (unsigned y = 0; y < height; ++y)
        for (unsigned x = 0; x < width; ++x) image.pixels[std::size_t{y} * width + x] = smallArwValue(x, y);
    ptp::sim::ArwInfo info;
    info.iso = iso;
    info.sensor_temperature_c = sensor_c;
    info.ambient_temperature_c = ambient_c;
    return ptp::sim::writeArw(image, info, ptp::sim::ArwKind::Uncompressed);
}

/// An exposure of `seconds` (or until stopped), then smallArw().
inline ptp::Exposure timedExposure(double seconds, std::stop_token stop) {
    const auto start = std::chrono::system_clock::now();
    std::mutex mutex;
    std::condition_variable_any wake;
    std::unique_lock lock(mutex);
    wake.wait_for(lock, stop, std::chrono::duration<double>(seconds), [] { return false; });
    const double taken = std::chrono::duration<double>(std::chrono::system_clock::now() - start).count();
    return {smallArw(), "DSC00001.ARW", stop.stop_requested() ? taken : seconds, start};
}

/// The one fake ptp::Body of the unit tests. It opens after `delay`, or fails with `failure` when that
/// is set; with `unreachable` set it refuses even to be tried; counts opens and closes. Its lens has
/// the step lengths of testLens() exactly, no jitter, and stops hard at 0 and its travel. Its
/// exposures run `exposure` (on the camera's exposure thread; none by default), and a gate lets a
/// test hold them until it opens it. TestBody(Camera{}) is the camera tests' body.
class TestBody final : public ptp::Body {
public:
    /// An ILCE-7M3 with its ISOs, RAW types and shutter speeds and no focus drive, whose exposures
    /// are timedExposure().
    struct Camera {};

    TestBody() = default;
    explicit TestBody(Camera)
        : model("ILCE-7M3"),
          isos{"Auto ISO", "100", "200", "400", "800", "1600"},
          current_iso("800"),
          raw_types{"Uncompressed RAW", "Compressed RAW", "Lossless Compressed RAW"},
          current_raw_type("Uncompressed RAW"),
          shutter_speeds{30, 2, 1, 0.5, 0.01, 1.0 / 8000},
          exposure(timedExposure),
          focus_drive(false) {}

    std::atomic<int> opens{0};
    std::atomic<int> closes{0};
    std::string failure;
    std::string unreachable;
    std::chrono::milliseconds delay{0};
    /// Lost and being reconnected: focus steps throw BodyAway, state() is Reconnecting.
    std::atomic<bool> away{false};
    std::atomic<std::uint64_t> session_count{1};

    std::string model = "TEST";
    std::vector<std::string> isos{"100"};
    std::string current_iso = "100";
    std::vector<std::string> raw_types;
    std::string current_raw_type;
    std::vector<double> shutter_speeds{1.0};

    std::function<ptp::Exposure(double seconds, std::stop_token stop)> exposure;
    std::atomic<int> exposures{0};
    std::atomic<bool> exposing{false};
    std::atomic<bool> downloading{false};

    /// What liveView() returns (nothing by default); counted in live_views.
    std::function<std::vector<std::uint8_t>()> live_view;
    std::atomic<int> live_views{0};

    bool focus_drive = true;
    std::string focus_failure;  ///< when set, focus steps fail with it
    std::atomic<int> focus_steps{0};
    std::array<double, 7> step_lengths{1, 2.5, 6, 15, 40, 60, 100};
    double travel = 100;

    /// Back from being away: a new session.
    void comeBack() {
        ++session_count;
        away = false;
    }

    double lensPosition() const {
        std::lock_guard lock(mutex_);
        return lens_position_;
    }
    void setLensPosition(double position) {
        std::lock_guard lock(mutex_);
        lens_position_ = position;
    }

    /// Holds exposures until openGate() (or stop).
    void closeGate() {
        std::lock_guard lock(mutex_);
        gate_open_ = false;
    }
    void openGate() {
        {
            std::lock_guard lock(mutex_);
            gate_open_ = true;
        }
        gate_.notify_all();
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
    ptp::BodyIdentity identity() override { return {"Sony", model, "1", "1"}; }
    std::vector<std::string> isoChoices() override { return isos; }
    std::string iso() override { return current_iso; }
    void setIso(const std::string& value) override { current_iso = value; }
    std::vector<std::string> rawTypes() override { return raw_types; }
    std::string rawType() override { return current_raw_type; }
    void setRawType(const std::string& type) override { current_raw_type = type; }
    std::vector<double> shutterSpeeds() override { return shutter_speeds; }
    ptp::BodyState state() const noexcept override {
        if (away) return ptp::BodyState::Reconnecting;
        if (downloading) return ptp::BodyState::Downloading;
        if (!open_) return ptp::BodyState::Disconnected;
        return exposing ? ptp::BodyState::Exposing : ptp::BodyState::Idle;
    }
    std::uint64_t sessions() const noexcept override { return session_count; }
    ptp::Exposure expose(double seconds, std::stop_token stop) override {
        ++exposures;
        {
            std::unique_lock lock(mutex_);
            gate_.wait_for(lock, stop, std::chrono::seconds(20), [this] { return gate_open_; });
        }
        if (!exposure) throw ptp::BodyError("no exposures here");
        return exposure(seconds, stop);
    }
    bool hasFocusDrive() override { return focus_drive; }
    void focusStep(int size, int direction) override {
        if (!focus_drive) throw ptp::BodyError("no focus drive here");
        if (!focus_failure.empty()) throw ptp::BodyError(focus_failure);
        if (away) throw ptp::BodyAway("the body is away (the connection was lost); reconnecting as soon as it answers");
        std::lock_guard lock(mutex_);
        const double length = step_lengths.at(static_cast<std::size_t>(size - 1));
        lens_position_ = std::clamp(lens_position_ + (direction < 0 ? -length : length), 0.0, travel);
        ++focus_steps;
    }
    std::vector<std::uint8_t> liveView() override {
        ++live_views;
        return live_view ? live_view() : std::vector<std::uint8_t>{};
    }
    std::optional<ptp::BodyHealth> health() const override {
        std::lock_guard lock(mutex_);
        return open_ ? body_health_ : std::nullopt;
    }
    /// What health() says while the body is open.
    void setHealth(std::optional<ptp::BodyHealth> health) {
        std::lock_guard lock(mutex_);
        body_health_ = std::move(health);
    }

private:
    std::atomic<bool> open_{false};
    mutable std::mutex mutex_;  // guards lens_position_, gate_open_, body_health_
    std::condition_variable_any gate_;
    bool gate_open_ = true;
    double lens_position_ = 50;
    std::optional<ptp::BodyHealth> body_health_;
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
