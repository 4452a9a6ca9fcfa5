// SPDX-License-Identifier: GPL-3.0-or-later
#include "ptp/gphoto/GPhotoBody.hpp"

#include "config/DecodeSupport.hpp"
#include "config/GphotoSupport.hpp"
#include "config/LensDatabase.hpp"
#include "config/Log.hpp"
#include "config/RawTypes.hpp"
#include "ptp/gphoto/Reachability.hpp"
#include "ptp/gphoto/SonyHealth.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <condition_variable>
#include <csignal>
#include <thread>

namespace sonyalpaca::ptp::gphoto {
namespace {
using namespace std::chrono_literals;
constexpr double kLongestListed = 30.0;
constexpr int kBusyTries = 5;
constexpr double kTriggeredFrom = 1.0;  // seconds: from here on, trigger and wait ourselves
// How long an exposure cut by a lost connection waits for the body to come back with its frame
// before it is reported lost (issue 16: at most 2 s after the loss is known). Reconnecting starts
// at once and tries every 500 ms at first, so a replugged cable or a PTP/IP hiccup is back in time.
constexpr auto kRecoveryWait = std::chrono::seconds(2);

double codeSeconds(std::uint32_t code) {
    const auto denominator = code & 0xFFFFu;
    return denominator == 0 ? 0 : static_cast<double>(code >> 16) / denominator;
}

/// Sets the body's activity for a scope; back to Idle at its end.
class ActivityScope {
public:
    ActivityScope(std::atomic<BodyState>& activity, BodyState state) : activity_(activity) { activity_ = state; }
    ~ActivityScope() { activity_ = BodyState::Idle; }
    ActivityScope(const ActivityScope&) = delete;
    ActivityScope& operator=(const ActivityScope&) = delete;

private:
    std::atomic<BodyState>& activity_;
};

/// Sleeps up to `duration`, waking early when `stop` is requested. True if it was stopped.
bool sleepUnlessStopped(std::chrono::steady_clock::duration duration, std::stop_token stop) {
    std::mutex mutex;
    std::condition_variable_any wake;
    std::unique_lock lock(mutex);
    return wake.wait_for(lock, stop, duration, [] { return false; }) || stop.stop_requested();
}
}  // namespace

std::optional<double> parseShutterText(const std::string& text) {
    unsigned numerator = 0, denominator = 1;
    const char* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, numerator);
    if (ec != std::errc() || ptr == text.data()) return std::nullopt;
    if (ptr != end) {
        if (*ptr != '/') return std::nullopt;
        auto [ptr2, ec2] = std::from_chars(ptr + 1, end, denominator);
        if (ec2 != std::errc() || ptr2 != end || denominator == 0) return std::nullopt;
    }
    return static_cast<double>(numerator) / denominator;
}

namespace {
constexpr std::pair<const char*, const char*> kRawTypes[] = {
    {"0", "Uncompressed RAW"},          {"1", "Compressed RAW"},
    {"2", "Lossless Compressed RAW"},   {"3", "Lossless Compressed RAW S"},
    {"4", "Lossless Compressed RAW M"}, {"5", "Lossless Compressed RAW L"},
};
constexpr const char* kRawTypeWidget = "d288";
}  // namespace

std::string rawTypeName(const std::string& code) {
    for (const auto& [number, name] : kRawTypes)
        if (code == number) return name;
    return "RAW type " + code;
}

std::optional<std::string> rawTypeCode(const std::string& name) {
    for (const auto& [number, known] : kRawTypes)
        if (name == known) return std::string(number);
    return std::nullopt;
}

std::string shutterText(std::uint32_t code) {
    std::uint32_t x = code >> 16, y = code & 0xFFFFu;
    if (y == 10 && x % 10 == 0) {  // Sony writes 30" as 300/10; libgphoto2 shows "30"
        x /= 10;
        y = 1;
    }
    return y == 1 ? std::to_string(x) : std::to_string(x) + "/" + std::to_string(y);
}

GPhotoBody::GPhotoBody(config::CameraSource source, config::BodyDatabase bodies,
                       std::chrono::milliseconds health_interval)
    : source_(std::move(source)), bodies_(std::move(bodies)), health_interval_(health_interval) {
    // libgphoto2's PTP/IP transport writes to sockets without MSG_NOSIGNAL: a body that drops the
    // connection would kill the process with SIGPIPE. The write then fails with EPIPE instead.
    std::signal(SIGPIPE, SIG_IGN);
    if (source_.kind == config::CameraSource::Kind::Auto)
        hotplug_ = std::make_unique<UsbHotplug>([this](UsbHotplug::Event event) {
            if (event == UsbHotplug::Event::Left) {
                if (open_) lost("a Sony device was unplugged from USB (or switched off)");
                return;
            }
            log::get("ptp")->info("a Sony device arrived on USB");
            {
                std::lock_guard lock(wake_mutex_);
                usb_arrived_ = true;
            }
            wake_.notify_all();
        });
    health_watch_ = std::jthread([this](std::stop_token stop) { watchHealth(stop); });
}

GPhotoBody::~GPhotoBody() {
    hotplug_.reset();  // no hot-plug call after this point
    health_watch_.request_stop();
    if (health_watch_.joinable()) health_watch_.join();
    close();
}

template <typename Job>
auto GPhotoBody::run(const std::string& what, std::chrono::milliseconds timeout, Job job) -> decltype(job()) {
    try {
        return worker_.run(what, timeout, std::move(job));
    } catch (const BodyUnavailable& e) {
        lost(e.what());
        throw;
    } catch (const BodyError& e) {
        // libgphoto2 2.5.30 reports a failed setting as "Bad parameters" even when the connection
        // is gone: ask the body something that cannot come from a cache to tell the two apart.
        try {
            worker_.run("checking the connection", 5s, [this] { session_.probe(); });
        } catch (const BodyUnavailable& gone) {
            lost(gone.what());
            throw BodyUnavailable(std::string("the connection to the body is lost (") + e.what() +
                                  "); reconnecting as soon as it answers again");
        }
        throw;
    }
}

void GPhotoBody::lost(const std::string& reason) {
    if (!open_.exchange(false)) return;
    log::get("ptp")->warn("lost the body: {}; reconnecting as soon as it answers again", reason);
    try {
        worker_.run("closing the lost session", 5s, [this] { session_.disconnect(); });
    } catch (const std::exception& e) {
        log::get("ptp")->warn("closing the lost session: {}", e.what());
    }
    std::lock_guard lock(reconnect_mutex_);
    if (!wanted_ || reconnecting_.exchange(true)) return;
    if (reconnector_.joinable()) reconnector_.join();  // an earlier round, finished
    reconnector_ = std::jthread([this](std::stop_token stop) { reconnect(stop); });
}

void GPhotoBody::reconnect(std::stop_token stop) {
    const auto started = std::chrono::steady_clock::now();
    auto interval = std::chrono::milliseconds(500ms);
    for (bool first = true; !stop.stop_requested() && wanted_ && !open_; first = false) {
        if (!first) {
            // At once, then every 500 ms for 5 s (an exposure cut by the loss waits 2 s for its
            // frame), every second up to 30 s, then less and less often (up to every 30 s), and at
            // once when a Sony device arrives on USB. Each failed opening costs memory libgphoto2
            // never gives back (its camera driver's data when the init fails, ~10 KB): a body that
            // cannot be opened all night (held by another program, wrong USB mode) must not make
            // the daemon grow by tens of MB.
            std::unique_lock lock(wake_mutex_);
            const bool arrived = wake_.wait_for(lock, stop, interval, [this] { return usb_arrived_; });
            usb_arrived_ = false;
            const auto away = std::chrono::steady_clock::now() - started;
            if (away < 5s)
                interval = 500ms;
            else if (arrived || away < 30s)
                interval = 1s;
            else
                interval = std::min<std::chrono::milliseconds>(interval * 2, 30s);
        }
        if (stop.stop_requested()) break;
        try {
            checkReachable();
            openSession();
            log::get("ptp")->info("the body is back after {:.1f} s: {}",
                                  std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(),
                                  describe());
        } catch (const std::exception& e) {
            log::get("ptp")->debug("body not back yet: {}", e.what());
        }
    }
    reconnecting_ = false;
}

std::string GPhotoBody::describe() const {
    std::lock_guard lock(mutex_);
    const std::string where = source_.kind == config::CameraSource::Kind::PtpIp ? source_.text() : "USB";
    if (!open_) return "Sony body on " + where + " (not open)";
    return "Sony " + identity_.model + " (serial " + identity_.serial + ") on " + where;
}

void GPhotoBody::checkReachable() const {
    if (open_) return;
    if (source_.kind == config::CameraSource::Kind::PtpIp) {
        // A PTP/IP body accepts one connection at a time: this probe's connection closes at once.
        if (!tcpReachable(source_.host, source_.port, 500ms))
            throw BodyUnavailable("no Sony body answers at " + source_.text() +
                                  ": is it on, on the network, and is the address right?");
    } else if (!sonyOnUsb()) {
        throw BodyUnavailable("no Sony body is attached on USB: connect it, switch it on and set its USB connection "
                              "to PC Remote");
    }
}

void GPhotoBody::requireOpen() const {
    if (open_) return;
    if (reconnecting_) throw BodyAway("the body is away (the connection was lost); reconnecting as soon as it answers");
    throw BodyUnavailable("the body is not connected");
}

void GPhotoBody::open() {
    wanted_ = true;
    if (open_) return;
    openSession();
}

void GPhotoBody::openSession() {
    worker_.run("opening the body", 30s, [this] {
        session_.connect(source_);
        try {
            prepare();
        } catch (...) {
            session_.disconnect();
            throw;
        }
    });
    ++sessions_;
    open_ = true;
}

void GPhotoBody::close() noexcept {
    wanted_ = false;
    {
        std::lock_guard lock(reconnect_mutex_);
        if (reconnector_.joinable()) {
            reconnector_.request_stop();
            reconnector_.join();
        }
    }
    if (!open_.exchange(false)) return;
    try {
        worker_.run("closing the body", 10s, [this] { session_.disconnect(); });
    } catch (const std::exception& e) {
        log::get("ptp")->warn("closing the body: {}", e.what());
    }
}

void GPhotoBody::prepare() {
    auto logger = log::get("ptp");
    BodyIdentity identity;
    identity.manufacturer = session_.has("manufacturer") ? session_.value("manufacturer") : "Sony";
    identity.model = session_.has("cameramodel") ? session_.value("cameramodel") : "";
    identity.serial = session_.has("serialnumber") ? session_.value("serialnumber") : "";
    identity.firmware = session_.has("deviceversion") ? session_.value("deviceversion") : "";
    // A body this libgphoto2 is known to misread (config::gphotoProblem) is refused when the
    // misreading shows - its exposure settings missing - before anything fails obscurely.
    if (const auto* entry = bodies_.find(identity.model)) {
        if (const auto problem = config::gphotoProblem(*entry, libraryVersion())) {
            if (!session_.has("shutterspeed") || !session_.has("iso")) throw BodyError(*problem);
            logger->warn("{} - but this body's settings read correctly, so it is used", *problem);
        }
    }
    const bool focus_drive = session_.has("manualfocus");
    {
        std::lock_guard lock(mutex_);
        identity_ = identity;
        focus_drive_ = focus_drive;
    }
    // RAW file type: the best one this process's LibRaw decodes (config::preferredRawType:
    // uncompressed, exact; a decodable lossless type the body is already on stays, exact and smaller;
    // compressed only when nothing else decodes). When none decodes, it is left as it is, and the
    // camera refuses the body at connect, saying why (config::bodyDecodeProblem).
    std::string raw_type;
    try {
        if (session_.has(kRawTypeWidget)) {
            std::vector<std::string> offered;
            for (const auto& code : session_.choices(kRawTypeWidget)) offered.push_back(rawTypeName(code));
            const auto preferred =
                config::preferredRawType(offered, rawTypeName(session_.value(kRawTypeWidget)), config::libRawSeries());
            if (preferred) raw_type = rawTypeCode(*preferred).value_or("");
        }
    } catch (const BodyError& e) {
        logger->warn("preparing the body: could not read its RAW file types: {}", e.what());
    }
    // Each step is worth trying on its own: an older body lacks some of these properties.
    const std::pair<const char*, std::string> settings[] = {
        {"d222", "1"},               // capture target: PC memory (sdram)
        {"imagequality", "RAW"},     // RAW only
        {kRawTypeWidget, raw_type},  // empty: leave it
        {"focusmode", "Manual"},     // the focus drive works in manual focus only
    };
    for (const auto& [name, value] : settings) {
        if (value.empty()) continue;
        try {
            if (session_.has(name) && session_.value(name) != value) session_.set(name, value);
        } catch (const BodyError& e) {
            logger->warn("preparing the body: could not set {} to {}: {}", name, value, e.what());
        }
    }
    if (!focus_drive)
        logger->warn("{} offers no focus drive through libgphoto2 (as the ILCE-7M4 with 2.5.30): the camera works, "
                     "the focuser cannot move the lens",
                     identity.model);
    logger->info("prepared {} (serial {}, firmware {}) for tethering", identity.model, identity.serial,
                 identity.firmware);
    // The health this body tells (SonyHealth.hpp): which properties it has, and their values now.
    {
        std::lock_guard lock(health_mutex_);
        health_.reset();
    }
    health_widgets_.clear();
    for (const char* name :
         {kBatteryLevelWidget, kBatteryIndicatorWidget, kCardStatusWidget, kRemainingShotsWidget, kOverheatWidget})
        if (session_.has(name)) health_widgets_.emplace_back(name);
    try {
        auto health = readHealth();
        std::lock_guard lock(health_mutex_);
        health_ = std::move(health);
    } catch (const BodyError& e) {
        logger->warn("preparing the body: could not read its battery and card state: {}", e.what());
    }
}

BodyHealth GPhotoBody::readHealth() {
    SonyHealthReadings readings;
    const std::pair<const char*, std::optional<std::string>*> targets[] = {
        {kBatteryLevelWidget, &readings.battery_level}, {kBatteryIndicatorWidget, &readings.battery_indicator},
        {kCardStatusWidget, &readings.card_status},     {kRemainingShotsWidget, &readings.remaining_shots},
        {kOverheatWidget, &readings.overheat},
    };
    for (const auto& [name, target] : targets)
        if (std::find(health_widgets_.begin(), health_widgets_.end(), name) != health_widgets_.end())
            *target = session_.value(name);
    return decodeSonyHealth(readings, std::chrono::system_clock::now());
}

std::optional<BodyHealth> GPhotoBody::health() const {
    if (!open_) return std::nullopt;  // what was read before is old news
    std::lock_guard lock(health_mutex_);
    return health_;
}

BodyHealth GPhotoBody::refreshHealth() {
    requireOpen();
    const auto started = std::chrono::steady_clock::now();
    auto health = run("reading the battery and card state", 5s, [this] { return readHealth(); });
    log::get("ptp")->debug(
        "read the body's battery and card state in {:.1f} ms",
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count());
    std::lock_guard lock(health_mutex_);
    health_ = health;
    return health;
}

void GPhotoBody::watchHealth(std::stop_token stop) {
    // A thread of its own rather than work piggy-backed on the exposures: the battery matters most
    // when nothing else happens (between sequences, during focusing). It asks only while the body
    // is idle, so it never queues behind (or in front of) an exposure that has begun.
    while (!sleepUnlessStopped(health_interval_, stop)) {
        if (!open_ || state() != BodyState::Idle) continue;
        try {
            refreshHealth();
        } catch (const std::exception& e) {
            log::get("ptp")->debug("could not read the battery and card state: {}", e.what());
        }
    }
}

BodyIdentity GPhotoBody::identity() {
    requireOpen();
    std::lock_guard lock(mutex_);
    return identity_;
}

std::vector<std::string> GPhotoBody::isoChoices() {
    requireOpen();
    return run("reading the ISO choices", 10s, [this] { return session_.choices("iso"); });
}

std::string GPhotoBody::iso() {
    requireOpen();
    return run("reading the ISO", 10s, [this] { return session_.value("iso"); });
}

void GPhotoBody::setIso(const std::string& value) {
    requireOpen();
    run("setting the ISO", 60s, [this, value] {
        const auto choices = session_.choices("iso");
        if (std::find(choices.begin(), choices.end(), value) == choices.end())
            throw BodyError("ISO \"" + value + "\" is not offered by this body");
        session_.set("iso", value);
        const std::string now = session_.value("iso");
        if (now != value) throw BodyError("the body's ISO is " + now + " after setting " + value);
    });
}

std::vector<std::string> GPhotoBody::rawTypes() {
    requireOpen();
    return run("reading the RAW file types", 10s, [this] {
        std::vector<std::string> names;
        if (session_.has(kRawTypeWidget))
            for (const auto& code : session_.choices(kRawTypeWidget)) names.push_back(rawTypeName(code));
        return names;
    });
}

std::string GPhotoBody::rawType() {
    requireOpen();
    return run("reading the RAW file type", 10s, [this] {
        return session_.has(kRawTypeWidget) ? rawTypeName(session_.value(kRawTypeWidget)) : std::string();
    });
}

std::optional<bool> GPhotoBody::sensorCrop() {
    requireOpen();
    return run("reading the APS-C/Super 35mm setting", 10s, [this]() -> std::optional<bool> {
        // libgphoto2's widget (since 2019, gphoto/libgphoto2#368): 0xD219, 1 "Off", 2 "On".
        if (!session_.has("sensorcrop")) return std::nullopt;
        const std::string value = session_.value("sensorcrop");
        if (value == "On") return true;
        if (value == "Off") return false;
        return std::nullopt;
    });
}

void GPhotoBody::setRawType(const std::string& type) {
    requireOpen();
    const auto code = rawTypeCode(type);
    if (!code) throw BodyError("\"" + type + "\" is not a RAW file type");
    run("setting the RAW file type", 20s, [this, type, code = *code] {
        if (!session_.has(kRawTypeWidget)) throw BodyError("this body has no RAW file type setting");
        const auto choices = session_.choices(kRawTypeWidget);
        if (std::find(choices.begin(), choices.end(), code) == choices.end())
            throw BodyError("this body does not offer " + type);
        session_.set(kRawTypeWidget, code);
        if (session_.value(kRawTypeWidget) != code)
            throw BodyError("the body's RAW file type is " + rawTypeName(session_.value(kRawTypeWidget)) +
                            " after setting " + type);
    });
}

std::vector<GPhotoBody::Speed> GPhotoBody::listedSpeeds() {
    std::string model;
    {
        std::lock_guard lock(mutex_);
        model = identity_.model;
    }
    std::vector<Speed> speeds;
    if (const auto* body = bodies_.find(model))
        for (auto code : body->shutter_codes)
            if (code != 0) speeds.push_back({codeSeconds(code), shutterText(code)});
    if (speeds.empty())  // a body the database does not know: libgphoto2's generic list
        for (const auto& choice : session_.choices("shutterspeed"))
            if (auto seconds = parseShutterText(choice)) speeds.push_back({*seconds, choice});
    std::sort(speeds.begin(), speeds.end(), [](const Speed& a, const Speed& b) { return a.seconds > b.seconds; });
    return speeds;
}

std::vector<double> GPhotoBody::shutterSpeeds() {
    requireOpen();
    return run("reading the shutter speeds", 10s, [this] {
        std::vector<double> seconds;
        for (const auto& speed : listedSpeeds()) seconds.push_back(speed.seconds);
        return seconds;
    });
}

Exposure GPhotoBody::expose(double seconds, std::stop_token stop) {
    requireOpen();
    if (!(seconds >= 0)) throw BodyError("an exposure time must be zero or more");
    const ActivityScope activity(activity_, BodyState::Exposing);
    Exposure result;
    const auto logger = log::get("ptp");
    if (seconds <= kLongestListed + 1e-6) {
        // The listed speed nearest to the request, in ratio (exposures scale multiplicatively).
        std::vector<Speed> speeds;
        try {
            speeds = run("reading the shutter speeds", 10s, [this] { return listedSpeeds(); });
        } catch (const BodyUnavailable& e) {
            if (reconnecting_) throw BodyAway(e.what());  // nothing exposed yet; the body may come back
            throw;
        }
        if (speeds.empty()) throw BodyError("the body lists no shutter speeds");
        const double wanted = std::max(seconds, 1e-6);
        const auto nearest = std::min_element(speeds.begin(), speeds.end(), [&](const Speed& a, const Speed& b) {
            return std::abs(std::log(wanted / a.seconds)) < std::abs(std::log(wanted / b.seconds));
        });
        const double best = nearest->seconds;
        const std::string best_text = nearest->text;
        // The body may spend as long again on long-exposure noise reduction before the file comes.
        const auto file_wait = std::chrono::milliseconds(static_cast<long long>((2 * best + 30) * 1000));
        const auto timeout = file_wait + 60s;
        const auto pressed = std::chrono::system_clock::now();
        auto shutter_pressed = std::make_shared<std::atomic<bool>>(false);
        try {
            auto [file, name,
                  start] = run("the exposure", timeout, [this, best, best_text, file_wait, shutter_pressed] {
                if (session_.has("expprogram")) {
                    const auto mode = session_.value("expprogram");
                    if (mode != "M")
                        throw BodyError("the mode dial is on " + mode +
                                        ": turn it to M so the daemon can set the exposure");
                }
                if (session_.value("shutterspeed") != best_text) {
                    session_.set("shutterspeed", best_text);
                    const auto now = session_.value("shutterspeed");
                    if (now != best_text)
                        throw BodyError("the body's shutter speed is " + now + " after setting " + best_text);
                }
                // One round trip before the shutter: libgphoto2 answered the settings above from its
                // cache, so a body lost since the last exposure shows here, with nothing exposed yet (the
                // camera then waits for it), not in the middle of the capture (a frame reported lost).
                session_.probe();
                // A busy body (still writing the previous file, say) gets a few tries with back-off.
                for (int attempt = 1;; ++attempt) {
                    try {
                        const auto when = std::chrono::system_clock::now();
                        *shutter_pressed = true;
                        if (best < kTriggeredFrom) {
                            const auto path = session_.capture();
                            return std::tuple(session_.download(path), path.name, when);
                        }
                        // libgphoto2's capture waits at most 35 s for the file: longer exposures (and
                        // their noise reduction) are triggered and waited for here.
                        session_.trigger();
                        const auto path = session_.waitForFile(file_wait);
                        activity_ = BodyState::Downloading;
                        if (!path)
                            throw BodyError("the body did not hand over the file within " +
                                            std::to_string(file_wait.count() / 1000) +
                                            " s of the exposure; if long-exposure noise reduction is on, turn it off "
                                            "on the body");
                        return std::tuple(session_.download(*path), path->name, when);
                    } catch (const BodyBusy& e) {
                        if (attempt >= kBusyTries)
                            throw BodyBusy(std::string("the body stayed busy through ") + std::to_string(kBusyTries) +
                                           " tries (" + e.what() + "); is its buffer full, or a menu open on it?");
                        log::get("ptp")->info("the body is busy; trying the exposure again ({} of {})", attempt + 1,
                                              kBusyTries);
                        std::this_thread::sleep_for(std::chrono::milliseconds(250 * attempt));
                    }
                }
            });
            result = {std::move(file), std::move(name), best, start};
        } catch (const BodyUnavailable& e) {
            // Lost before the exposure began: nothing to collect, and the body may come back.
            if (!*shutter_pressed) {
                if (reconnecting_) throw BodyAway(e.what());
                throw;
            }
            result = recoverFrame(e.what(), best, pressed);
        }
    } else {
        const auto wanted = std::chrono::duration<double>(seconds);
        const auto start = run("opening the shutter", 30s, [this] {
            const auto dial = session_.value("shutterspeed");
            if (dial != "Bulb")
                throw BodyError("exposures over 30 s need BULB: turn the body's mode dial to B (or its shutter speed "
                                "to BULB); it is at " +
                                dial);
            const auto when = std::chrono::system_clock::now();
            session_.setToggle("bulb", 1);
            return when;
        });
        logger->info("bulb exposure of {:.1f} s started", seconds);
        const bool stopped = sleepUnlessStopped(std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                                    wanted - (std::chrono::system_clock::now() - start)),
                                                stop);
        const auto end = run("closing the shutter", 30s, [this] {
            session_.setToggle("bulb", 0);
            return std::chrono::system_clock::now();
        });
        activity_ = BodyState::Downloading;
        const double taken = std::chrono::duration<double>(end - start).count();
        if (stopped) logger->info("bulb exposure stopped early after {:.1f} s", taken);
        // The body writes the file after the exposure (and its noise reduction, which can take as
        // long again): wait that long plus the transfer.
        const auto wait = std::chrono::milliseconds(static_cast<long long>((taken + 60) * 1000));
        try {
            auto [file, name] = run("the download", wait + 10s, [this, wait] {
                const auto path = session_.waitForFile(wait);
                if (!path)
                    throw BodyError("the body did not hand over the bulb exposure's file within " +
                                    std::to_string(wait.count() / 1000) + " s; the frame is lost");
                return std::pair(session_.download(*path), path->name);
            });
            result = {std::move(file), std::move(name), taken, start};
        } catch (const BodyUnavailable& e) {
            result = recoverFrame(e.what(), taken, start);
        }
    }
    return result;
}

Exposure GPhotoBody::recoverFrame(const std::string& reason, double seconds,
                                  std::chrono::system_clock::time_point start) {
    const auto logger = log::get("ptp");
    logger->warn("the connection dropped during the exposure ({}); waiting for the body to collect the frame", reason);
    const auto deadline = std::chrono::steady_clock::now() + kRecoveryWait;
    while (!open_ && wanted_ && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(100ms);
    if (!open_)
        throw BodyUnavailable("the connection to the body dropped during the exposure (" + reason +
                              ") and it has not come back: the frame is lost");
    auto frame =
        run("collecting the frame", 30s, [this]() -> std::optional<std::pair<std::vector<std::uint8_t>, std::string>> {
            const auto path = session_.waitForFile(5s);
            if (!path) return std::nullopt;
            return std::pair(session_.download(*path), path->name);
        });
    if (!frame)
        throw BodyError("the connection to the body dropped during the exposure (" + reason +
                        ") and the body no longer holds the frame: it is lost");
    logger->info("collected {} after reconnecting", frame->second);
    return {std::move(frame->first), std::move(frame->second), seconds, start};
}

BodyState GPhotoBody::state() const noexcept {
    if (open_) return activity_.load();
    return reconnecting_ ? BodyState::Reconnecting : BodyState::Disconnected;
}

bool GPhotoBody::hasFocusDrive() {
    requireOpen();
    std::lock_guard lock(mutex_);
    return focus_drive_;
}

void GPhotoBody::focusStep(int size, int direction) {
    requireOpen();
    if (size < 1 || size > config::kStepSizes)
        throw BodyError("focus step size " + std::to_string(size) + " is not in 1..7");
    if (!hasFocusDrive())
        throw BodyError("this body offers no focus drive through libgphoto2, so the focuser cannot move the lens");
    const float value = static_cast<float>(direction < 0 ? -size : size);
    const ActivityScope activity(activity_, BodyState::Busy);
    run("the focus step", 10s, [this, value] {
        // A body in autofocus takes the step and does nothing: say so instead.
        if (session_.has("focusmode")) {
            const auto mode = session_.value("focusmode");
            if (mode != "Manual")
                throw BodyError("the body is in " + mode +
                                " focus: the focus drive moves the lens only in manual focus; set the body to MF "
                                "(leave the lens's own AF/MF switch on AF)");
        }
        // The body answers DeviceBusy while the lens still moves from the previous step, and
        // libgphoto2 2.5.30 reports that as "Bad parameters": back off and retry for about 1.5 s.
        for (int attempt = 0;; ++attempt) {
            try {
                session_.setNumber("manualfocus", value);
                return;
            } catch (const BodyUnavailable&) {
                throw;
            } catch (const BodyError& e) {
                if (attempt >= 30)
                    throw BodyError(std::string("the focus drive did not take the step: ") + e.what() +
                                    " (is the body in manual focus, and the lens's AF/MF switch on AF?)");
                std::this_thread::sleep_for(std::chrono::milliseconds(20 + 2 * attempt));
            }
        }
    });
}

std::vector<std::uint8_t> GPhotoBody::liveView() {
    requireOpen();
    return run("the live-view frame", 10s, [this] { return session_.preview(); });
}

}  // namespace sonyalpaca::ptp::gphoto
