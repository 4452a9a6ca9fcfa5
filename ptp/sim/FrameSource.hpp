// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace sonyalpaca::ptp::sim {

/// What the virtual body knows about one finished exposure, for the frame source to render.
struct ExposureRecord {
    std::uint32_t sequence = 0;  ///< 1, 2, ... over the body's life
    double duration_s = 0;       ///< the true exposure time
    std::uint32_t iso = 100;     ///< the ISO used (AUTO is resolved before)
    bool bulb = false;
    std::chrono::system_clock::time_point start;
    double lens_position = 0;   ///< units on [0, travel]
    double best_focus = 0;      ///< where stars are sharpest, same units
    double temperature_c = 10;  ///< sensor temperature
    double ambient_c = 10;
    std::uint8_t compression_setting = 0x10;  ///< 0x5004: 0x10 RAW, 0x13 RAW+JPEG, 2..4 JPEG
    std::uint16_t raw_file_type = 0;          ///< 0xD288: 0 uncompressed, 1 compressed, 2 lossless (RawFileTypes)
    bool apsc = false;                        ///< 0xD219 On: a full-frame body's APS-C/Super 35mm crop
    bool live_view_stars = false;             ///< the live view shows the night sky, not the daylight scene
};

/// A file the body hands over after an exposure. Its bytes are read on demand, chunk by chunk, so
/// that a frame waiting for download costs its file's size once, not twice.
struct CapturedFile {
    std::uint16_t format = 0;  ///< code::FormatArw or code::FormatJpeg
    std::string filename;      ///< e.g. "DSC00001.ARW"
    std::uint32_t width = 0;
    std::uint32_t height = 0;
    std::size_t size = 0;  ///< bytes in the file
    /// Copies bytes [offset, offset + out.size()) of the file into `out`.
    std::function<void(std::size_t offset, std::span<std::uint8_t> out)> read;

    /// A file held in memory as it is.
    static CapturedFile fromBytes(std::uint16_t format, std::string filename, std::uint32_t width, std::uint32_t height,
                                  std::vector<std::uint8_t> bytes) {
        auto data = std::make_shared<const std::vector<std::uint8_t>>(std::move(bytes));
        return {format,
                std::move(filename),
                width,
                height,
                data->size(),
                [data](std::size_t offset, std::span<std::uint8_t> out) {
                    std::copy_n(data->begin() + static_cast<std::ptrdiff_t>(offset), out.size(), out.begin());
                }};
    }
};

/// Makes the images of the virtual body. Called from the body's timer thread, one call at a time.
class FrameSource {
public:
    virtual ~FrameSource() = default;
    /// The files of one exposure (an ARW, a JPEG, or both, as the compression setting says).
    virtual std::vector<CapturedFile> capture(const ExposureRecord& exposure) = 0;
    /// One live-view JPEG of the scene as it is now (lens position, best focus).
    virtual std::vector<std::uint8_t> liveView(const ExposureRecord& now) = 0;
    /// Where the lens must be for the live view's scene to be sharpest (it need not be the stars'
    /// best focus); nullopt when the source does not say.
    virtual std::optional<double> liveViewFocus(const ExposureRecord& /*now*/) const { return std::nullopt; }
    /// True if the source can make APS-C/Super 35mm frames (ExposureRecord::apsc).
    virtual bool hasApscMode() const { return false; }
    /// Why capture() could not make the files of `exposure`, asked before the shutter opens so that
    /// the body refuses the exposure at once (libgphoto2 would otherwise wait 35 s for a file that
    /// never comes); nullopt when it can.
    virtual std::optional<std::string> cannotCapture(const ExposureRecord& /*exposure*/) const { return std::nullopt; }
};

}  // namespace sonyalpaca::ptp::sim
