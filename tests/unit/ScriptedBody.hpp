// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "ptp/Body.hpp"
#include "ptp/sim/sky/ArwFile.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

namespace sonyalpaca::test {

/// A small ARW file (uncompressed, RGGB, `width` x `height`, every photosite a known function of
/// its place) that LibRaw 0.20.2 decodes, with the given ISO and sensor temperature.
inline std::vector<std::uint8_t> smallArw(unsigned width = 64, unsigned height = 48, unsigned iso = 800,
                                          double sensor_c = 12, double ambient_c = -5) {
    ptp::sim::RawImage image;
    image.layout = {width, height, 0, 0, width, height};
    image.pixels.resize(std::size_t{width} * height);
    for (unsigned y = 0; y < height; ++y)
        for (unsigned x = 0; x < width; ++x)
            image.pixels[std::size_t{y} * width + x] = static_cast<std::uint16_t>(512 + (x * 7 + y * 131) % 9000);
    ptp::sim::ArwInfo info;
    info.iso = iso;
    info.sensor_temperature_c = sensor_c;
    info.ambient_temperature_c = ambient_c;
    return ptp::sim::writeArw(image, info, ptp::sim::ArwKind::Uncompressed);
}

/// The value smallArw() wrote at (x, y).
inline std::uint16_t smallArwValue(unsigned x, unsigned y) { return static_cast<std::uint16_t>(512 + (x * 7 + y * 131) % 9000); }

/// A body whose exposures the test scripts: `exposure` runs in expose() (on the camera's exposure
/// thread); by default it returns smallArw() after `seconds`, or at once when stopped. A gate lets
/// a test hold an exposure until it opens it.
class ScriptedBody final : public ptp::Body {
public:
    std::function<ptp::Exposure(double seconds, std::stop_token stop)> exposure;
    std::vector<std::string> isos{"Auto ISO", "100", "200", "400", "800", "1600"};
    std::string current_iso = "800";
    std::vector<std::string> raw_types{"Uncompressed RAW", "Compressed RAW", "Lossless Compressed RAW"};
    std::string current_raw_type = "Uncompressed RAW";
    std::string model = "ILCE-7M3";
    std::atomic<int> exposures{0};
    std::atomic<bool> downloading{false};

    ScriptedBody() {
        exposure = [this](double seconds, std::stop_token stop) { return timed(seconds, stop); };
    }

    /// An exposure of `seconds` (or until stopped), then smallArw().
    ptp::Exposure timed(double seconds, std::stop_token stop) {
        const auto start = std::chrono::system_clock::now();
        std::mutex mutex;
        std::condition_variable_any wake;
        std::unique_lock lock(mutex);
        wake.wait_for(lock, stop, std::chrono::duration<double>(seconds), [] { return false; });
        const double taken = std::chrono::duration<double>(std::chrono::system_clock::now() - start).count();
        return {smallArw(), "DSC00001.ARW", stop.stop_requested() ? taken : seconds, start};
    }

    /// Holds exposures until open() (or stop) when closed.
    void closeGate() {
        std::lock_guard lock(gate_mutex_);
        gate_open_ = false;
    }
    void openGate() {
        {
            std::lock_guard lock(gate_mutex_);
            gate_open_ = true;
        }
        gate_.notify_all();
    }
    void waitAtGate(std::stop_token stop) {
        std::unique_lock lock(gate_mutex_);
        gate_.wait_for(lock, stop, std::chrono::seconds(20), [this] { return gate_open_; });
    }

    void open() override { open_ = true; }
    void close() noexcept override { open_ = false; }
    bool isOpen() const noexcept override { return open_; }
    void checkReachable() const override {}
    std::string describe() const override { return "scripted body"; }
    ptp::BodyIdentity identity() override { return {"Sony", model, "42", "1.0"}; }
    std::vector<std::string> isoChoices() override { return isos; }
    std::string iso() override { return current_iso; }
    void setIso(const std::string& value) override { current_iso = value; }
    std::vector<std::string> rawTypes() override { return raw_types; }
    std::string rawType() override { return current_raw_type; }
    void setRawType(const std::string& type) override { current_raw_type = type; }
    std::vector<double> shutterSpeeds() override { return {30, 2, 1, 0.5, 0.01, 1.0 / 8000}; }
    ptp::BodyState state() const noexcept override {
        return downloading ? ptp::BodyState::Downloading : ptp::BodyState::Idle;
    }
    ptp::Exposure expose(double seconds, std::stop_token stop) override {
        ++exposures;
        waitAtGate(stop);
        return exposure(seconds, stop);
    }
    bool hasFocusDrive() override { return false; }
    void focusStep(int, int) override { throw ptp::BodyError("no focus drive"); }
    std::vector<std::uint8_t> liveView() override { return {}; }

private:
    std::atomic<bool> open_{false};
    std::mutex gate_mutex_;
    std::condition_variable_any gate_;
    bool gate_open_ = true;
};

}  // namespace sonyalpaca::test
