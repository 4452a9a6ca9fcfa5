// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "alpaca/BodyMemory.hpp"
#include "alpaca/CameraEngine.hpp"
#include "alpaca/DeviceBase.hpp"
#include "alpaca/FrameArchive.hpp"
#include "alpaca/ServedFrame.hpp"
#include "config/BodyDatabase.hpp"
#include "config/LensDatabase.hpp"
#include "imaging/FrameStats.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace sonyalpaca::alpaca {

/// What the camera device is configured with.
struct CameraConfig {
    /// Per-model sensor facts (size, pixel size, exposure range); null or a body missing from it:
    /// the size is learned from the first image.
    std::shared_ptr<const config::BodyDatabase> bodies;
    ArchiveSettings files;  ///< which files to keep on this computer
    /// The focuser's position for the FOCUSPOS card of FITS files; empty, or nothing returned: no card.
    std::function<std::optional<long>()> focuser_position;
    /// The RAW file type set at every connect ("Uncompressed RAW", "Compressed RAW"); empty: the body's
    /// own (what its backend prepared). ReadoutMode changes it until the next connect.
    std::string raw_type{};
    /// The lens profiles, for the lens's image circle (an APS-C lens crops a full-frame body); null: unknown.
    std::shared_ptr<const config::LensDatabase> lenses{};
    /// The optics' focal length for HFR in arc-seconds when the file records none; 0: unknown.
    double focal_length_mm = 0;
};

/// The last frame as the setup page shows it: a stretched colour thumbnail (imaging::makeThumbnail)
/// as a JPEG, made once per frame on the exposure thread.
struct FramePreview {
    std::uint64_t number = 0;                     ///< frames decoded since the daemon started, this one included
    std::chrono::system_clock::time_point start;  ///< when the exposure started
    double seconds = 0;                           ///< the exposure's duration
    unsigned frame_width = 0;                     ///< the Bayer frame it shows
    unsigned frame_height = 0;
    unsigned width = 0;  ///< the thumbnail
    unsigned height = 0;
    std::vector<std::uint8_t> jpeg;
};

/// The last frame's figures for a person at the telescope (imaging::computeFrameStats): stars, median
/// HFR, background and noise, clipped fraction, histograms; made once per frame on the exposure thread.
struct FrameFigures {
    std::uint64_t number = 0;                     ///< the frame, as FramePreview::number counts it
    std::chrono::system_clock::time_point start;  ///< when the exposure started
    double seconds = 0;                           ///< the exposure's duration
    double pixel_um = 0;                          ///< the sensor's pixel size used for arc-seconds; 0: unknown
    double focal_length_mm = 0;                   ///< the focal length used (the file's, else the setting); 0: unknown
    double cost_ms = 0;                           ///< what computing the figures took
    imaging::FrameStats stats;
};

/// The figures as the Action "framestats" and /setup/status.json give them: {"frame", "start" (ISO UTC),
/// "exposure_s", "stars", "measured_stars", "saturated_stars", "median_hfr_px", "median_hfr_arcsec"
/// (null when unknown), "focal_length_mm", "pixel_um" (null when unknown), "background_adu",
/// "noise_adu", "clipped_fraction", "histogram": {"bin_width_adu", "red", "green", "blue"}, "cost_ms"}.
nlohmann::ordered_json frameFiguresJson(const FrameFigures& figures);

/// The Alpaca Camera (ICameraV4) on a Sony body: every member truthful (alpaca.md §3, ConformU
/// C1–C55). Exposures run on a thread of their own (CameraEngine): the body exposes (the nearest
/// listed shutter speed up to 30 s, BULB beyond), the ARW comes into memory, LibRaw decodes the
/// Bayer mosaic of its visible area (RGGB from (0, 0)), the subframe is cut and binned (2x2 mean),
/// and the ImageBytes are built once for every client. ISO is the Gain (index mode), the body's
/// RAW file types are the readout modes. Values that need the body (ISO list, RAW types, shutter
/// speeds) are read at connect and kept, so no request waits on a body that is busy exposing.
class CameraDevice final : public DeviceBase {
public:
    explicit CameraDevice(std::shared_ptr<BodySession> session, CameraConfig config = {});
    ~CameraDevice() override;

    /// The preview of the last frame decoded (kept across disconnects); null before the first.
    /// Thread-safe.
    std::shared_ptr<const FramePreview> preview() const;
    /// The figures of the last frame decoded (kept across disconnects); null before the first.
    /// Thread-safe.
    std::shared_ptr<const FrameFigures> figures() const;

private:
    /// What is known about the body's sensor; guarded by mutex_.
    struct Sensor {
        std::string model;       ///< "ILCE-7M3"
        std::string instrument;  ///< "Sony ILCE-7M3"
        unsigned width = 0;      ///< the decoded frame (LibRaw's visible area, even sides); 0 = not known yet
        unsigned height = 0;
        double pixel_x_um = 0;  ///< 0 = not known
        double pixel_y_um = 0;
        std::string sensor_name;
        double exposure_min_s = 1.0 / 8000;
        double exposure_max_s = 3600;
        unsigned max_adu = 16383;  ///< 14 bits until a frame says otherwise
        std::optional<double> ccd_temperature;
        std::vector<double> speeds;                      ///< listed shutter speeds, longest first
        BodyMemory::Mode mode = BodyMemory::Mode::Full;  ///< the sensor area, as decided at connect
        std::string body_key;                            ///< BodyMemory's key of the body
    };
    /// One ISO the body offers, as a Gains entry.
    struct IsoChoice {
        std::string body_value;  ///< as the body names it ("800")
        unsigned iso = 0;
    };

    void addMembers();
    void onConnected() override;
    void onDisconnecting() noexcept override;
    nlohmann::json deviceState() const override;

    /// A copy of the sensor facts.
    Sensor sensor() const;
    /// Busy unless the camera is Idle or Error (Needs::Idle).
    std::optional<std::string> busyReason() const override;
    /// The last exposure; InvalidOperation before the first.
    LastExposure lastExposure() const;
    void startExposure(double duration, bool light);
    /// The exposure thread's work after the download: decode, learn, subframe, ImageBytes, files.
    std::shared_ptr<const imaging::ImageBytes> process(ptp::Exposure& exposure, const ExposureRequest& request);
    /// Takes what a decoded frame tells (size, MaxADU, temperature, ISO) and reports it to the session.
    void learn(const imaging::RawFrame& frame);
    /// Makes the preview of a decoded frame and keeps it; a failure is logged, never thrown.
    void makePreview(const imaging::RawFrame& frame, const ptp::Exposure& exposure, std::uint64_t number) noexcept;
    /// Computes the figures of a decoded frame and keeps them; a failure is logged, never thrown.
    void makeFigures(const imaging::RawFrame& frame, const ptp::Exposure& exposure, std::uint64_t number) noexcept;
    ArchiveJob archiveJob(ptp::Exposure& exposure, const imaging::RawMetadata& metadata, const ServedFrame& served,
                          const ExposureRequest& request) const;
    double bodySeconds(double requested) const;  // lock held

    CameraConfig config_;
    mutable std::mutex mutex_;  // guards everything below but the archive and the engine
    Sensor sensor_;
    // Frame sizes seen, by body key and mode, when the session keeps no BodyMemory (tests).
    std::map<std::pair<std::string, BodyMemory::Mode>, BodyMemory::Size> learned_sizes_;
    std::vector<IsoChoice> isos_;
    std::optional<std::size_t> gain_;  // index into isos_ of the body's ISO
    std::string body_iso_;             // the body's ISO as it names it
    std::vector<std::string> readout_modes_;
    bool readout_settable_ = false;  // the modes are the body's RAW file types
    std::size_t readout_mode_ = 0;
    std::int32_t bin_x_ = 1, bin_y_ = 1;
    std::int32_t num_x_ = 0, num_y_ = 0, start_x_ = 0, start_y_ = 0;
    std::shared_ptr<const FramePreview> preview_;
    std::shared_ptr<const FrameFigures> figures_;
    std::uint64_t frames_ = 0;  // frames decoded, for FramePreview::number and FrameFigures::number

    std::unique_ptr<FrameArchive> archive_;
    std::unique_ptr<CameraEngine> engine_;  // last: its threads stop before the rest goes
};

}  // namespace sonyalpaca::alpaca
