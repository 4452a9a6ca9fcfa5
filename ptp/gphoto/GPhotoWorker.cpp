// SPDX-License-Identifier: GPL-3.0-or-later
#include "ptp/gphoto/GPhotoWorker.hpp"

#include "ptp/Body.hpp"
#include "ptp/gphoto/FdZeroGuard.hpp"

namespace sonyalpaca::ptp::gphoto {

GPhotoWorker::GPhotoWorker() : thread_([this] { loop(); }) {}

GPhotoWorker::~GPhotoWorker() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    thread_.join();
}

void GPhotoWorker::post(std::function<void()> job, std::chrono::milliseconds timeout) {
    {
        std::lock_guard lock(mutex_);
        jobs_.push_back({std::move(job), timeout});
    }
    wake_.notify_one();
}

void GPhotoWorker::timedOut(const std::string& what, std::chrono::milliseconds timeout) {
    throw BodyError("the body did not finish " + what + " within " +
                    std::to_string(std::chrono::duration<double>(timeout).count()) +
                    " s; it may be busy or stuck (check the cable and the body's screen)");
}

bool GPhotoWorker::healthy() const noexcept {
    std::lock_guard lock(mutex_);
    return !stuck_after_ || std::chrono::steady_clock::now() < *stuck_after_;
}

void GPhotoWorker::loop() {
    guardFdZeroOnThisThread();  // libgphoto2 runs here only
    std::unique_lock lock(mutex_);
    while (true) {
        wake_.wait(lock, [&] { return stopping_ || !jobs_.empty(); });
        if (jobs_.empty()) return;  // stopping and nothing left
        auto job = std::move(jobs_.front());
        jobs_.pop_front();
        stuck_after_ = std::chrono::steady_clock::now() + job.timeout + std::chrono::minutes(1);
        lock.unlock();
        job.run();  // a packaged_task: exceptions go to its future
        lock.lock();
        stuck_after_.reset();
    }
}

}  // namespace sonyalpaca::ptp::gphoto
