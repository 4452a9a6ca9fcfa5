// SPDX-License-Identifier: GPL-3.0-or-later
#include "ptp/sim/VirtualBody.hpp"

#include "config/Log.hpp"
#include "ptp/sim/ByteIo.hpp"
#include "ptp/sim/PtpCodes.hpp"
#include "ptp/sim/RawFileTypes.hpp"

#include <algorithm>
#include <cmath>

namespace sonyalpaca::ptp::sim {
namespace {
using Clock = std::chrono::steady_clock;

std::vector<std::uint32_t> defaultShutterCodes() {
    // 30" ... 1/4000 in thirds, with BULB first, for bodies whose entry lists none.
    std::vector<std::uint32_t> codes{0};
    for (int tenths : {300, 250, 200, 150, 130, 100, 80, 60, 50, 40, 32, 25, 20, 16, 13, 10, 8, 6, 5, 4})
        codes.push_back(static_cast<std::uint32_t>(tenths) << 16 | 10u);
    for (int denominator : {3,   4,   5,   6,   8,   10,  13,  15,  20,  25,   30,   40,   50,   60,   80,   100,
                            125, 160, 200, 250, 320, 400, 500, 640, 800, 1000, 1250, 1600, 2000, 2500, 3200, 4000})
        codes.push_back(1u << 16 | static_cast<std::uint32_t>(denominator));
    return codes;
}

constexpr std::uint32_t kProtocol200 = 0xC8, kProtocol300 = 0x12C;

std::vector<std::uint32_t> defaultIsos() {
    return {config::kIsoAuto,
            100,
            125,
            160,
            200,
            250,
            320,
            400,
            500,
            640,
            800,
            1000,
            1250,
            1600,
            2000,
            2500,
            3200,
            4000,
            5000,
            6400,
            8000,
            10000,
            12800,
            16000,
            20000,
            25600};
}

std::int64_t readValue(std::span<const std::uint8_t> data, std::uint16_t type) {
    ByteReader in(data);
    const auto raw = in.get(PropertyTable::valueSize(type));
    switch (type) {
    case code::Int8: return static_cast<std::int8_t>(raw);
    case code::Int16: return static_cast<std::int16_t>(raw);
    case code::Int32: return static_cast<std::int32_t>(raw);
    default: return static_cast<std::int64_t>(raw);
    }
}

bool isButton(std::uint16_t property) {
    return property == code::SonyS1 || property == code::SonyS2 || property == code::SonyBulb ||
           property == code::SonyMovie || property == code::SonyAfMfHold;
}
}  // namespace

double shutterSeconds(std::uint32_t code) {
    if (code == 0) return 0;
    const double denominator = static_cast<double>(code & 0xFFFFu);
    return denominator == 0 ? 0 : static_cast<double>(code >> 16) / denominator;
}

VirtualBody::VirtualBody(config::BodyEntry body, const config::LensEntry& lens, const LensOptions& lens_options,
                         BodyOptions options, std::shared_ptr<FrameSource> frames, std::shared_ptr<Faults> faults)
    : body_(std::move(body)),
      options_(std::move(options)),
      frames_(std::move(frames)),
      faults_(std::move(faults)),
      lens_(lens, lens_options),
      temperature_c_(options_.temperature_c),
      live_view_stars_(options_.live_view_stars) {
    if (body_.shutter_codes.empty()) body_.shutter_codes = defaultShutterCodes();
    if (body_.isos.empty()) body_.isos = defaultIsos();
    if (options_.best_focus < 0) options_.best_focus = 0.96 * lens_.travel();
    // Bodies that libgphoto2 opens in Sony protocol 3.00 in some release speak it (the a7 IV
    // generation, sony-bodies.json libgphoto2.protocol).
    speaks_protocol_3_ = options_.protocol == 0
                             ? std::any_of(body_.gphoto_protocol.begin(), body_.gphoto_protocol.end(),
                                           [](const auto& release) { return release.second == 3; })
                             : options_.protocol >= 3;
    buildProperties();
    timer_ = std::jthread([this](std::stop_token stop) { run(stop); });
}

VirtualBody::~VirtualBody() {
    timer_.request_stop();
    wake_.notify_all();
}

void VirtualBody::buildProperties() {
    using Form = Property::Form;
    auto enumeration = [](std::uint16_t property, std::uint16_t type, std::int64_t value,
                          std::vector<std::int64_t> values) {
        Property p{property, type, 1, 1, value, value, Form::Enumeration, 0, 0, 0, std::move(values)};
        return p;
    };
    properties_.add(enumeration(code::CompressionSetting, code::UInt8, 0x10, {0x02, 0x03, 0x04, 0x10, 0x13}));
    properties_.add(enumeration(code::FocusMode, code::UInt16, 1, {1, 2, 0x8004, 0x8005, 0x8006}));
    properties_.add(enumeration(code::ExposureProgramMode, code::UInt16, 1, {1, 2, 3, 4}));
    properties_.add({code::FNumber, code::UInt16, 0x82, 1, 400, 400, Form::Range, 0, 65535, 1, {}});
    // Shutter speed: a dial stepped with 0x9207; real protocol-2 bodies report a range, no list.
    const bool known = std::find(body_.shutter_codes.begin(), body_.shutter_codes.end(), options_.shutter) !=
                       body_.shutter_codes.end();
    const std::uint32_t shutter = known ? options_.shutter : body_.shutter_codes[body_.shutter_codes.size() / 2];
    properties_.add(
        {code::SonyShutterSpeed, code::UInt32, 0x82, 1, shutter, shutter, Form::Range, 0, 0xFFFFFFFF, 1, {}});
    std::vector<std::int64_t> isos(body_.isos.begin(), body_.isos.end());
    const std::int64_t iso = std::find(isos.begin(), isos.end(), options_.iso) != isos.end() ? options_.iso
                                                                                             : isos.back();
    properties_.add({code::SonyIso, code::UInt32, 0x82, 1, iso, iso, Form::Enumeration, 0, 0, 0, isos});
    properties_.add({code::SonyFocusFound, code::UInt8, 0, 1, 1, 1, Form::None, 0, 0, 0, {}});
    properties_.add({code::SonyObjectInMemory, code::UInt16, 0, 1, 0, 0, Form::None, 0, 0, 0, {}});
    // Battery, card and overheating (read only): the Camera Remote SDK's types and values, which
    // real bodies may put on the wire differently (docs/BODIES.md).
    const auto level = health_.levelValue(), indicator = health_.indicatorValue();
    properties_.add({code::SonyBatteryLevel, code::Int8, 0, 1, level, level, Form::Range, -1, 100, 1, {}});
    properties_.add({code::SonyBatteryLevelIndicator,
                     code::UInt32,
                     0,
                     1,
                     indicator,
                     indicator,
                     Form::Enumeration,
                     0,
                     0,
                     0,
                     {1, 2, 3, 4, 5, 0x10000, 0x10001, 0x10002, 0x10003, 0x10004, 0x10005, 0xFFFFFFFD, 0xFFFFFFFE}});
    properties_.add(enumeration(code::SonyMediaSlot1Status, code::UInt16, health_.cardValue(), {0, 1, 2, 3}));
    properties_.add({code::SonyMediaSlot1RemainingShots,
                     code::UInt32,
                     0,
                     1,
                     health_.shotsValue(),
                     health_.shotsValue(),
                     Form::None,
                     0,
                     0,
                     0,
                     {}});
    properties_.add(enumeration(code::SonyDeviceOverheatStatus, code::UInt8, health_.overheat, {0, 1, 2}));
    for (auto property : {code::SonyMediaSlot1Status, code::SonyDeviceOverheatStatus})
        properties_.find(property)->change_method = 0;
    properties_.add(enumeration(code::SonyCaptureTarget, code::UInt16, 0x10, {0x01, 0x10, 0x11}));
    properties_.add(enumeration(code::SonyPriorityMode, code::Int8, 0, {0, 1}));
    // 0 uncompressed, 1 compressed, 2 lossless compressed (size L): the types the body offers. A body
    // with one type has no such setting (the a7 and a6000 generations: compressed only).
    raw_types_ = rawFileTypesOf(body_);
    if (raw_types_.size() > 1) {
        const bool compressed = std::find(raw_types_.begin(), raw_types_.end(), raw_file_type::Compressed) !=
                                raw_types_.end();
        properties_.add(enumeration(code::SonyRawFileType, code::UInt16,
                                    compressed ? raw_file_type::Compressed : raw_types_.front(), raw_types_));
    }
    if (frames_ && frames_->hasApscMode()) {
        const bool crop = options_.apsc == ApscSetting::On ||
                          (options_.apsc == ApscSetting::Auto && lens_.shipped().format == "aps-c");
        properties_.add(enumeration(code::SonySensorCrop, code::UInt8, crop ? 2 : 1, {1, 2}));
    }
    for (std::uint16_t button : {code::SonyS1, code::SonyS2, code::SonyBulb, code::SonyMovie, code::SonyAfMfHold})
        properties_.add({button, code::UInt16, 0x81, 1, 1, 1, Form::None, 0, 0, 0, {}});
    if (options_.focus_drive)
        properties_.add({code::SonyNearFar,
                         code::Int16,
                         0x82,
                         1,
                         0,
                         0,
                         Form::Range,
                         -config::kStepSizes,
                         config::kStepSizes,
                         1,
                         {}});
}

void VirtualBody::setEventSink(EventSink sink) {
    std::lock_guard lock(mutex_);
    sink_ = std::move(sink);
}

void VirtualBody::post(std::uint16_t event, std::uint32_t param) {
    if (options_.events && faults_->events && sink_) events_.emplace_back(event, param);
}

OperationResult VirtualBody::handle(std::uint16_t operation, std::span<const std::uint32_t> params,
                                    std::span<const std::uint8_t> data) {
    const auto param = [&](std::size_t i) { return i < params.size() ? params[i] : 0u; };
    OperationResult result;
    {
        std::lock_guard lock(mutex_);
        switch (operation) {
        case code::GetDeviceInfo: result = deviceInfo(); break;
        case code::OpenSession:
        case code::CloseSession: break;
        case code::GetStorageIDs: result.data = std::vector<std::uint8_t>(4, 0); break;  // PC Remote: no storage
        case code::SonySdioConnect: result.data = std::vector<std::uint8_t>(8, 0); break;
        case code::SonyGetSdioExtDeviceInfo: {
            // The host asks for a protocol version; the body answers the highest it speaks up to
            // that one (libgphoto2 2.5.34 relies on this), and uses its layout from then on.
            protocol_ = speaks_protocol_3_ && param(0) >= kProtocol300 ? 3 : 2;
            ByteWriter out;
            out.u16(protocol_ == 3 ? kProtocol300 : kProtocol200);
            const auto props = properties_.codes();
            std::vector<std::uint16_t> settable, controls;
            for (auto p : props) (isButton(p) || p == code::SonyNearFar ? controls : settable).push_back(p);
            out.u16Array(settable);
            out.u16Array(controls);
            result.data = out.take();
            break;
        }
        case code::SonyGetAllDevicePropData: result.data = properties_.packAll(protocol_); break;
        case code::SonySetControlDeviceA: result = setControlA(static_cast<std::uint16_t>(param(0)), data); break;
        case code::SonySetControlDeviceB: result = setControlB(static_cast<std::uint16_t>(param(0)), data); break;
        case code::GetObjectInfo: result = objectInfo(param(0)); break;
        case code::GetObject: result = object(param(0)); break;
        default: result.code = code::OperationNotSupported; break;
        }
    }
    wake_.notify_all();
    return result;
}

OperationResult VirtualBody::deviceInfo() const {
    ByteWriter out;
    out.u16(100);   // StandardVersion
    out.u32(0x11);  // VendorExtensionID: Sony
    out.u16(100);   // VendorExtensionVersion
    out.string("Sony PTP Extensions");
    out.u16(0);  // FunctionalMode
    const std::uint16_t operations[] = {code::GetDeviceInfo,
                                        code::OpenSession,
                                        code::CloseSession,
                                        code::GetStorageIDs,
                                        code::GetObjectInfo,
                                        code::GetObject,
                                        code::SonySdioConnect,
                                        code::SonyGetSdioExtDeviceInfo,
                                        code::SonySetControlDeviceA,
                                        code::SonySetControlDeviceB,
                                        code::SonyGetAllDevicePropData};
    out.u16Array(operations);
    const std::uint16_t events[] = {code::SonyObjectAdded, code::SonyObjectRemoved, code::SonyPropertyChanged};
    out.u16Array(events);
    out.u16Array({});  // DevicePropertiesSupported: announced by 0x9202
    out.u16Array({});  // CaptureFormats
    const std::uint16_t formats[] = {0x3001, code::FormatJpeg, code::FormatArw};
    out.u16Array(formats);
    out.string("Sony Corporation");
    out.string(body_.model);
    out.string("1.00");
    out.string(options_.serial);
    OperationResult result;
    result.data = out.take();
    return result;
}

OperationResult VirtualBody::setControlA(std::uint16_t property, std::span<const std::uint8_t> data) {
    Property* p = properties_.find(property);
    if (!p) return OperationResult::failed(code::DevicePropNotSupported);
    // libgphoto2 2.5.30 follows every dial step and button with a 0x9205 of its own (sometimes with
    // no payload, sometimes a meaningless value): real bodies ignore those, and so does this one.
    if (data.empty() || p->change_method != 1) return {};
    const std::int64_t value = readValue(data, p->type);
    if (p->form == Property::Form::Enumeration && p->indexOf(value) < 0)
        return OperationResult::failed(code::InvalidDevicePropValue);
    if (p->current != value) {
        p->current = value;
        post(code::SonyPropertyChanged, property);
    }
    return {};
}

OperationResult VirtualBody::setControlB(std::uint16_t property, std::span<const std::uint8_t> data) {
    Property* p = properties_.find(property);
    if (!p || data.empty()) return OperationResult::failed(code::DevicePropNotSupported);
    if (property == code::SonyShutterSpeed || property == code::SonyIso) {
        stepNotch(property, static_cast<std::int8_t>(data[0]));
        return {};
    }
    if (property == code::SonyNearFar) return stepFocus(static_cast<std::int16_t>(readValue(data, code::Int16)));
    if (isButton(property)) return pressButton(property, readValue(data, code::UInt16));
    return OperationResult::failed(code::ParameterNotSupported);
}

void VirtualBody::stepNotch(std::uint16_t property, std::int8_t delta) {
    Property& p = *properties_.find(property);
    if (property == code::SonyShutterSpeed) {
        // The dial runs from BULB and the longest time to the shortest; +1 is one stop shorter.
        const auto& codes = body_.shutter_codes;
        auto at = std::find(codes.begin(), codes.end(), static_cast<std::uint32_t>(p.current));
        const long index = at == codes.end() ? 0 : at - codes.begin();
        const long next = std::clamp<long>(index + delta, 0, static_cast<long>(codes.size()) - 1);
        p.current = codes[static_cast<std::size_t>(next)];
    } else {
        const int index = std::max(0, p.indexOf(p.current));
        const int next = std::clamp(index + delta, 0, static_cast<int>(p.values.size()) - 1);
        p.current = p.values[static_cast<std::size_t>(next)];
    }
    post(code::SonyPropertyChanged, property);
}

OperationResult VirtualBody::stepFocus(std::int16_t value) {
    if (value == 0 || value < -config::kStepSizes || value > config::kStepSizes)
        return OperationResult::failed(code::InvalidDevicePropValue);
    const auto now = Clock::now();
    if (now < lens_busy_until_ || shutter_ == Shutter::Exposing) return OperationResult::failed(code::DeviceBusy);
    // The focus drive moves the lens only in manual focus, as on real bodies.
    if (properties_.find(code::FocusMode)->current != 1) return {};
    lens_busy_until_ = now + lens_.step(std::abs(value), value);
    return {};
}

OperationResult VirtualBody::pressButton(std::uint16_t button, std::int64_t value) {
    const bool press = value == 2;
    const bool bulb_shutter = properties_.find(code::SonyShutterSpeed)->current == 0;
    switch (button) {
    case code::SonyS1:
        if (press && properties_.find(code::FocusMode)->current != 1) {
            properties_.find(code::SonyFocusFound)->current = 2;  // autofocus locks at once
            post(code::SonyPropertyChanged, code::SonyFocusFound);
        } else if (!press) {
            properties_.find(code::SonyFocusFound)->current = 1;
        }
        break;
    case code::SonyS2:
        if (press) {
            if (shutter_ != Shutter::Idle || Faults::take(faults_->busy_captures))
                return OperationResult::failed(code::DeviceBusy);
            if (Faults::take(faults_->store_full_captures)) return OperationResult::failed(code::StoreFull);
            if (!canCapture()) return OperationResult::failed(code::GeneralError);
            startExposure(bulb_shutter);
        } else if (shutter_ == Shutter::Exposing && bulb_) {
            endExposure();
        }
        break;
    case code::SonyBulb:
        if (press && bulb_shutter) {
            if (shutter_ != Shutter::Idle || Faults::take(faults_->busy_captures))
                return OperationResult::failed(code::DeviceBusy);
            if (!canCapture()) return OperationResult::failed(code::GeneralError);
            startExposure(true);
        }
        break;
    default: break;  // movie, AF/MF hold: nothing to simulate
    }
    return {};
}

ExposureRecord VirtualBody::recordNow() const {
    ExposureRecord record;
    record.lens_position = lens_.position();
    record.best_focus = options_.best_focus + options_.focus_drift_per_c * (temperature_c_ - 20.0);
    record.temperature_c = temperature_c_;
    record.ambient_c = temperature_c_ - 2.0;
    record.compression_setting = static_cast<std::uint8_t>(properties_.find(code::CompressionSetting)->current);
    const Property* raw_type = properties_.find(code::SonyRawFileType);
    record.raw_file_type = static_cast<std::uint16_t>(raw_type ? raw_type->current : raw_types_.front());
    const Property* crop = properties_.find(code::SonySensorCrop);
    record.apsc = crop && crop->current == 2;
    record.live_view_stars = live_view_stars_;
    const auto iso = static_cast<std::uint32_t>(properties_.find(code::SonyIso)->current);
    record.iso = iso == config::kIsoAuto ? 800 : iso & 0xFFFFFFu;
    return record;
}

bool VirtualBody::canCapture() const {
    const auto problem = frames_ ? frames_->cannotCapture(recordNow()) : std::optional<std::string>("no frame source");
    if (problem) log::get("ptp")->error("simulated body: refusing the exposure: {}", *problem);
    return !problem;
}

void VirtualBody::startExposure(bool bulb) {
    exposure_ = recordNow();
    exposure_.sequence = ++sequence_;
    exposure_.bulb = bulb;
    exposure_.start = std::chrono::system_clock::now();
    exposure_.duration_s =
        bulb ? 0 : shutterSeconds(static_cast<std::uint32_t>(properties_.find(code::SonyShutterSpeed)->current));
    bulb_ = bulb;
    shutter_ = Shutter::Exposing;
    phase_end_ = Clock::now() + std::chrono::microseconds(static_cast<long long>(exposure_.duration_s * 1e6));
    log::get("ptp")->debug("simulated body: exposure {} started ({})", exposure_.sequence,
                           bulb ? "bulb" : std::to_string(exposure_.duration_s) + " s");
}

void VirtualBody::endExposure() {
    if (bulb_) {
        exposure_.duration_s =
            std::chrono::duration<double>(std::chrono::system_clock::now() - exposure_.start).count();
    }
    const double readout = options_.readout_s >= 0
                               ? options_.readout_s
                               : 0.2 + static_cast<double>(body_.sensor_width) * body_.sensor_height / 60e6;
    shutter_ = Shutter::Reading;
    phase_end_ = Clock::now() + std::chrono::microseconds(static_cast<long long>(readout * 1e6));
}

void VirtualBody::updatePendingProperty() {
    auto& pending = properties_.find(code::SonyObjectInMemory)->current;
    pending = pending_.empty() ? 0 : 0x8000 + static_cast<std::int64_t>(pending_.size());
}

void VirtualBody::finishReadout(std::unique_lock<std::mutex>& lock) {
    const ExposureRecord record = exposure_;
    lock.unlock();
    std::vector<CapturedFile> files;
    try {
        if (Faults::take(faults_->never_ready_captures))
            log::get("ptp")->info("simulated body: fault: exposure {} never becomes ready", record.sequence);
        else
            files = frames_->capture(record);
    } catch (const std::exception& e) {
        log::get("ptp")->error("simulated body: cannot make the image of exposure {}: {}", record.sequence, e.what());
    }
    lock.lock();
    for (auto& file : files) pending_.push_back(std::make_shared<const CapturedFile>(std::move(file)));
    shutter_ = Shutter::Idle;
    updatePendingProperty();
    if (!files.empty()) {
        post(code::SonyObjectAdded, code::CaptureHandle);
        post(code::SonyPropertyChanged, code::SonyObjectInMemory);
    }
}

void VirtualBody::run(std::stop_token stop) {
    std::unique_lock lock(mutex_);
    // A timed phase ends by the clock: a timed exposure, or the readout. A bulb exposure ends by a
    // button, an idle shutter by nothing.
    const auto timed = [&] { return shutter_ == Shutter::Reading || (shutter_ == Shutter::Exposing && !bulb_); };
    while (!stop.stop_requested()) {
        if (!events_.empty() && sink_) {
            auto events = std::move(events_);
            events_.clear();
            auto sink = sink_;
            lock.unlock();
            for (const auto& [event, param] : events) sink(event, param);
            lock.lock();
        } else if (timed() && Clock::now() >= phase_end_) {
            if (shutter_ == Shutter::Exposing)
                endExposure();
            else
                finishReadout(lock);
        } else if (timed()) {
            wake_.wait_until(lock, stop, phase_end_, [&] { return !events_.empty(); });
        } else {
            wake_.wait(lock, stop, [&] { return !events_.empty() || timed(); });
        }
    }
}

OperationResult VirtualBody::objectInfo(std::uint32_t handle) {
    const CapturedFile* file = nullptr;
    CapturedFile live;
    if (handle == code::CaptureHandle && !pending_.empty()) {
        file = pending_.front().get();
    } else if (handle == code::LiveViewHandle) {
        std::vector<std::uint8_t> jpeg;
        try {
            jpeg = frames_->liveView(recordNow());
        } catch (const std::exception& e) {
            log::get("ptp")->warn("simulated body: no live view frame: {}", e.what());
            return OperationResult::failed(code::AccessDenied);
        }
        ByteWriter blob;
        blob.u32(8);
        blob.u32(static_cast<std::uint32_t>(jpeg.size()));
        blob.raw(jpeg);
        live_view_ = blob.take();
        live = CapturedFile::fromBytes(code::FormatJpeg, "LIVEVIEW.JPG", 0, 0, live_view_);
        file = &live;
    }
    if (!file) return OperationResult::failed(code::InvalidObjectHandle);
    ByteWriter out;
    out.u32(0x00010001);  // StorageID
    out.u16(file->format);
    out.u16(0);  // ProtectionStatus
    out.u32(static_cast<std::uint32_t>(file->size));
    out.u16(0);  // ThumbFormat
    out.u32(0);
    out.u32(0);
    out.u32(0);
    out.u32(file->width);
    out.u32(file->height);
    out.u32(file->format == code::FormatArw ? 14 : 24);
    out.u32(0);  // ParentObject
    out.u16(0);  // AssociationType
    out.u32(0);
    out.u32(0);  // SequenceNumber
    out.string(file->filename);
    out.string("20261126T000000");
    out.string("20261126T000000");
    out.string("");
    OperationResult result;
    result.data = out.take();
    return result;
}

OperationResult VirtualBody::object(std::uint32_t handle) {
    OperationResult result;
    if (handle == code::CaptureHandle && !pending_.empty()) {
        // The body keeps the file until the transfer has completed (transferred()): a download cut
        // short by a dropped connection can be taken again after reconnecting.
        result.file = pending_.front();
        return result;
    }
    if (handle == code::LiveViewHandle && !live_view_.empty()) {
        result.data = live_view_;
        return result;
    }
    return OperationResult::failed(code::InvalidObjectHandle);
}

void VirtualBody::transferred(const std::shared_ptr<const CapturedFile>& file) {
    {
        std::lock_guard lock(mutex_);
        if (pending_.empty() || pending_.front() != file) return;
        pending_.pop_front();
        updatePendingProperty();
        post(code::SonyPropertyChanged, code::SonyObjectInMemory);
    }
    wake_.notify_all();
}

double VirtualBody::lensPosition() const {
    std::lock_guard lock(mutex_);
    return lens_.position();
}

double VirtualBody::lensTravel() const {
    std::lock_guard lock(mutex_);
    return lens_.travel();
}

config::PerStepSize VirtualBody::trueMoves() const {
    std::lock_guard lock(mutex_);
    config::PerStepSize moves{};
    for (int size = 1; size <= config::kStepSizes; ++size)
        moves[static_cast<std::size_t>(size - 1)] = lens_.travel() / lens_.trueStepLength(size);
    return moves;
}

double VirtualBody::bestFocus() const {
    std::lock_guard lock(mutex_);
    return recordNow().best_focus;
}

void VirtualBody::setLiveViewStars(bool stars) {
    std::lock_guard lock(mutex_);
    live_view_stars_ = stars;
}

std::optional<double> VirtualBody::liveViewFocus() const {
    std::lock_guard lock(mutex_);
    return frames_ ? frames_->liveViewFocus(recordNow()) : std::nullopt;
}

std::int64_t SimulatedHealth::levelValue() const {
    return source == Source::None || source == Source::Dummy ? -1 : battery_percent;
}

std::int64_t SimulatedHealth::indicatorValue() const {
    switch (source) {
    case Source::Dummy: return 0xFFFFFFFD;
    case Source::None: return 0xFFFFFFFE;
    case Source::Battery:
    case Source::Usb: break;
    }
    const std::int64_t bars = battery_percent <= 5 ? 1 : std::min(5, 2 + (battery_percent - 1) / 25);
    return source == Source::Usb ? 0x10000 + bars : bars;
}

std::int64_t SimulatedHealth::cardValue() const { return card == Card::In ? 0 : card == Card::None ? 1 : 2; }

std::int64_t SimulatedHealth::shotsValue() const { return card == Card::In ? shots : 0; }

void VirtualBody::setHealth(const SimulatedHealth& health) {
    {
        std::lock_guard lock(mutex_);
        health_ = health;
        const std::pair<std::uint16_t, std::int64_t> values[] = {
            {code::SonyBatteryLevel, health.levelValue()},
            {code::SonyBatteryLevelIndicator, health.indicatorValue()},
            {code::SonyMediaSlot1Status, health.cardValue()},
            {code::SonyMediaSlot1RemainingShots, health.shotsValue()},
            {code::SonyDeviceOverheatStatus, health.overheat},
        };
        for (const auto& [property, value] : values) {
            Property* p = properties_.find(property);
            if (!p || p->current == value) continue;
            p->current = value;
            post(code::SonyPropertyChanged, property);
        }
    }
    wake_.notify_all();
}

SimulatedHealth VirtualBody::health() const {
    std::lock_guard lock(mutex_);
    return health_;
}

void VirtualBody::setTemperature(double celsius) {
    std::lock_guard lock(mutex_);
    temperature_c_ = celsius;
}

void VirtualBody::setBestFocus(double units) {
    std::lock_guard lock(mutex_);
    options_.best_focus = units;
}

std::array<std::uint64_t, config::kStepSizes> VirtualBody::focusStepCounts() const {
    std::lock_guard lock(mutex_);
    return lens_.stepCounts();
}

std::uint64_t VirtualBody::exposureCount() const {
    std::lock_guard lock(mutex_);
    return sequence_;
}

}  // namespace sonyalpaca::ptp::sim
