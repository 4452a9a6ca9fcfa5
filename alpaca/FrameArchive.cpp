// SPDX-License-Identifier: GPL-3.0-or-later
#include "alpaca/FrameArchive.hpp"

#include "config/AtomicFile.hpp"
#include "config/Log.hpp"
#include "imaging/NightFolder.hpp"

#include <string_view>
#include <utility>

namespace sonyalpaca::alpaca {
namespace {
constexpr int kMaxSuffix = 1000;

/// dir/stem.ext, or dir/stem_N.ext for the first N that names neither an ARW nor a FITS file.
std::filesystem::path freeStem(const std::filesystem::path& dir, const std::string& stem) {
    std::error_code ec;
    for (int n = 1; n <= kMaxSuffix; ++n) {
        const std::string name = n == 1 ? stem : stem + "_" + std::to_string(n);
        if (!std::filesystem::exists(dir / (name + ".arw"), ec) && !std::filesystem::exists(dir / (name + ".fits"), ec))
            return dir / name;
    }
    throw std::runtime_error("more than " + std::to_string(kMaxSuffix) + " files named " + stem + " in " +
                             dir.string());
}
}  // namespace

FrameArchive::FrameArchive(ArchiveSettings settings)
    : settings_(std::move(settings)), thread_([this](std::stop_token stop) { loop(stop); }) {}

FrameArchive::~FrameArchive() {
    thread_.request_stop();
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
}

void FrameArchive::save(ArchiveJob job) {
    {
        std::lock_guard lock(mutex_);
        if (queue_.size() < kMaxQueued) {
            queue_.push_back(std::move(job));
            wake_.notify_one();
            return;
        }
    }
    failed("frame " + job.stem + " not saved: " + std::to_string(kMaxQueued) +
           " frames are still waiting to be written (the disk is too slow for this exposure rate)");
}

std::optional<std::string> FrameArchive::takeFailure() {
    std::lock_guard lock(mutex_);
    return std::exchange(unreported_, std::nullopt);
}

bool FrameArchive::waitUntilIdle(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    return idle_.wait_for(lock, timeout, [this] { return queue_.empty() && !busy_; });
}

void FrameArchive::failed(const std::string& message) {
    log::get("alpaca")->error("saving an image on this computer failed: {}", message);
    std::lock_guard lock(mutex_);
    if (!failing_) unreported_ = message;
    failing_ = true;
}

void FrameArchive::loop(std::stop_token stop) {
    std::unique_lock lock(mutex_);
    while (true) {
        wake_.wait(lock, stop, [this] { return !queue_.empty(); });
        if (queue_.empty()) return;  // stopping, and everything is written
        ArchiveJob job = std::move(queue_.front());
        queue_.pop_front();
        busy_ = true;
        lock.unlock();
        write(job);
        job = {};  // the frame's memory goes before the lock is taken again
        lock.lock();
        busy_ = false;
        if (queue_.empty()) idle_.notify_all();
    }
}

void FrameArchive::write(ArchiveJob& job) {
    const auto logger = log::get("alpaca");
    try {
        const auto folder = imaging::nightFolder(settings_.dir, job.start);
        const auto base = freeStem(folder, job.stem);
        if (!job.raw.empty()) {
            const auto path = base.string() + ".arw";
            config::writeFileAtomically(path, std::string_view(reinterpret_cast<const char*>(job.raw.data()),
                                                               job.raw.size()));
            logger->info("kept the raw file as {}", path);
        }
        if (job.frame) {
            const auto path = base.string() + ".fits";
            imaging::writeFits(path, *job.frame, job.cards);
            logger->info("saved {}", path);
        }
        std::lock_guard lock(mutex_);
        failing_ = false;
    } catch (const std::exception& e) {
        failed(e.what());
    }
}

}  // namespace sonyalpaca::alpaca
