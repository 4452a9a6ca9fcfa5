// SPDX-License-Identifier: GPL-3.0-or-later
#include "alpaca/CameraDevice.hpp"

#include "alpaca/AlpacaError.hpp"
#include "alpaca/FrameSize.hpp"
#include "alpaca/ImageReply.hpp"
#include "config/DecodeSupport.hpp"
#include "config/Log.hpp"
#include "config/RawTypes.hpp"
#include "config/TimeText.hpp"
#include "imaging/Jpeg.hpp"
#include "imaging/RawDecoder.hpp"
#include "imaging/Thumbnail.hpp"

#include <algorithm>
#include <cmath>
#include <system_error>
#include <thread>

namespace sonyalpaca::alpaca {
namespace {
/// A duration for messages and file names, as printf's %g writes it: 0.5, 30, 1e-05.
std::string secondsText(double value) { return fmt::format("{:g}", value); }

constexpr int kMaxBin = 2;
constexpr int kSensorTypeRggb = 2;
constexpr double kLongestListed = 30.0;  // seconds; BULB beyond (ptp::Body::expose)
constexpr auto kDisconnectWait = std::chrono::seconds(2);
constexpr int kPreviewQuality = 80;  // JPEG quality of the setup page's preview

/// "800" → 800; nothing for "Auto ISO" and other non-numeric choices.
std::optional<unsigned> isoNumber(const std::string& text) {
    if (text.empty() || text.size() > 7 || text.find_first_not_of("0123456789") != std::string::npos)
        return std::nullopt;
    const unsigned value = static_cast<unsigned>(std::stoul(text));
    return value > 0 ? std::optional<unsigned>(value) : std::nullopt;
}

template <typename T>
T checkedIndex(std::int32_t value, std::size_t count, const char* name, const char* list) {
    if (value < 0 || static_cast<std::size_t>(value) >= count)
        throw AlpacaError::invalidValue(std::string(name) + " " + std::to_string(value) + " is not an index of " +
                                        list + "; allowed: 0 to " + std::to_string(static_cast<long>(count) - 1));
    return static_cast<T>(value);
}
}  // namespace

CameraDevice::CameraDevice(std::shared_ptr<BodySession> session, CameraConfig config)
    : DeviceBase({"Camera", "Sony camera", "Sony Alpha camera body (sonyalpaca)"}, std::move(session)),
      config_(std::move(config)),
      archive_(std::make_unique<FrameArchive>(config_.files)),
      engine_(std::make_unique<CameraEngine>(this->session().body(),
                                             [this](ptp::Exposure& exposure, const ExposureRequest& request) {
                                                 return process(exposure, request);
                                             })) {
    addMembers();
}

CameraDevice::~CameraDevice() { shutdown(); }

void CameraDevice::addMembers() {
    using enum Needs;
    // Capabilities: fixed for every Sony body, readable before connecting.
    addGet("CanAbortExposure", Nothing, [] { return true; });
    addGet("CanAsymmetricBin", Nothing, [] { return false; });
    addGet("CanFastReadout", Nothing, [] { return false; });
    addGet("CanGetCoolerPower", Nothing, [] { return false; });
    addGet("CanPulseGuide", Nothing, [] { return false; });
    addGet("CanSetCCDTemperature", Nothing, [] { return false; });
    addGet("CanStopExposure", Nothing, [] { return true; });
    // A mechanical shutter cannot be closed for a dark on command: Light is ignored (alpaca.md §3.2).
    addGet("HasShutter", Nothing, [] { return false; });
    addGet("MaxBinX", Nothing, [] { return kMaxBin; });
    addGet("MaxBinY", Nothing, [] { return kMaxBin; });
    addGet("SensorType", Nothing, [] { return kSensorTypeRggb; });
    // The decoder crops the frame so that (0, 0) is a red photosite.
    addGet("BayerOffsetX", Nothing, [] { return 0; });
    addGet("BayerOffsetY", Nothing, [] { return 0; });

    // The sensor.
    for (const char* name : {"CameraXSize", "CameraYSize"}) {
        const bool x = std::string_view(name) == "CameraXSize";
        addGet(name, Connected, [this, x, name]() -> nlohmann::json {
            const auto s = sensor();
            if ((x ? s.width : s.height) == 0)
                throw AlpacaError::invalidOperation(std::string(name) + " is not known before the first image: the " +
                                                    s.model + " is not in the body database; take an exposure");
            return x ? s.width : s.height;
        });
    }
    for (const char* name : {"PixelSizeX", "PixelSizeY"}) {
        const bool x = std::string_view(name) == "PixelSizeX";
        addGet(name, Connected, [this, x, name]() -> nlohmann::json {
            const auto s = sensor();
            const double size = x ? s.pixel_x_um : s.pixel_y_um;
            if (!(size > 0))
                throw AlpacaError::notImplemented(std::string("Camera.") + name + ": the pixel size of the " + s.model +
                                                  " is not in the body database");
            return size;
        });
    }
    addGet("SensorName", Connected, [this] { return sensor().sensor_name; });
    addGet("MaxADU", Connected, [this] { return sensor().max_adu; });
    addGet("ExposureMin", Connected, [this] { return sensor().exposure_min_s; });
    addGet("ExposureMax", Connected, [this] { return sensor().exposure_max_s; });
    // Up to 30 s the body takes the nearest of its listed speeds (thirds of a stop), beyond that
    // BULB timed by this computer: there is no fixed step, which Alpaca writes as 0.
    addGet("ExposureResolution", Connected, [] { return 0.0; });
    addGet("CCDTemperature", Connected, [this]() -> nlohmann::json {
        const auto s = sensor();
        if (!s.ccd_temperature)
            throw AlpacaError::notImplemented(
                "Camera.CCDTemperature: the sensor temperature comes from the maker notes of an "
                "image; there is none yet, or the body does not record it");
        return *s.ccd_temperature;
    });

    // What a Sony body does not have or Sony does not publish.
    addAbsent("ElectronsPerADU", Verb::Get,
              "Sony does not publish the conversion gain of its sensors, and it changes with the ISO");
    addAbsent("FullWellCapacity", Verb::Get, "Sony does not publish the full-well capacity of its sensors");
    const std::string no_cooler = "a Sony body has no cooler";
    addAbsent("CoolerOn", Verb::Get, no_cooler);
    addAbsent("CoolerOn", Verb::Put, no_cooler, {{"CoolerOn", ParamType::Bool}});
    addAbsent("CoolerPower", Verb::Get, no_cooler);
    addAbsent("HeatSinkTemperature", Verb::Get, no_cooler + " and reports no heat-sink temperature");
    addAbsent("SetCCDTemperature", Verb::Get, no_cooler + " (CanSetCCDTemperature is false)");
    addAbsent("SetCCDTemperature", Verb::Put, no_cooler + " (CanSetCCDTemperature is false)",
              {{"SetCCDTemperature", ParamType::Double}});
    const std::string no_fast = "the body has one readout speed (CanFastReadout is false); see ReadoutModes";
    addAbsent("FastReadout", Verb::Get, no_fast);
    addAbsent("FastReadout", Verb::Put, no_fast, {{"FastReadout", ParamType::Bool}});
    addAbsent("PulseGuide", Verb::Put, "a Sony body has no guide port (CanPulseGuide is false)",
              {{"Direction", ParamType::Int}, {"Duration", ParamType::Int}});
    const std::string no_offset = "the black level of a Sony raw file is fixed by the body";
    addAbsent("Offset", Verb::Get, no_offset);
    addAbsent("Offset", Verb::Put, no_offset, {{"Offset", ParamType::Int}});
    addAbsent("OffsetMin", Verb::Get, no_offset);
    addAbsent("OffsetMax", Verb::Get, no_offset);
    addAbsent("Offsets", Verb::Get, no_offset);
    const std::string no_sub = "the body takes one exposure per image";
    addAbsent("SubExposureDuration", Verb::Get, no_sub);
    addAbsent("SubExposureDuration", Verb::Put, no_sub, {{"SubExposureDuration", ParamType::Double}});
    const std::string index_mode = "Gain is an index into Gains (the body's ISO list), so there is no minimum or "
                                   "maximum value";
    addAbsent("GainMin", Verb::Get, index_mode);
    addAbsent("GainMax", Verb::Get, index_mode);
    addGet("IsPulseGuiding", Connected, [] { return false; });

    // ISO as Gain, in index mode.
    addGet("Gains", Connected, [this] {
        std::lock_guard lock(mutex_);
        std::vector<std::string> names;
        for (const auto& choice : isos_) names.push_back("ISO " + std::to_string(choice.iso));
        return names;
    });
    addGet("Gain", Connected, [this]() -> nlohmann::json {
        std::lock_guard lock(mutex_);
        if (!gain_)
            throw AlpacaError::invalidOperation("the body's ISO is \"" + body_iso_ +
                                                "\", which is not one of Gains; write Gain to choose an ISO");
        return *gain_;
    });
    addPut("Gain", {{"Gain", ParamType::Int}}, Idle, [this](const Arguments& a) {
        IsoChoice choice;
        std::size_t index = 0;
        {
            std::lock_guard lock(mutex_);
            index = checkedIndex<std::size_t>(a.get<std::int32_t>("Gain"), isos_.size(), "Gain", "Gains");
            choice = isos_[index];
        }
        session().body().setIso(choice.body_value);
        std::lock_guard lock(mutex_);
        gain_ = index;
        body_iso_ = choice.body_value;
        log::get("alpaca")->info("ISO set to {}", choice.iso);
    });

    // The body's RAW file types as readout modes.
    addGet("ReadoutModes", Connected, [this] {
        std::lock_guard lock(mutex_);
        return readout_modes_;
    });
    addGet("ReadoutMode", Connected, [this] {
        std::lock_guard lock(mutex_);
        return readout_mode_;
    });
    addPut("ReadoutMode", {{"ReadoutMode", ParamType::Int}}, Idle, [this](const Arguments& a) {
        std::string mode;
        std::size_t index = 0;
        bool settable = false;
        {
            std::lock_guard lock(mutex_);
            index = checkedIndex<std::size_t>(a.get<std::int32_t>("ReadoutMode"), readout_modes_.size(), "ReadoutMode",
                                              "ReadoutModes");
            mode = readout_modes_[index];
            settable = readout_settable_;
        }
        if (settable) {
            session().body().setRawType(mode);
            log::get("alpaca")->info("RAW file type set to {}", mode);
        }
        std::lock_guard lock(mutex_);
        readout_mode_ = index;
    });

    // Binning and the subframe: the setters keep any value but a bin size; StartExposure checks them
    // together.
    const auto addInt = [this](const char* name, std::int32_t& field, auto check) {
        addProperty(
            name, ParamType::Int, Needs::Connected,
            [this, &field] {
                std::lock_guard lock(mutex_);
                return field;
            },
            [this, &field, name, check](const Arguments& a) {
                const std::int32_t value = a.get<std::int32_t>(name);
                check(name, value);
                std::lock_guard lock(mutex_);
                field = value;
            });
    };
    const auto anyValue = [](const char*, std::int32_t) {};
    const auto binSize = [](const char* name, std::int32_t bin) {
        if (bin < 1 || bin > kMaxBin)
            throw AlpacaError::invalidValue(std::string(name) + " " + std::to_string(bin) +
                                            " is not supported; allowed: 1 or 2 (2x2 binning in software, the mean "
                                            "of each 2x2 cell)");
    };
    addInt("BinX", bin_x_, binSize);
    addInt("BinY", bin_y_, binSize);
    addInt("NumX", num_x_, anyValue);
    addInt("NumY", num_y_, anyValue);
    addInt("StartX", start_x_, anyValue);
    addInt("StartY", start_y_, anyValue);

    // Exposures.
    addPut("StartExposure", {{"Duration", ParamType::Double}, {"Light", ParamType::Bool}}, Idle,
           [this](const Arguments& a) { startExposure(a.get<double>("Duration"), a.get<bool>("Light")); });
    addPut("StopExposure", {}, Connected, [this](const Arguments&) { engine_->stop(); });
    addPut("AbortExposure", {}, Connected, [this](const Arguments&) { engine_->abort(); });
    addGet("CameraState", Connected, [this] { return static_cast<int>(engine_->state()); });
    addGet("PercentCompleted", Connected, [this]() -> nlohmann::json {
        if (const auto percent = engine_->percentCompleted()) return *percent;
        throw AlpacaError::invalidOperation(std::string("PercentCompleted is known while the camera is Waiting or "
                                                        "Exposing; it is ") +
                                            cameraStateName(engine_->state()));
    });
    addGet("ImageReady", Connected, [this] { return engine_->imageReady(); });
    addGet("LastExposureDuration", Connected, [this]() -> nlohmann::json { return lastExposure().duration_s; });
    addGet("LastExposureStartTime", Connected,
           [this]() -> nlohmann::json { return timetext::isoUtcMillis(lastExposure().start); });
    for (const char* name : {"ImageArray", "ImageArrayVariant"})
        addReplyGet(name, Connected,
                    [this](const ReplyContext& context) { return imageArrayReply(engine_->image(), context); });

    // The last frame's figures (stars, HFR, background, histograms) as JSON; kept across disconnects,
    // so readable without connecting.
    addAction("framestats", Nothing, [this](const std::string&) {
        const auto last = figures();
        if (!last)
            throw AlpacaError::invalidOperation(
                "no frame yet: take an exposure first (Action framestats gives the figures of the last frame "
                "this daemon decoded: stars, median HFR, background and noise, clipped fraction, histograms)");
        return frameFiguresJson(*last).dump();
    });
}

CameraDevice::Sensor CameraDevice::sensor() const {
    std::lock_guard lock(mutex_);
    return sensor_;
}

std::optional<std::string> CameraDevice::busyReason() const {
    const CameraState state = engine_->state();
    if (state == CameraState::Idle || state == CameraState::Error) return std::nullopt;
    return std::string("the camera is ") + cameraStateName(state) + "; wait until the exposure is done";
}

LastExposure CameraDevice::lastExposure() const {
    auto last = engine_->lastExposure();
    if (!last) throw AlpacaError::invalidOperation("no exposure has been taken since connecting");
    return *last;
}

void CameraDevice::onConnected() {
    auto& body = session().body();
    const auto logger = log::get("alpaca");
    const auto identity = body.identity();
    Sensor sensor;
    sensor.model = identity.model;
    sensor.instrument = "Sony " + identity.model;
    const config::BodyEntry* entry = config_.bodies ? config_.bodies->find(identity.model) : nullptr;
    if (entry) {
        sensor.pixel_x_um = entry->pixel_size_x_um;
        sensor.pixel_y_um = entry->pixel_size_y_um;
        sensor.sensor_name = entry->sensor_name;
        if (entry->exposure_min_s > 0) sensor.exposure_min_s = entry->exposure_min_s;
        if (entry->exposure_max_s > 0) sensor.exposure_max_s = entry->exposure_max_s;
    } else {
        logger->warn("the {} is not in the body database: its frame size is learned from the first image, its "
                     "pixel size is unknown",
                     identity.model);
    }
    // What the body offers; a body that cannot list one of them still works without it.
    const auto read = [&logger](const char* what, auto reader) -> decltype(reader()) {
        try {
            return reader();
        } catch (const ptp::BodyUnavailable&) {
            throw;
        } catch (const std::exception& e) {
            logger->warn("camera: cannot read the body's {}: {}", what, e.what());
            return {};
        }
    };
    // The frame size before the first image (FrameSize.hpp): the body's crop setting or the lens's
    // image circle, and the size this body delivered last time in that mode.
    sensor.body_key = BodyMemory::keyOf(identity.model, identity.serial);
    const std::optional<bool> crop =
        entry && entry->sensor_format == "full-frame"
            ? read("APS-C/Super 35mm setting", [&]() -> std::optional<bool> { return body.sensorCrop(); })
            : std::nullopt;
    const std::string lens_name = session().reportedLens();
    const config::LensEntry* lens = config_.lenses && !lens_name.empty() ? config_.lenses->find(lens_name) : nullptr;
    BodyMemory* memory = session().memory();
    const auto size =
        frameSizeAtConnect(entry, crop, lens, [&](BodyMemory::Mode mode) -> std::optional<BodyMemory::Size> {
            if (memory) return memory->frameSize(sensor.body_key, mode);
            std::lock_guard lock(mutex_);
            const auto found = learned_sizes_.find({sensor.body_key, mode});
            if (found == learned_sizes_.end()) return std::nullopt;
            return found->second;
        });
    sensor.mode = size.mode;
    sensor.width = size.width;
    sensor.height = size.height;
    logger->info("camera: {} frames expected ({}): {}",
                 size.width ? std::to_string(size.width) + "x" + std::to_string(size.height) : "unknown-size",
                 size.mode == BodyMemory::Mode::Apsc ? "APS-C/Super 35mm crop" : "whole sensor", size.reason);
    sensor.speeds = read("shutter speeds", [&] { return body.shutterSpeeds(); });
    if (!entry && !sensor.speeds.empty()) sensor.exposure_min_s = sensor.speeds.back();
    std::vector<IsoChoice> isos;
    for (const auto& choice : read("ISO choices", [&] { return body.isoChoices(); }))
        if (const auto iso = isoNumber(choice)) isos.push_back({choice, *iso});
    const std::string body_iso = read("ISO", [&] { return body.iso(); });
    // A body whose files this process's LibRaw cannot decode correctly is refused here, with the
    // body, the LibRaw version and the fix: never a wrong or black frame (docs/BODIES.md).
    const std::vector<std::string> offered_types = read("RAW file types", [&] { return body.rawTypes(); });
    if (entry) {
        if (const auto problem =
                config::bodyDecodeProblem(*entry, offered_types, config::libRawSeries(), config::libRawVersion())) {
            logger->error("camera: {}", *problem);
            throw AlpacaError(ErrorCode::Unspecified, *problem);
        }
    }
    std::vector<std::string> modes;
    for (const auto& type : offered_types) {
        if (const auto problem = config::rawTypeProblem(type))
            logger->info("camera: the body's RAW file type {} is not offered as a readout mode: {}", type, *problem);
        else
            modes.push_back(type);
    }
    std::string current_type = modes.empty() ? std::string() : read("RAW file type", [&] { return body.rawType(); });
    // The configured type (raw_type) if the body offers it; otherwise one this LibRaw cannot decode is replaced.
    std::string wanted = current_type;
    if (!config_.raw_type.empty()) {
        if (std::find(modes.begin(), modes.end(), config_.raw_type) != modes.end()) {
            wanted = config_.raw_type;
        } else {
            std::string offered;
            for (const auto& mode : modes) offered += (offered.empty() ? "" : ", ") + mode;
            logger->warn("camera: raw_type is \"{}\", which the body does not offer (it offers: {}); left as it is",
                         config_.raw_type, offered.empty() ? "no RAW file type the daemon can decode" : offered);
        }
    }
    if (!modes.empty() && std::find(modes.begin(), modes.end(), wanted) == modes.end())
        wanted = config::preferredRawType(modes, current_type, config::libRawSeries()).value_or(modes.front());
    if (wanted != current_type) {
        try {
            body.setRawType(wanted);
            logger->info("camera: RAW file type set to {} (it was {})", wanted, current_type);
            current_type = wanted;
        } catch (const ptp::BodyUnavailable&) {
            throw;
        } catch (const std::exception& e) {
            logger->warn("camera: the body's RAW file type is {} and could not be set to {}: {}", current_type, wanted,
                         e.what());
        }
    }

    std::lock_guard lock(mutex_);
    sensor_ = std::move(sensor);
    isos_ = std::move(isos);
    body_iso_ = body_iso;
    gain_.reset();
    for (std::size_t i = 0; i < isos_.size(); ++i)
        if (isos_[i].body_value == body_iso) gain_ = i;
    readout_settable_ = !modes.empty();
    readout_modes_ = modes.empty() ? std::vector<std::string>{"RAW"} : std::move(modes);
    const auto found = std::find(readout_modes_.begin(), readout_modes_.end(), current_type);
    readout_mode_ = found == readout_modes_.end() ? 0 : static_cast<std::size_t>(found - readout_modes_.begin());
    bin_x_ = bin_y_ = 1;
    start_x_ = start_y_ = 0;
    num_x_ = static_cast<std::int32_t>(sensor_.width);
    num_y_ = static_cast<std::int32_t>(sensor_.height);
    logger->info("camera: {} {}x{}, {} ISO choices, readout modes {}", sensor_.instrument, sensor_.width,
                 sensor_.height, isos_.size(), readout_modes_.size());
}

void CameraDevice::onDisconnecting() noexcept {
    engine_->reset();
    if (!engine_->waitForThreads(kDisconnectWait))
        log::get("alpaca")->info("camera: the aborted exposure still occupies the body; it ends by itself");
}

nlohmann::json CameraDevice::deviceState() const {
    const CameraState state = engine_->state();
    auto items = nlohmann::json::array();
    items.push_back({{"Name", "CameraState"}, {"Value", static_cast<int>(state)}});
    {
        std::lock_guard lock(mutex_);
        if (sensor_.ccd_temperature) items.push_back({{"Name", "CCDTemperature"}, {"Value", *sensor_.ccd_temperature}});
    }
    bool ready = false;
    try {
        ready = engine_->imageReady();
    } catch (const std::exception&) {
        ready = false;  // Error: no image
    }
    items.push_back({{"Name", "ImageReady"}, {"Value", ready}});
    items.push_back({{"Name", "IsPulseGuiding"}, {"Value", false}});
    if (const auto percent = engine_->percentCompleted())
        items.push_back({{"Name", "PercentCompleted"}, {"Value", *percent}});
    return items;
}

double CameraDevice::bodySeconds(double requested) const {
    if (requested > kLongestListed + 1e-6 || sensor_.speeds.empty()) return requested;
    const double wanted = std::max(requested, 1e-6);
    double best = sensor_.speeds.front();
    for (double speed : sensor_.speeds)
        if (std::abs(std::log(wanted / speed)) < std::abs(std::log(wanted / best))) best = speed;
    return best;
}

void CameraDevice::startExposure(double duration, bool light) {
    ExposureRequest request;
    request.duration = duration;
    request.light = light;
    {
        std::lock_guard lock(mutex_);
        const auto invalid = [](const std::string& what) { throw AlpacaError::invalidValue(what); };
        if (duration < 0)
            invalid("Duration " + secondsText(duration) + " s is negative; allowed: 0 to " +
                    secondsText(sensor_.exposure_max_s) + " s (0 and anything below " +
                    secondsText(sensor_.exposure_min_s) + " s take the shortest shutter speed)");
        if (duration > sensor_.exposure_max_s)
            invalid("Duration " + secondsText(duration) + " s is longer than ExposureMax, " +
                    secondsText(sensor_.exposure_max_s) + " s");
        if (bin_x_ != bin_y_)
            throw AlpacaError::invalidOperation("BinX " + std::to_string(bin_x_) + " and BinY " +
                                                std::to_string(bin_y_) +
                                                " differ; this camera bins the same in both directions "
                                                "(CanAsymmetricBin is false): set both to the same value");
        for (const auto& [name, value] : {std::pair{"StartX", start_x_}, std::pair{"StartY", start_y_}})
            if (value < 0)
                invalid(std::string(name) + " " + std::to_string(value) + " is negative; allowed: 0 or more");
        const bool unknown_size = sensor_.width == 0;
        if (!unknown_size || num_x_ != 0 || num_y_ != 0)
            for (const auto& [name, value] : {std::pair{"NumX", num_x_}, std::pair{"NumY", num_y_}})
                if (value < 1)
                    invalid(std::string(name) + " " + std::to_string(value) + " is too small; allowed: 1 or more");
        request.region = {static_cast<unsigned>(start_x_), static_cast<unsigned>(start_y_),
                          static_cast<unsigned>(std::max(num_x_, 0)), static_cast<unsigned>(std::max(num_y_, 0)),
                          static_cast<unsigned>(bin_x_)};
        if (unknown_size) {
            request.full_frame = start_x_ == 0 && start_y_ == 0 && num_x_ == 0 && num_y_ == 0;
        } else {
            try {
                request.region.check(sensor_.width, sensor_.height);
            } catch (const std::invalid_argument& e) {
                invalid(std::string(e.what()) + " (CameraXSize " + std::to_string(sensor_.width) + ", CameraYSize " +
                        std::to_string(sensor_.height) + ")");
            }
            const auto bin = static_cast<unsigned>(bin_x_);
            request.full_frame = start_x_ == 0 && start_y_ == 0 && request.region.num_x == sensor_.width / bin &&
                                 request.region.num_y == sensor_.height / bin;
        }
        request.expected = bodySeconds(duration);
    }
    if (const auto failure = archive_->takeFailure())
        throw AlpacaError(ErrorCode::Unspecified,
                          "the last image could not be saved on the daemon's computer (" + *failure +
                              "); it was served all the same. Free space or fix image_dir; this is reported once: "
                              "start the exposure again to go on");
    engine_->start(request);
}

std::shared_ptr<const imaging::ImageBytes> CameraDevice::process(ptp::Exposure& exposure,
                                                                 const ExposureRequest& request) {
    // Without keep_raw the decoder takes the file and frees it once LibRaw has unpacked it, so that
    // the file, LibRaw's mosaic and the frame are never all held at once (bench_memory).
    imaging::RawFrame raw = archive_->settings().keep_raw
                                ? imaging::decodeArw(std::span<const std::uint8_t>(exposure.file))
                                : imaging::decodeArw(std::move(exposure.file));
    learn(raw);
    std::uint64_t number = 0;
    {
        std::lock_guard lock(mutex_);
        number = ++frames_;
    }
    // The figures on a second thread beside the preview (both only read the frame), so the image is
    // ready sooner on a Pi's several cores; inline when no thread can be started.
    {
        std::jthread figures;
        try {
            figures = std::jthread([&] { makeFigures(raw, exposure, number); });
        } catch (const std::system_error& e) {
            log::get("alpaca")->warn("camera: figures of frame {} on the exposure thread: {}", number, e.what());
            makeFigures(raw, exposure, number);
        }
        makePreview(raw, exposure, number);
    }
    const unsigned width = raw.image.width;
    const unsigned height = raw.image.height;
    ServedFrame served;
    try {
        served = serveFrame(std::move(raw.image), request.region, request.full_frame, archive_->settings().save_fits);
    } catch (const std::invalid_argument& e) {
        throw AlpacaError::invalidValue("the subframe does not fit the frame the body delivered (" +
                                        std::to_string(width) + "x" + std::to_string(height) + "): " + e.what() +
                                        "; CameraXSize and CameraYSize now give that size: set NumX and NumY again");
    }
    raw.image = {};
    if (archive_->enabled()) archive_->save(archiveJob(exposure, raw.metadata, served, request));
    return served.image;
}

void CameraDevice::makePreview(const imaging::RawFrame& frame, const ptp::Exposure& exposure,
                               std::uint64_t number) noexcept {
    try {
        const auto started = std::chrono::steady_clock::now();
        auto preview = std::make_shared<FramePreview>();
        const imaging::Image8 thumbnail = imaging::makeThumbnail(frame);
        preview->start = exposure.start;
        preview->seconds = exposure.seconds;
        preview->frame_width = frame.image.width;
        preview->frame_height = frame.image.height;
        preview->width = thumbnail.width;
        preview->height = thumbnail.height;
        preview->jpeg = imaging::encodeJpeg(thumbnail, kPreviewQuality);
        const std::size_t bytes = preview->jpeg.size();
        preview->number = number;
        {
            std::lock_guard lock(mutex_);
            preview_ = std::move(preview);
        }
        const auto took = std::chrono::steady_clock::now() - started;
        log::get("alpaca")->debug("camera: preview {} ({}x{}, {} bytes) made in {} ms", number, thumbnail.width,
                                  thumbnail.height, bytes,
                                  std::chrono::duration_cast<std::chrono::milliseconds>(took).count());
    } catch (const std::exception& e) {
        log::get("alpaca")->warn("camera: no preview of this frame for the setup page: {}", e.what());
    } catch (...) {
        log::get("alpaca")->warn("camera: no preview of this frame for the setup page");
    }
}

std::shared_ptr<const FramePreview> CameraDevice::preview() const {
    std::lock_guard lock(mutex_);
    return preview_;
}

void CameraDevice::makeFigures(const imaging::RawFrame& frame, const ptp::Exposure& exposure,
                               std::uint64_t number) noexcept {
    try {
        const auto started = std::chrono::steady_clock::now();
        auto figures = std::make_shared<FrameFigures>();
        figures->number = number;
        figures->start = exposure.start;
        figures->seconds = exposure.seconds;
        figures->pixel_um = sensor().pixel_x_um;
        figures->focal_length_mm = frame.metadata.focal_length_mm > 0 ? frame.metadata.focal_length_mm
                                                                      : config_.focal_length_mm;
        imaging::FrameStatsOptions options;
        options.pixel_um = figures->pixel_um;
        options.focal_length_mm = figures->focal_length_mm;
        figures->stats = imaging::computeFrameStats(frame, options);
        figures->cost_ms =
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
        const auto& s = figures->stats;
        log::get("alpaca")->debug(
            "camera: frame {} figures in {:.1f} ms: {} stars ({} measured), median HFR {} px, background {:.1f} ± "
            "{:.1f} ADU, {:.4f} % clipped",
            number, figures->cost_ms, s.stars, s.measured,
            s.median_hfr_px ? fmt::format("{:.2f}", *s.median_hfr_px) : std::string("none"), s.background_adu,
            s.noise_adu, 100 * s.clipped_fraction);
        std::lock_guard lock(mutex_);
        figures_ = std::move(figures);
    } catch (const std::exception& e) {
        log::get("alpaca")->warn("camera: no figures (stars, HFR, background) of frame {}: {}", number, e.what());
    } catch (...) {
        log::get("alpaca")->warn("camera: no figures (stars, HFR, background) of frame {}", number);
    }
}

std::shared_ptr<const FrameFigures> CameraDevice::figures() const {
    std::lock_guard lock(mutex_);
    return figures_;
}

nlohmann::ordered_json frameFiguresJson(const FrameFigures& figures) {
    using Json = nlohmann::ordered_json;
    const auto& s = figures.stats;
    auto optional = [](const std::optional<double>& value) { return value ? Json(*value) : Json(); };
    auto known = [](double value) { return value > 0 ? Json(value) : Json(); };
    return {{"frame", figures.number},
            {"start", timetext::isoUtcMillis(figures.start) + "Z"},
            {"exposure_s", figures.seconds},
            {"stars", s.stars},
            {"measured_stars", s.measured},
            {"saturated_stars", s.saturated},
            {"median_hfr_px", optional(s.median_hfr_px)},
            {"median_hfr_arcsec", optional(s.median_hfr_arcsec)},
            {"focal_length_mm", known(figures.focal_length_mm)},
            {"pixel_um", known(figures.pixel_um)},
            {"background_adu", s.background_adu},
            {"noise_adu", s.noise_adu},
            {"clipped_fraction", s.clipped_fraction},
            {"histogram",
             {{"bin_width_adu", s.histogram.bin_width},
              {"red", s.histogram.red},
              {"green", s.histogram.green},
              {"blue", s.histogram.blue}}},
            {"cost_ms", figures.cost_ms}};
}

void CameraDevice::learn(const imaging::RawFrame& frame) {
    const auto& m = frame.metadata;
    {
        std::lock_guard lock(mutex_);
        const unsigned width = frame.image.width;
        const unsigned height = frame.image.height;
        if (width != sensor_.width || height != sensor_.height) {
            if (sensor_.width != 0)
                log::get("alpaca")->warn("camera: the {} delivers {}x{} frames (LibRaw's visible area), the body "
                                         "database says {}x{}; CameraXSize and CameraYSize now report {}x{}",
                                         sensor_.model, width, height, sensor_.width, sensor_.height, width, height);
            else
                log::get("alpaca")->info("camera: the {} delivers {}x{} frames", sensor_.model, width, height);
            // A full-frame setting stays full frame at the new size.
            if (start_x_ == 0 && start_y_ == 0 && bin_x_ == bin_y_ && bin_x_ >= 1 &&
                ((num_x_ == 0 && num_y_ == 0) || (num_x_ == static_cast<std::int32_t>(sensor_.width) / bin_x_ &&
                                                  num_y_ == static_cast<std::int32_t>(sensor_.height) / bin_y_))) {
                num_x_ = static_cast<std::int32_t>(width) / bin_x_;
                num_y_ = static_cast<std::int32_t>(height) / bin_y_;
            }
            sensor_.width = width;
            sensor_.height = height;
        }
        // Remembered for the next connect in this mode (BodyMemory writes only a change).
        if (BodyMemory* memory = session().memory())
            memory->rememberFrameSize(sensor_.body_key, sensor_.mode, {width, height});
        else
            learned_sizes_[{sensor_.body_key, sensor_.mode}] = {width, height};
        sensor_.max_adu = m.max_adu;
        sensor_.ccd_temperature = m.sensor_temperature_c;
        for (std::size_t i = 0; i < isos_.size(); ++i)
            if (m.iso > 0 && isos_[i].iso == static_cast<unsigned>(std::lround(m.iso))) {
                gain_ = i;
                body_iso_ = isos_[i].body_value;
            }
    }
    FrameFacts facts;
    facts.temperature = m.ambient_temperature_c ? m.ambient_temperature_c : m.sensor_temperature_c;
    facts.lens = m.lens.value_or("");
    session().reportTemperatures({m.sensor_temperature_c, m.ambient_temperature_c, m.battery_temperature_c});
    session().report(facts);
}

}  // namespace sonyalpaca::alpaca
