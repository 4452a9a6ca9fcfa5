// SPDX-License-Identifier: GPL-3.0-or-later
#include "ptp/sim/SkyFrameSource.hpp"

#include "config/TimeText.hpp"
#include "imaging/Jpeg.hpp"
#include "ptp/sim/PtpCodes.hpp"
#include "ptp/sim/RawFileTypes.hpp"
#include "ptp/sim/sky/ArwFile.hpp"
#include "ptp/sim/sky/DefocusModel.hpp"
#include "ptp/sim/sky/FocusTarget.hpp"
#include "ptp/sim/sky/PreviewJpeg.hpp"
#include "ptp/sim/sky/SkyRenderer.hpp"
#include "ptp/sim/sky/SonyMakerNote.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <optional>
#include <stdexcept>

namespace sonyalpaca::ptp::sim {
namespace {
unsigned even(double value) { return static_cast<unsigned>(value / 2) * 2; }

/// The raw frame of `body`, shrunk by `scale`. The raw width is rounded up to a multiple of 32, as
/// Sony's cRAW blocks need (the real ILCE-7M3 reads out 6048 columns, the database lists 6024); the
/// visible crop is centred on even offsets, so the first visible photosite is red.
SensorLayout layoutOf(const config::BodyEntry& body, unsigned scale) {
    SensorLayout layout;
    layout.raw_width = (static_cast<unsigned>(body.sensor_width) / scale + 31) / 32 * 32;
    layout.raw_height = even(static_cast<double>(body.sensor_height) / scale);
    layout.crop_width = std::min(even(static_cast<double>(body.cropped_width) / scale), layout.raw_width);
    layout.crop_height = std::min(even(static_cast<double>(body.cropped_height) / scale), layout.raw_height);
    layout.crop_left = even((layout.raw_width - layout.crop_width) / 2.0);
    layout.crop_top = even((layout.raw_height - layout.crop_height) / 2.0);
    layout.validate();
    return layout;
}

/// The raw frame of a full-frame body's APS-C/Super 35mm mode, shrunk by `scale`:
/// BodyEntry::apscRawSize() (the size the daemon expects at connect, alpaca/FrameSize.cpp); the
/// crop is the APS-C DefaultCrop, else Sony's image size. None when the body has no such mode or
/// the data knows no APS-C size.
std::optional<SensorLayout> apscLayoutOf(const config::BodyEntry& body, unsigned scale) {
    const auto raw = body.apscRawSize();
    if (!raw) return std::nullopt;
    const config::ApscMode& apsc = *body.apsc;
    config::BodyEntry mode;
    mode.sensor_width = raw->first;
    mode.sensor_height = raw->second;
    const bool crop_known = apsc.crop_width > 0 && apsc.crop_height > 0;
    mode.cropped_width = crop_known ? apsc.crop_width : apsc.image_width > 0 ? apsc.image_width : raw->first;
    mode.cropped_height = crop_known ? apsc.crop_height : apsc.image_height > 0 ? apsc.image_height : raw->second;
    return layoutOf(mode, scale);
}

/// The frame of a lossless file: `layout` padded right and below to whole tiles, as bodies write it
/// (an ILCE-7M4 reads out 7040x4688 and writes 7168x5120; arw.md §1), the crop where it was.
SensorLayout tilePadded(SensorLayout layout) {
    const unsigned tile = SonyLosslessCodec::kTileSize;
    layout.raw_width = (layout.raw_width + tile - 1) / tile * tile;
    layout.raw_height = (layout.raw_height + tile - 1) / tile * tile;
    return layout;
}

/// `image` grown in place to `padded` (same crop, larger raw size), the new photosites at the black
/// level: the same sky as the other RAW types, with no light beyond the sensor's readout.
void padTo(RawImage& image, const SensorLayout& padded) {
    const SensorLayout old = image.layout;
    if (old == padded) return;
    image.pixels.resize(padded.pixelCount(), static_cast<std::uint16_t>(image.black_level));
    for (unsigned y = old.raw_height; y-- > 0;) {
        auto* from = image.pixels.data() + std::size_t{y} * old.raw_width;
        auto* to = image.pixels.data() + std::size_t{y} * padded.raw_width;
        std::copy_backward(from, from + old.raw_width, to + old.raw_width);
        std::fill(to + old.raw_width, to + padded.raw_width, static_cast<std::uint16_t>(image.black_level));
    }
    std::fill(image.pixels.begin() + static_cast<std::ptrdiff_t>(std::size_t{old.raw_height} * padded.raw_width),
              image.pixels.end(), static_cast<std::uint16_t>(image.black_level));
    image.layout = padded;
}

class SkyFrameSource final : public FrameSource {
public:
    SkyFrameSource(const config::BodyEntry& body, unsigned scale, std::uint64_t seed, double travel_hint,
                   std::string lens_name)
        : model_(body.model),
          camera_id_(cameraIdOf(body)),
          lens_name_(std::move(lens_name)),
          layout_(layoutOf(body, scale)),
          apsc_layout_(apscLayoutOf(body, scale)),
          seed_(seed),
          travel_hint_(travel_hint),
          target_(FocusTarget::Options{640, 424, seed, 60.0, 1.5}),
          stars_(StarView::Options{640, 424, seed, 60, 60.0, 10.0, 1.0}) {}

    std::vector<CapturedFile> capture(const ExposureRecord& exposure) override {
        const SensorLayout& layout = exposure.apsc && apsc_layout_ ? *apsc_layout_ : layout_;
        RawImage image = render(layout, exposure, exposure.duration_s, exposure.sequence);
        std::vector<CapturedFile> files;
        const bool raw = exposure.compression_setting >= 0x10;
        const bool jpeg = exposure.compression_setting < 0x10 || exposure.compression_setting > 0x10;
        char name[32];
        std::snprintf(name, sizeof name, "DSC%05u", exposure.sequence % 100000);
        if (jpeg) {
            files.push_back(CapturedFile::fromBytes(code::FormatJpeg, std::string(name) + ".JPG", layout.crop_width,
                                                    layout.crop_height, previewJpeg(image, 1616)));
        }
        if (raw) {
            ArwInfo info;
            info.model = model_;
            info.camera_id = camera_id_;
            info.exposure_s = std::max(exposure.duration_s, 1e-5);
            info.iso = exposure.iso;
            info.sensor_temperature_c = std::round(exposure.temperature_c);
            info.ambient_temperature_c = std::round(exposure.ambient_c);
            info.date_time = timetext::utc(exposure.start, "%Y:%m:%d %H:%M:%S");
            info.lens_model = lens_name_;
            const ArwKind kind = exposure.raw_file_type == raw_file_type::Uncompressed ? ArwKind::Uncompressed
                                 : exposure.raw_file_type == raw_file_type::Lossless   ? ArwKind::Lossless
                                                                                       : ArwKind::Compressed;
            if (kind == ArwKind::Lossless) padTo(image, tilePadded(layout));
            const SensorLayout written = image.layout;
            // The file keeps the frame's pixels (or only its coded data) and serves its bytes chunk
            // by chunk: no second copy.
            auto file = std::make_shared<const ArwFile>(std::move(image), info, kind);
            CapturedFile arw{code::FormatArw,
                             std::string(name) + ".ARW",
                             written.raw_width,
                             written.raw_height,
                             file->size(),
                             [file](std::size_t offset, std::span<std::uint8_t> out) {
                                 file->read(offset, out); }};
            // RAW before JPEG, as libgphoto2 downloads the first object as the capture's file.
            files.insert(files.begin(), std::move(arw));
        }
        return files;
    }

    bool hasApscMode() const override { return apsc_layout_.has_value(); }

    std::optional<std::string> cannotCapture(const ExposureRecord& exposure) const override {
        if (exposure.compression_setting >= 0x10 && !camera_id_)
            return "no Sony model id is known for the " + model_ +
                   " (sony_model_id in sony-bodies.json), so no ARW "
                   "can name it; JPEG only works";
        if (exposure.apsc && !apsc_layout_)
            return "the body data knows no APS-C/Super 35mm size for the " + model_ + "; set --apsc off";
        return std::nullopt;
    }

    std::vector<std::uint8_t> liveView(const ExposureRecord& now) override {
        const double distance = (now.lens_position - *liveViewFocus(now)) / std::max(travel_hint_, 1.0);
        ++live_sequence_;
        return imaging::encodeJpeg(now.live_view_stars ? stars_.render(distance, live_sequence_)
                                                       : target_.render(distance, live_sequence_),
                                   80);
    }

    std::optional<double> liveViewFocus(const ExposureRecord& now) const override {
        // By day the live view shows a detailed scene a little nearer than the stars (lens learning
        // is done on such a scene); at night the stars, sharp at their best focus.
        return now.live_view_stars ? now.best_focus : now.best_focus - 0.08 * std::max(travel_hint_, 1.0);
    }

private:
    RawImage render(const SensorLayout& layout, const ExposureRecord& exposure, double seconds,
                    std::uint64_t noise) const {
        DefocusModel::Parameters focus;
        // Critical focus spans about the same fraction of the travel on every lens.
        focus.slope_px_per_unit = 40.0 / std::max(travel_hint_, 1.0);
        const DefocusModel defocus(focus);
        SkyConditions conditions;
        conditions.seed = seed_;
        conditions.noise_seed = noise;
        conditions.exposure_s = std::max(seconds, 1e-5);
        conditions.iso = exposure.iso;
        conditions.star_fwhm_px = defocus.fwhmPx(exposure.lens_position - exposure.best_focus);
        return renderSky(layout, conditions);
    }

    /// The maker-note model id: the body data's, else the ARW writer's own table's.
    static std::optional<std::uint16_t> cameraIdOf(const config::BodyEntry& body) {
        if (body.sony_model_id > 0) return static_cast<std::uint16_t>(body.sony_model_id);
        return SonyMakerNote::cameraId(body.model);
    }

    std::string model_;
    std::optional<std::uint16_t> camera_id_;
    std::string lens_name_;
    SensorLayout layout_;
    std::optional<SensorLayout> apsc_layout_;
    std::uint64_t seed_;
    double travel_hint_;
    FocusTarget target_;
    StarView stars_;
    std::uint64_t live_sequence_ = std::uint64_t{1} << 40;
};
}  // namespace

std::shared_ptr<FrameSource> makeSkyFrameSource(const config::BodyEntry& body, unsigned sensor_scale,
                                                std::uint64_t seed, double lens_travel, std::string lens_name) {
    if (sensor_scale < 1) throw std::invalid_argument("sensor scale must be at least 1");
    return std::make_shared<SkyFrameSource>(body, sensor_scale, seed, lens_travel, std::move(lens_name));
}

}  // namespace sonyalpaca::ptp::sim
