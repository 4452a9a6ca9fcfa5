// SPDX-License-Identifier: GPL-3.0-or-later
// What the camera keeps of a frame on this computer: the file name, the original ARW, and the FITS
// cards of the served image (FrameArchive writes them on its own thread).
#include "alpaca/CameraDevice.hpp"

#include "config/Log.hpp"
#include "config/TimeText.hpp"
#include "sonyalpaca/Version.hpp"

#include <algorithm>
#include <cmath>

namespace sonyalpaca::alpaca {

ArchiveJob CameraDevice::archiveJob(ptp::Exposure& exposure, const imaging::RawMetadata& m, const ServedFrame& served,
                                    const ExposureRequest& request) const {
    Sensor s;
    {
        std::lock_guard lock(mutex_);
        s = sensor_;
    }
    const unsigned iso = static_cast<unsigned>(std::lround(std::max(m.iso, 0.0)));
    ArchiveJob job;
    job.start = exposure.start;
    job.stem = fmt::format("{}_{:g}s_ISO{}", timetext::local(exposure.start, "%Y-%m-%dT%H%M%S"), exposure.seconds, iso);
    const auto& settings = archive_->settings();
    if (settings.keep_raw) job.raw = std::move(exposure.file);
    if (!settings.save_fits) return job;
    job.frame = served.rows;
    const auto& r = served.region;
    using Card = imaging::FitsCard;
    auto& cards = job.cards;
    cards.push_back(Card{"DATE-OBS", timetext::isoUtcMillis(exposure.start), "UTC start of the exposure"});
    cards.push_back(Card{"EXPTIME", exposure.seconds, "[s] exposure time"});
    cards.push_back(Card{"IMAGETYP", std::string(request.light ? "Light Frame" : "Dark Frame"), "type of image"});
    cards.push_back(Card{"INSTRUME", s.instrument, "camera"});
    if (iso > 0) {
        cards.push_back(Card{"GAIN", std::int64_t{iso}, "the camera's gain setting: its ISO speed"});
        cards.push_back(Card{"ISOSPEED", std::int64_t{iso}, "ISO speed"});
    }
    cards.push_back(Card{"XBINNING", std::int64_t{r.bin}, "binning (2x2 mean in software)"});
    cards.push_back(Card{"YBINNING", std::int64_t{r.bin}, "binning (2x2 mean in software)"});
    if (s.pixel_x_um > 0) cards.push_back(Card{"XPIXSZ", s.pixel_x_um * r.bin, "[um] pixel width, binned"});
    if (s.pixel_y_um > 0) cards.push_back(Card{"YPIXSZ", s.pixel_y_um * r.bin, "[um] pixel height, binned"});
    cards.push_back(Card{"XORGSUBF", std::int64_t{r.start_x}, "subframe origin in binned pixels"});
    cards.push_back(Card{"YORGSUBF", std::int64_t{r.start_y}, "subframe origin in binned pixels"});
    if (r.bin == 1) {
        cards.push_back(Card{"BAYERPAT", std::string("RGGB"), "Bayer pattern of the sensor"});
        cards.push_back(Card{"XBAYROFF", std::int64_t{r.start_x % 2}, "X offset of the image origin in the pattern"});
        cards.push_back(Card{"YBAYROFF", std::int64_t{r.start_y % 2}, "Y offset of the image origin in the pattern"});
    }
    if (m.sensor_temperature_c) cards.push_back(Card{"CCD-TEMP", *m.sensor_temperature_c, "[C] sensor temperature"});
    if (m.ambient_temperature_c) cards.push_back(Card{"AMBTEMP", *m.ambient_temperature_c, "[C] ambient temperature"});
    if (config_.focuser_position)
        if (const auto position = config_.focuser_position())
            cards.push_back(Card{"FOCUSPOS", std::int64_t{*position}, "focuser position at the end of the exposure"});
    if (m.lens) cards.push_back(Card{"LENS", *m.lens, "lens as the camera reports it"});
    // LibRaw keeps these as floats: 2.8 comes back as 2.7999999523.
    if (m.focal_length_mm > 0)
        cards.push_back(Card{"FOCALLEN", std::round(m.focal_length_mm * 10) / 10, "[mm] focal length"});
    if (m.f_number > 0) cards.push_back(Card{"FNUMBER", std::round(m.f_number * 100) / 100, "f-number"});
    cards.push_back(Card{"BLKLEVEL", std::int64_t{m.black_level}, "[ADU] black level of the raw values"});
    cards.push_back(Card{"DATAMAX", std::int64_t{m.max_adu}, "[ADU] the camera's MaxADU"});
    cards.push_back(Card{"SWCREATE", std::string(kProductName) + " " + kVersion, "software that wrote the file"});
    cards.push_back(Card{"COMMENT", std::string("Raw Bayer values decoded by LibRaw, no black level subtracted"), ""});
    return job;
}

}  // namespace sonyalpaca::alpaca
