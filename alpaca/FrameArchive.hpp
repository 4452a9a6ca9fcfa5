// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "imaging/FitsWriter.hpp"
#include "imaging/Frame.hpp"

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace sonyalpaca::alpaca {

/// Which files the camera keeps on the daemon's computer, and where.
struct ArchiveSettings {
    std::filesystem::path dir;  ///< frames go to dir/YYYY-MM-DD (the observing night, noon to noon)
    bool keep_raw = false;      ///< the body's original ARW file
    bool save_fits = false;     ///< the served image as FITS, with the exposure's headers
};

/// One frame's files to write.
struct ArchiveJob {
    std::chrono::system_clock::time_point start;  ///< picks the night folder
    std::string stem;                             ///< file name without extension
    std::vector<std::uint8_t> raw;                ///< the ARW to keep (empty: none)
    std::shared_ptr<const imaging::Frame> frame;  ///< the image for FITS (null: none)
    std::vector<imaging::FitsCard> cards;
};

/// Writes frames' files on a thread of its own, so an exposure's image is ready as soon as it is
/// decoded, whatever the disk does. Files are written atomically (a crash or a full disk leaves no
/// partial file under the final name) and never replace an existing file (a suffix _2, _3… is
/// added). A failure (full disk, no permission) is logged each time, and kept for the camera to
/// report once, until saving works again (takeFailure()). At most kMaxQueued frames wait; a frame
/// beyond that is not saved (counted as a failure) rather than holding up the camera or growing
/// memory. Thread-safe.
class FrameArchive {
public:
    static constexpr std::size_t kMaxQueued = 3;

    explicit FrameArchive(ArchiveSettings settings);
    /// Writes what is queued, then stops.
    ~FrameArchive();
    FrameArchive(const FrameArchive&) = delete;
    FrameArchive& operator=(const FrameArchive&) = delete;

    const ArchiveSettings& settings() const noexcept { return settings_; }
    bool enabled() const noexcept { return settings_.keep_raw || settings_.save_fits; }

    /// Queues the job; never blocks on the disk.
    void save(ArchiveJob job);
    /// The failure not reported yet, if any; the next call returns nothing until saving has worked
    /// again and then failed again.
    std::optional<std::string> takeFailure();
    /// Waits up to `timeout` until nothing is queued or being written. True if so.
    bool waitUntilIdle(std::chrono::milliseconds timeout);

private:
    void loop(std::stop_token stop);
    void write(ArchiveJob& job);
    void failed(const std::string& message);

    ArchiveSettings settings_;
    std::mutex mutex_;
    std::condition_variable_any wake_;
    std::condition_variable_any idle_;
    std::deque<ArchiveJob> queue_;
    bool busy_ = false;
    bool failing_ = false;
    std::optional<std::string> unreported_;
    std::jthread thread_;  // last: stops before the rest goes
};

}  // namespace sonyalpaca::alpaca
