// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "config/BodyDatabase.hpp"
#include "config/LensDatabase.hpp"
#include "ptp/sim/Faults.hpp"
#include "ptp/sim/FrameSource.hpp"
#include "ptp/sim/PropertyTable.hpp"
#include "ptp/sim/VirtualLens.hpp"

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <thread>
#include <vector>

namespace sonyalpaca::ptp::sim {

/// A full-frame body's APS-C/Super 35mm setting: Auto (the factory setting) crops with an APS-C lens.
enum class ApscSetting { Off, On, Auto };

/// Settings of the virtual body beyond its model and lens.
struct BodyOptions {
    std::string serial = "SIM0000000000001";
    bool events = true;                         ///< false: the event channel stays silent (libgphoto2 must poll)
    bool focus_drive = true;                    ///< false: no 0xD2D1, as on the ILCE-7M4 with libgphoto2 2.5.30
    double readout_s = -1;                      ///< sensor readout + file writing; negative: from the sensor size
    std::uint32_t shutter = (1u << 16) | 100u;  ///< initial shutter code (1/100 s); 0 = BULB
    std::uint32_t iso = 800;
    double temperature_c = 10;       ///< sensor temperature
    double best_focus = -1;          ///< at 20 °C, in lens units; negative: 96 % of the travel
    double focus_drift_per_c = 0.4;  ///< best focus moves this many units per °C
    /// Full-frame bodies whose APS-C size the data knows offer 0xD219 (1 Off, 2 On: whether the
    /// frames are cropped now, Auto resolved with the lens's image circle).
    ApscSetting apsc = ApscSetting::Auto;
    /// The highest Sony PC-remote protocol the body answers (0x9202): 2 (2.00) or 3 (3.00, the
    /// a7 IV generation's); 0: the body's own, 3 where sony-bodies.json says a libgphoto2 release
    /// opens it in 3.00. 2 on such a body simulates it as libgphoto2 2.5.30 and 2.5.32+ drive it.
    int protocol = 0;
    bool live_view_stars = false;  ///< the live view shows the night sky instead of the daylight scene
};

/// The battery, card and temperature state the virtual body reports (docs/SIMULATOR.md), as the
/// control port sets it.
struct SimulatedHealth {
    enum class Source { Battery, Usb, Dummy, None };
    enum class Card { In, None, Error };
    int battery_percent = 100;  ///< 0..100
    Source source = Source::Battery;
    Card card = Card::In;
    std::uint32_t shots = 999;  ///< remaining shots on the card
    int overheat = 0;           ///< 0 none, 1 pre-overheating, 2 overheating

    /// The property values (0xD218, 0xD20E, 0xD248, 0xD249, 0xD251) in the Camera Remote SDK's
    /// coding: the level −1 without a battery or with a dummy one; the indicator's bars (1 "pre-end"
    /// at 5 % or less, else a quarter per 25 %), + 0x10000 on USB power; no shots without a card.
    std::int64_t levelValue() const;
    std::int64_t indicatorValue() const;
    std::int64_t cardValue() const;
    std::int64_t shotsValue() const;
};

/// A PTP operation's outcome: response code and parameters, and data for the host if any (in
/// memory, or a file read chunk by chunk as it is sent).
struct OperationResult {
    std::uint16_t code = 0x2001;
    std::vector<std::uint32_t> params;
    std::optional<std::vector<std::uint8_t>> data;
    std::shared_ptr<const CapturedFile> file;

    /// A response with `code` and nothing else.
    static OperationResult failed(std::uint16_t code) {
        OperationResult result;
        result.code = code;
        return result;
    }
};

/// The virtual Sony body: its properties, its lens, its shutter and its files, answering PTP
/// operations as a Sony body in PC Remote mode answers libgphoto2 2.5.30 (see docs/SIMULATOR.md).
/// Thread-safe: operations come from the PTP/IP command thread, the shutter runs on its own thread.
class VirtualBody {
public:
    VirtualBody(config::BodyEntry body, const config::LensEntry& lens, const LensOptions& lens_options,
                BodyOptions options, std::shared_ptr<FrameSource> frames,
                std::shared_ptr<Faults> faults = std::make_shared<Faults>());
    ~VirtualBody();
    VirtualBody(const VirtualBody&) = delete;
    VirtualBody& operator=(const VirtualBody&) = delete;

    /// Runs one PTP operation with its parameters and the host's data (empty if none).
    OperationResult handle(std::uint16_t operation, std::span<const std::uint32_t> params,
                           std::span<const std::uint8_t> data);

    /// The transport delivered `file` (from GetObject) completely: the body lets go of it.
    void transferred(const std::shared_ptr<const CapturedFile>& file);

    /// Where events go (the PTP/IP event channel); called with the body's lock released.
    using EventSink = std::function<void(std::uint16_t code, std::uint32_t param)>;
    void setEventSink(EventSink sink);

    // Inspection and control for tests and the simulator's control interface.
    double lensPosition() const;
    double lensTravel() const;
    double bestFocus() const;
    /// Where the live view's scene is sharpest (FrameSource::liveViewFocus), if the source says.
    std::optional<double> liveViewFocus() const;
    /// The live view shows the night sky (true) or the daylight scene lens learning needs (false).
    void setLiveViewStars(bool stars);
    void setTemperature(double celsius);
    /// Moves best focus (at 20 °C) to `units`.
    void setBestFocus(double units);
    std::array<std::uint64_t, config::kStepSizes> focusStepCounts() const;
    /// The hidden true profile: moves of each size across the travel (what lens learning should find).
    config::PerStepSize trueMoves() const;
    std::uint64_t exposureCount() const;
    /// Sets the battery, card and overheating state the body reports (0xC203 for each change).
    void setHealth(const SimulatedHealth& health);
    SimulatedHealth health() const;
    const config::BodyEntry& model() const noexcept { return body_; }
    Faults& faults() const noexcept { return *faults_; }

private:
    enum class Shutter { Idle, Exposing, Reading };

    void buildProperties();
    OperationResult deviceInfo() const;
    OperationResult setControlA(std::uint16_t property, std::span<const std::uint8_t> data);
    OperationResult setControlB(std::uint16_t property, std::span<const std::uint8_t> data);
    OperationResult objectInfo(std::uint32_t handle);
    OperationResult object(std::uint32_t handle);
    OperationResult pressButton(std::uint16_t button, std::int64_t value);
    OperationResult stepFocus(std::int16_t value);
    void stepNotch(std::uint16_t property, std::int8_t delta);
    bool canCapture() const;        // lock held; logs why not
    void startExposure(bool bulb);  // lock held
    void endExposure();             // lock held
    void run(std::stop_token stop);
    void finishReadout(std::unique_lock<std::mutex>& lock);
    ExposureRecord recordNow() const;                    // lock held
    void updatePendingProperty();                        // lock held
    void post(std::uint16_t code, std::uint32_t param);  // lock held: queues for the sink

    config::BodyEntry body_;
    BodyOptions options_;
    std::shared_ptr<FrameSource> frames_;
    std::shared_ptr<Faults> faults_;
    mutable std::mutex mutex_;
    std::condition_variable_any wake_;
    PropertyTable properties_;
    VirtualLens lens_;
    std::chrono::steady_clock::time_point lens_busy_until_{};
    double temperature_c_;
    bool live_view_stars_;
    Shutter shutter_ = Shutter::Idle;
    bool bulb_ = false;
    std::vector<std::int64_t> raw_types_;                // 0xD288 values the body offers (RawFileTypes)
    bool speaks_protocol_3_ = false;                     // Sony PC-remote protocol 3.00 besides 2.00
    int protocol_ = 2;                                   // the one the host asked for last (0x9202)
    std::chrono::steady_clock::time_point phase_end_{};  // exposure or readout end (timed phases)
    ExposureRecord exposure_;
    std::uint32_t sequence_ = 0;
    std::deque<std::shared_ptr<const CapturedFile>> pending_;
    std::vector<std::uint8_t> live_view_;  // the blob of the last GetObjectInfo(live view)
    std::deque<std::pair<std::uint16_t, std::uint32_t>> events_;
    EventSink sink_;
    SimulatedHealth health_;
    std::jthread timer_;
};

/// The value of a Sony shutter code in seconds (0 = BULB gives 0).
double shutterSeconds(std::uint32_t code);

}  // namespace sonyalpaca::ptp::sim
