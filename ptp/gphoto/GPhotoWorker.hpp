// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace sonyalpaca::ptp::gphoto {

/// The one thread that talks to libgphoto2 (which is not thread-safe). Callers queue jobs and wait
/// for them with a timeout; a job that overruns keeps the thread (libgphoto2 calls cannot be
/// interrupted) and the caller gets BodyError saying it timed out. Jobs run in order.
class GPhotoWorker {
public:
    GPhotoWorker();
    ~GPhotoWorker();
    GPhotoWorker(const GPhotoWorker&) = delete;
    GPhotoWorker& operator=(const GPhotoWorker&) = delete;

    /// Runs `job` on the worker and returns its result, rethrowing what it throws. Throws
    /// ptp::BodyError when it has not finished after `timeout` (`what` names it in the message).
    ///
    /// A job that times out keeps running after the caller has returned: it must own what it uses.
    /// Capture values (copies, shared_ptr), never the caller's locals or parameters by reference;
    /// `this` only for an object that outlives the worker's jobs. The worker keeps the job (moved
    /// into a shared task) until it has run.
    template <typename Job>
    auto run(const std::string& what, std::chrono::milliseconds timeout, Job job) -> decltype(job()) {
        using Result = decltype(job());
        auto task = std::make_shared<std::packaged_task<Result()>>(std::move(job));
        auto future = task->get_future();
        post([task] { (*task)(); }, timeout);
        if (future.wait_for(timeout) != std::future_status::ready) timedOut(what, timeout);
        return future.get();
    }

    /// False when the job in progress has overrun its timeout by more than a minute: libgphoto2 is
    /// stuck (for the watchdog).
    bool healthy() const noexcept;

private:
    struct Job {
        std::function<void()> run;
        std::chrono::milliseconds timeout;
    };
    void post(std::function<void()> job, std::chrono::milliseconds timeout);
    [[noreturn]] static void timedOut(const std::string& what, std::chrono::milliseconds timeout);
    void loop();

    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<Job> jobs_;
    bool stopping_ = false;
    std::optional<std::chrono::steady_clock::time_point> stuck_after_;  // of the job in progress
    std::thread thread_;
};

}  // namespace sonyalpaca::ptp::gphoto
