// SPDX-License-Identifier: GPL-3.0-or-later
#include "alpaca/CameraEngine.hpp"

#include "alpaca/AlpacaError.hpp"
#include "config/Log.hpp"

#include <algorithm>
#include <cmath>
#include <thread>

namespace sonyalpaca::alpaca {
namespace {
using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

std::string describe(const ExposureRequest& request) {
    const auto& r = request.region;
    return std::to_string(r.num_x) + "x" + std::to_string(r.num_y) + " at (" + std::to_string(r.start_x) + "," +
           std::to_string(r.start_y) + "), bin " + std::to_string(r.bin) + (request.light ? "" : ", dark");
}
}  // namespace

const char* cameraStateName(CameraState state) noexcept {
    switch (state) {
    case CameraState::Idle: return "Idle";
    case CameraState::Waiting: return "Waiting";
    case CameraState::Exposing: return "Exposing";
    case CameraState::Reading: return "Reading";
    case CameraState::Download: return "Download";
    case CameraState::Error: return "Error";
    }
    return "Unknown";
}

CameraEngine::CameraEngine(ptp::Body& body, Process process) : body_(body), process_(std::move(process)) {}

CameraEngine::~CameraEngine() {
    abort();
    if (worker_.joinable()) worker_.join();  // it joins the threads before it
}

void CameraEngine::start(const ExposureRequest& request) {
    std::lock_guard lock(mutex_);
    if (phase_ == Phase::Waiting || phase_ == Phase::Exposing || phase_ == Phase::Download)
        throw AlpacaError::invalidOperation(std::string("the camera is ") + cameraStateName(stateLocked()) +
                                            ": StartExposure needs it Idle; wait until ImageReady is true, or call "
                                            "AbortExposure");
    const std::uint64_t generation = ++generation_;
    const Phase before = phase_;
    phase_ = threads_ > 0 ? Phase::Waiting : Phase::Exposing;
    exposing_since_ = Clock::now();
    expected_s_ = request.expected;
    stop_asked_ = false;
    aborted_ = false;
    image_.reset();
    failure_.clear();
    ++threads_;
    // The new thread first waits for the one before it (an aborted exposure the body still runs).
    auto previous = std::make_shared<std::jthread>(std::move(worker_));
    try {
        worker_ = std::jthread([this, generation, request, previous](std::stop_token stop) {
            run(generation, request, std::move(*previous), stop);
        });
    } catch (const std::system_error& e) {
        worker_ = std::move(*previous);
        --threads_;
        phase_ = before;
        throw AlpacaError(ErrorCode::Unspecified, std::string("cannot start the exposure thread: ") + e.what());
    }
}

void CameraEngine::run(std::uint64_t generation, ExposureRequest request, std::jthread previous, std::stop_token stop) {
    struct Finish {
        CameraEngine& engine;
        ~Finish() { engine.finishThread(); }
    } finish{*this};
    if (previous.joinable()) previous.join();
    {
        std::lock_guard lock(mutex_);
        if (generation != generation_) return;  // aborted while it waited
        if (phase_ == Phase::Waiting) {
            phase_ = Phase::Exposing;
            exposing_since_ = Clock::now();
        }
    }
    const auto logger = log::get("alpaca");
    logger->info("exposure of {} s started ({}; the body takes {} s)", request.duration, describe(request),
                 request.expected);
    const auto started = Clock::now();
    try {
        ptp::Exposure exposure = exposeWhenThere(generation, request.duration, stop);
        {
            std::lock_guard lock(mutex_);
            if (generation != generation_) {
                logger->info("the aborted exposure's file {} is discarded", exposure.filename);
                return;
            }
            last_ = LastExposure{exposure.seconds, exposure.start};
            phase_ = Phase::Download;
        }
        logger->debug("exposure of {} s: {} ({} bytes) in memory after {:.2f} s", exposure.seconds, exposure.filename,
                      exposure.file.size(), secondsSince(started));
        auto image = process_(exposure, request);
        std::lock_guard lock(mutex_);
        if (generation != generation_) {
            logger->info("the aborted exposure's image is discarded");
            return;
        }
        image_ = std::move(image);
        phase_ = Phase::Idle;
        logger->info("image ready: {}x{} after {:.2f} s", image_->numX(), image_->numY(), secondsSince(started));
    } catch (const std::exception& e) {
        const std::string message = fullMessage(e);
        std::lock_guard lock(mutex_);
        if (generation != generation_) {
            logger->info("the aborted exposure ended with: {}", message);
            return;
        }
        phase_ = Phase::Error;
        failure_ = message;
        logger->error("the exposure failed: {}", message);
    } catch (...) {
        std::lock_guard lock(mutex_);
        if (generation != generation_) return;
        phase_ = Phase::Error;
        failure_ = "unknown internal error";
        logger->error("the exposure failed: unknown internal error");
    }
}

ptp::Exposure CameraEngine::exposeWhenThere(std::uint64_t generation, double duration, std::stop_token stop) {
    const auto deadline = Clock::now() + body_away_wait_;
    const double wait_s = std::chrono::duration<double>(body_away_wait_).count();
    for (;;) {
        try {
            return body_.expose(duration, stop);
        } catch (const ptp::BodyAway& e) {
            // A cable pulled and put back, a body switched off and on: the exposure waits for it
            // rather than fail an unattended sequence.
            if (Clock::now() >= deadline || stop.stop_requested())
                throw ptp::BodyUnavailable(fmt::format("{}; it did not come back within {:g} s", e.what(), wait_s));
            {
                std::lock_guard lock(mutex_);
                if (generation != generation_) throw;
                phase_ = Phase::Waiting;
            }
            log::get("alpaca")->warn("the exposure waits for the body ({}), up to {:g} s", e.what(), wait_s);
            while (!body_.isOpen() && Clock::now() < deadline && !stop.stop_requested())
                std::this_thread::sleep_for(std::chrono::milliseconds(50));
            std::lock_guard lock(mutex_);
            if (generation != generation_) throw;
            phase_ = Phase::Exposing;
            exposing_since_ = Clock::now();
        }
    }
}

void CameraEngine::finishThread() noexcept {
    {
        std::lock_guard lock(mutex_);
        --threads_;
    }
    threads_done_.notify_all();
}

void CameraEngine::stop() noexcept {
    std::lock_guard lock(mutex_);
    if ((phase_ != Phase::Waiting && phase_ != Phase::Exposing) || stop_asked_) return;
    stop_asked_ = true;
    worker_.request_stop();
    log::get("alpaca")->info("StopExposure: ending the exposure early, the image is kept (a listed shutter speed "
                             "runs to its end)");
}

void CameraEngine::abort() noexcept {
    std::lock_guard lock(mutex_);
    switch (phase_) {
    case Phase::Idle: return;
    case Phase::Error:
        phase_ = Phase::Idle;
        failure_.clear();
        return;
    case Phase::Waiting:
    case Phase::Exposing:
    case Phase::Download:
        ++generation_;  // the running thread's results no longer count
        phase_ = Phase::Idle;
        aborted_ = true;
        worker_.request_stop();
        log::get("alpaca")->info("AbortExposure: the exposure is discarded");
        return;
    }
}

void CameraEngine::reset() noexcept {
    abort();
    std::lock_guard lock(mutex_);
    phase_ = Phase::Idle;
    image_.reset();
    last_.reset();
    failure_.clear();
    aborted_ = false;
}

CameraState CameraEngine::state() const noexcept {
    std::lock_guard lock(mutex_);
    return stateLocked();
}

CameraState CameraEngine::stateLocked() const noexcept {
    switch (phase_) {
    case Phase::Idle: return CameraState::Idle;
    case Phase::Waiting: return CameraState::Waiting;
    case Phase::Download: return CameraState::Download;
    case Phase::Error: return CameraState::Error;
    case Phase::Exposing:
        if (body_.state() == ptp::BodyState::Downloading) return CameraState::Download;
        if (stop_asked_ || secondsSince(exposing_since_) >= expected_s_) return CameraState::Reading;
        return CameraState::Exposing;
    }
    return CameraState::Error;
}

std::optional<int> CameraEngine::percentCompleted() const noexcept {
    std::lock_guard lock(mutex_);
    switch (stateLocked()) {
    case CameraState::Waiting: return 0;
    case CameraState::Exposing: {
        if (!(expected_s_ > 0)) return 0;
        const double share = secondsSince(exposing_since_) / expected_s_;
        return static_cast<int>(std::clamp(std::floor(share * 100.0), 0.0, 100.0));
    }
    default: return std::nullopt;
    }
}

bool CameraEngine::imageReady() const {
    std::lock_guard lock(mutex_);
    if (phase_ == Phase::Error) throw AlpacaError(ErrorCode::Unspecified, "the last exposure failed: " + failure_);
    return image_ != nullptr;
}

std::shared_ptr<const imaging::ImageBytes> CameraEngine::image() const {
    std::lock_guard lock(mutex_);
    if (image_) return image_;
    switch (stateLocked()) {
    case CameraState::Error:
        throw AlpacaError::invalidOperation("there is no image: the last exposure failed: " + failure_);
    case CameraState::Idle:
        throw AlpacaError::invalidOperation(aborted_ ? "there is no image: the last exposure was aborted"
                                                     : "there is no image yet: take one with StartExposure");
    default:
        throw AlpacaError::invalidOperation(std::string("there is no image yet: the camera is ") +
                                            cameraStateName(stateLocked()) +
                                            "; read ImageArray once ImageReady is true");
    }
}

std::optional<LastExposure> CameraEngine::lastExposure() const {
    std::lock_guard lock(mutex_);
    return last_;
}

bool CameraEngine::waitForThreads(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    return threads_done_.wait_for(lock, timeout, [this] { return threads_ == 0; });
}

}  // namespace sonyalpaca::alpaca
