// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "imaging/ImageBytes.hpp"
#include "imaging/Subframe.hpp"
#include "ptp/Body.hpp"

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace sonyalpaca::alpaca {

/// Alpaca's CameraState values.
enum class CameraState : int { Idle = 0, Waiting = 1, Exposing = 2, Reading = 3, Download = 4, Error = 5 };

/// The name of a state ("Exposing"), for messages.
const char* cameraStateName(CameraState state) noexcept;

/// One exposure as StartExposure asked for it, validated.
struct ExposureRequest {
    double duration = 0;  ///< seconds asked for
    double expected = 0;  ///< seconds the body will take (its nearest listed speed; bulb: duration)
    bool light = true;
    imaging::Subframe region;  ///< binned pixels, checked against the frame size known at the start
    bool full_frame = false;   ///< the region is the whole frame (kept whole if the frame differs)
};

/// The last exposure the body took: what LastExposureDuration and LastExposureStartTime report.
struct LastExposure {
    double duration_s = 0;  ///< the body's real exposure time (a listed speed, or the bulb as timed)
    std::chrono::system_clock::time_point start;  ///< when the shutter opened (UTC)
};

/// The exposure state machine of the Camera, and the thread that runs each exposure: body exposure,
/// download, then `process` (decode, subframe, ImageBytes) off the request path. StartExposure
/// returns at once; clients follow CameraState, PercentCompleted and ImageReady.
///
/// States: Idle → (Waiting →) Exposing → Reading → Download → Idle with an image, or Error with a
/// message. Reading and Download come from the body: Reading once the exposure time is over (or a
/// stop was asked for) while the body still reads out and writes the file, Download while the file
/// comes over (the body says so) and while it is decoded. Waiting: an aborted exposure that the body
/// cannot cut short (a listed shutter speed, a download) still occupies it; the new one starts when
/// it is done.
///
/// Every exposure ends exactly once: with an image, with an error (state Error, the message on
/// ImageReady and ImageArray), or discarded by AbortExposure. All members are thread-safe.
class CameraEngine {
public:
    /// Turns a downloaded exposure into the image to serve; runs on the exposure thread, throws on
    /// failure (the exposure then ends in Error with the message).
    using Process =
        std::function<std::shared_ptr<const imaging::ImageBytes>(ptp::Exposure& exposure, const ExposureRequest&)>;

    CameraEngine(ptp::Body& body, Process process);
    /// Aborts an exposure in progress and waits for its thread (bounded by the body's timeouts).
    ~CameraEngine();
    CameraEngine(const CameraEngine&) = delete;
    CameraEngine& operator=(const CameraEngine&) = delete;

    /// Starts the exposure and returns at once. Throws AlpacaError InvalidOperation (0x40B) unless
    /// the state is Idle or Error. The previous image is dropped (responses still sending it keep
    /// their copy alive).
    void start(const ExposureRequest& request);
    /// Ends the exposure early and keeps the image: a bulb exposure closes at once, a listed shutter
    /// speed runs to its end (the body cannot cut it). Does nothing unless Waiting or Exposing.
    void stop() noexcept;
    /// Discards the exposure in progress: the state is Idle at once, no image will come. Clears an
    /// Error; does nothing when Idle.
    void abort() noexcept;
    /// Abort, then forgets the image, the last exposure and any error: the state a client finds
    /// after connecting.
    void reset() noexcept;

    CameraState state() const noexcept;
    /// 0–100 while Waiting or Exposing (the share of the exposure time passed); nothing otherwise.
    std::optional<int> percentCompleted() const noexcept;
    /// Whether an image is ready. Throws AlpacaError (0x4FF) with the failure in the Error state.
    bool imageReady() const;
    /// The ready image; throws AlpacaError InvalidOperation saying why there is none.
    std::shared_ptr<const imaging::ImageBytes> image() const;
    std::optional<LastExposure> lastExposure() const;

    /// Waits up to `timeout` for every exposure thread to finish (after abort). True if they did.
    bool waitForThreads(std::chrono::milliseconds timeout);
    /// How long an exposure waits for a body that is away (ptp::BodyAway: lost, being reconnected)
    /// before it fails; 30 s unless a test sets it.
    void setBodyAwayWait(std::chrono::milliseconds wait) noexcept { body_away_wait_ = wait; }

private:
    enum class Phase { Idle, Waiting, Exposing, Download, Error };

    void run(std::uint64_t generation, ExposureRequest request, std::jthread previous, std::stop_token stop);
    /// body_.expose, waiting (state Waiting) while the body is away, up to body_away_wait_.
    ptp::Exposure exposeWhenThere(std::uint64_t generation, double duration, std::stop_token stop);
    /// The phase as clients see it (Exposing split into Exposing/Reading/Download); lock held.
    CameraState stateLocked() const noexcept;
    void finishThread() noexcept;

    ptp::Body& body_;
    Process process_;
    mutable std::mutex mutex_;
    std::condition_variable threads_done_;
    Phase phase_ = Phase::Idle;
    std::uint64_t generation_ = 0;  // the exposure in progress; abort moves it on, orphaning the thread
    std::chrono::steady_clock::time_point exposing_since_{};
    double expected_s_ = 0;
    bool stop_asked_ = false;
    bool aborted_ = false;  // the last exposure was discarded (for messages)
    std::shared_ptr<const imaging::ImageBytes> image_;
    std::optional<LastExposure> last_;
    std::string failure_;  // why the last exposure failed (state Error)
    int threads_ = 0;      // exposure threads still running (an aborted one may linger)
    std::jthread worker_;  // the newest exposure thread; it joins its predecessor first
    std::chrono::milliseconds body_away_wait_{30000};
};

}  // namespace sonyalpaca::alpaca
