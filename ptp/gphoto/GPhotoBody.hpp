// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "config/BodyDatabase.hpp"
#include "config/Settings.hpp"
#include "ptp/Body.hpp"
#include "ptp/gphoto/GPhotoSession.hpp"
#include "ptp/gphoto/GPhotoWorker.hpp"
#include "ptp/gphoto/UsbHotplug.hpp"

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

namespace sonyalpaca::ptp::gphoto {

/// A Sony body through libgphoto2: on USB (camera source "auto") or over PTP/IP. One worker thread
/// owns the libgphoto2 camera; every method queues a job there and waits for it with a timeout.
/// At open the body is prepared for tethering: capture target PC memory (0xD222 = sdram, set
/// through the generic widget because libgphoto2 2.5.30's capturetarget sends an empty value),
/// RAW images, the uncompressed RAW type where offered (0xD288; a body on lossless-compressed RAW
/// stays on it where LibRaw decodes it, 0.21 and later), and manual focus for the focus drive.
///
/// A body lost while open (unplugged, switched off, connection dropped) is reopened by itself: a
/// background thread retries every second until it answers again or close() is called. On USB,
/// libusb hot-plug events (where the system has them) notice an unplug at once and start the
/// retry the moment a Sony device arrives.
///
/// The body's health (battery, card, overheating: health()) is read at open and then every
/// `health_interval` by a thread of its own that queues the reading on the worker only while the
/// body is idle: a few property reads from libgphoto2's cache (and at most one GetAllDevicePropData
/// round trip when the cache is older than 2 s), so an exposure started meanwhile waits that long
/// at most.
class GPhotoBody final : public Body {
public:
    static constexpr std::chrono::milliseconds kHealthInterval{10000};

    /// `bodies` supplies each model's shutter-speed list (libgphoto2 only knows a generic one).
    GPhotoBody(config::CameraSource source, config::BodyDatabase bodies,
               std::chrono::milliseconds health_interval = kHealthInterval);
    ~GPhotoBody() override;

    void open() override;
    void close() noexcept override;
    bool isOpen() const noexcept override { return open_; }
    void checkReachable() const override;
    std::string describe() const override;
    BodyIdentity identity() override;
    std::vector<std::string> isoChoices() override;
    std::string iso() override;
    void setIso(const std::string& value) override;
    std::vector<std::string> rawTypes() override;
    std::string rawType() override;
    std::optional<bool> sensorCrop() override;
    void setRawType(const std::string& type) override;
    std::vector<double> shutterSpeeds() override;
    BodyState state() const noexcept override;
    std::uint64_t sessions() const noexcept override { return sessions_; }
    Exposure expose(double seconds, std::stop_token stop) override;
    bool hasFocusDrive() override;
    void focusStep(int size, int direction) override;
    std::vector<std::uint8_t> liveView() override;

    bool healthy() const noexcept override { return worker_.healthy(); }
    std::optional<BodyHealth> health() const override;
    /// Reads the body's health now (on the worker, as the periodic refresh does) and keeps it.
    /// Throws BodyUnavailable when the body is not open. For tests and measurements.
    BodyHealth refreshHealth();

private:
    void requireOpen() const;
    void openSession();                    // any thread but the worker
    void lost(const std::string& reason);  // the session died: close it, start reconnecting
    void reconnect(std::stop_token stop);
    /// After the connection dropped during an exposure: waits for the body to come back and takes
    /// the frame it still holds. Throws BodyUnavailable or BodyError saying the frame is lost.
    Exposure recoverFrame(const std::string& reason, double seconds, std::chrono::system_clock::time_point start);
    void prepare();  // worker thread
    /// Reads the health properties this body has (worker thread).
    BodyHealth readHealth();
    /// Refreshes the health every health_interval_ while the body is open and idle.
    void watchHealth(std::stop_token stop);
    struct Speed {
        double seconds;
        std::string text;  ///< as libgphoto2 writes it: "1/100", "30", "32/10"
    };
    /// The body's listed shutter speeds, longest first (worker thread).
    std::vector<Speed> listedSpeeds();
    /// Runs `job` on the worker; a lost body closes the session and rethrows.
    template <typename Job>
    auto run(const std::string& what, std::chrono::milliseconds timeout, Job job) -> decltype(job());

    config::CameraSource source_;
    config::BodyDatabase bodies_;
    GPhotoWorker worker_;
    GPhotoSession session_;  // worker thread only
    std::atomic<bool> open_{false};
    mutable std::mutex mutex_;  // guards identity_ and focus_drive_
    BodyIdentity identity_;
    bool focus_drive_ = false;
    std::atomic<bool> wanted_{false};                   // open() called and close() not since
    std::atomic<BodyState> activity_{BodyState::Idle};  // while open
    std::atomic<bool> reconnecting_{false};
    std::atomic<std::uint64_t> sessions_{0};
    std::mutex reconnect_mutex_;        // guards reconnector_
    std::mutex wake_mutex_;             // guards usb_arrived_
    std::condition_variable_any wake_;  // a Sony device arrived on USB: try now
    bool usb_arrived_ = false;
    std::jthread reconnector_;                 // stops before the worker goes
    std::unique_ptr<UsbHotplug> hotplug_;      // USB only; stopped first in the destructor
    std::vector<std::string> health_widgets_;  // worker thread only: those of SonyHealth.hpp the body has
    mutable std::mutex health_mutex_;          // guards health_
    std::optional<BodyHealth> health_;
    std::chrono::milliseconds health_interval_;
    std::jthread health_watch_;  // stopped first in the destructor, with the hot-plug
};

/// Parses a libgphoto2 shutter-speed text ("1/100", "30", "32/10") into seconds; nullopt for others.
std::optional<double> parseShutterText(const std::string& text);

/// The name of a Sony RAW file type code (0xD288, the Camera Remote SDK's numbering), and back.
std::string rawTypeName(const std::string& code);
std::optional<std::string> rawTypeCode(const std::string& name);

/// The libgphoto2 text of a Sony shutter code (numerator << 16 | denominator): "1/100", "30", "32/10".
std::string shutterText(std::uint32_t code);

}  // namespace sonyalpaca::ptp::gphoto
