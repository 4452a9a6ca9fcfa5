// SPDX-License-Identifier: GPL-3.0-or-later
#include "alpaca/FocuserDevice.hpp"

#include "alpaca/AlpacaError.hpp"
#include "alpaca/ClientText.hpp"
#include "config/Log.hpp"
#include "config/Text.hpp"
#include "focus/LensModel.hpp"
#include "imaging/LiveViewGrid.hpp"

#include <nlohmann/json.hpp>

namespace sonyalpaca::alpaca {
namespace {
constexpr const char* kDescription =
    "Lens focus drive of a Sony Alpha body as an absolute focuser (sonyalpaca); Temperature is the body's "
    "ambient temperature from the last image";

bool sameLens(const config::LensEntry& lens, const std::string& reported) {
    return text::equalsIgnoringCase(lens.model_id, reported) || text::equalsIgnoringCase(lens.name, reported);
}
}  // namespace

FocuserDevice::FocuserDevice(std::shared_ptr<BodySession> session, FocuserConfig config)
    : DeviceBase({"Focuser", "Sony lens focuser", kDescription}, std::move(session)), config_(std::move(config)) {
    using enum Needs;
    addGet("Absolute", Nothing, [] { return true; });
    addGet("IsMoving", Connected, [this] { return focuser()->isMoving(); });
    addGet("MaxStep", Connected, [this] { return focuser()->maxStep(); });
    addGet("MaxIncrement", Connected, [this] { return focuser()->maxStep(); });
    addGet("Position", Connected, [this] { return focuser()->position(); });
    addAbsent("StepSize", Verb::Get,
              "the size of one focus step in microns is not known; Sony bodies step the lens in units of its "
              "smallest drive step and report no distance");
    addGet("TempCompAvailable", Connected, [this] { return focuser()->tempCompAvailable(); });
    addProperty(
        "TempComp", ParamType::Bool, Connected, [this] { return focuser()->tempComp(); },
        [this](const Arguments& a) {
            auto drive = focuser();
            if (!drive->tempCompAvailable())
                throw AlpacaError::notImplemented(
                    "Focuser.TempComp: the lens profile " + drive->lens().model_id +
                    " has no \"temperature_coefficient\" (focus shift in steps per °C), so temperature compensation "
                    "is not available; add one to the lens profile to enable it");
            drive->setTempComp(a.get<bool>("TempComp"));
        });
    addGet("Temperature", Connected, [this]() -> nlohmann::json {
        const auto celsius = this->session().temperature();
        if (!celsius)
            throw AlpacaError::notImplemented(
                "Focuser.Temperature: no temperature yet; it is the body's ambient temperature read from the "
                "maker notes of the last image, so take an exposure first");
        return *celsius;
    });
    addPut("Halt", {}, Connected, [this](const Arguments&) { focuser()->halt(); });
    // Clamped to [0, MaxStep] by the focuser, as Alpaca wants instead of refusing.
    addPut("Move", {{"Position", ParamType::Int}}, Connected,
           [this](const Arguments& a) { focuser()->move(a.get<std::int32_t>("Position")); });
    addAction("home", Connected, [this](const std::string&) {
        focuser()->home();
        return std::string("homing into the infinity end stop; IsMoving is true until it is done; Action "
                           "\"status\" shows the progress");
    });
    addAction("status", Connected, [this](const std::string&) { return focuser()->statusJson().dump(); });
    addAction("learn", Connected, [this](const std::string& parameters) {
        const std::string command = text::trim(parameters);
        if (command == "cancel") {
            auto drive = focuser();
            if (!drive->status().learning.active) return std::string("no lens learning is running");
            drive->halt();
            return std::string("lens learning cancelled; the next move homes first");
        }
        if (command == "status") return focuser()->statusJson().at("learning").dump();
        std::string name = command;
        if (name == "start") name.clear();
        if (name.rfind("start ", 0) == 0) name = text::trim(name.substr(6));
        return startLearning(name);
    });
    listener_ = this->session().onReport([this](const FrameFacts& facts) { onFacts(facts); });
}

FocuserDevice::~FocuserDevice() {
    session().removeListener(listener_);
    shutdown();
}

nlohmann::json FocuserDevice::status() const noexcept {
    try {
        const auto running = drive();
        if (!running) return {{"connected", false}};
        auto status = running->statusJson();
        status["connected"] = true;
        return status;
    } catch (const std::exception& e) {
        return {{"connected", false}, {"last_error", e.what()}};
    }
}

std::shared_ptr<focus::AbsoluteFocuser> FocuserDevice::drive() const {
    if (!connected()) return nullptr;
    std::lock_guard lock(mutex_);
    return focuser_;
}

std::string FocuserDevice::startLearning(const std::string& name) {
    auto drive = focuser();
    focus::LearnOptions options;
    const auto current = drive->lens();
    const std::string reported = session().reportedLens();
    if (!name.empty()) {
        options.model_id = name;
        options.name = name;
    } else if (!reported.empty()) {
        options.model_id = reported;
        options.name = reported;
    } else if (!drive->generic()) {
        options.model_id = current.model_id;
        options.name = current.name;
        options.maker = current.maker;
    } else {
        options.model_id = focus::learnedLensId();
        options.name = "lens " + options.model_id;
    }
    if (const std::string why = badLensName(options.model_id); !why.empty())
        throw AlpacaError::invalidValue("Action learn: " + why);
    drive->learn(options);
    log::get("alpaca")->info("focuser: learning lens \"{}\"", loggable(options.model_id));
    return "learning lens \"" + options.model_id +
           "\": point the camera at a still, detailed scene in daylight. "
           "It drives between the end stops for a few minutes; IsMoving is true until it ends, Halt cancels, and "
           "Action \"learn\" with Parameters \"status\" shows the progress";
}

std::shared_ptr<focus::AbsoluteFocuser> FocuserDevice::focuser() const {
    std::lock_guard lock(mutex_);
    if (!focuser_) throw AlpacaError::notConnected("Focuser is not connected: set Connected to true first");
    return focuser_;
}

void FocuserDevice::onConnected() {
    auto& body = session().body();
    if (!body.hasFocusDrive())
        throw AlpacaError::notImplemented(
            "this body offers no focus drive through libgphoto2 (Sony property 0xD2D1 is absent, e.g. on the "
            "ILCE-7M4 with libgphoto2 2.5.30), so the focuser cannot move the lens; the camera works as usual");
    const auto identity = body.identity();
    body_id_ = identity.model + " " + identity.serial;
    const bool remembered = session().lensRemembered();
    auto made = makeFocuser(session().reportedLens());
    std::lock_guard lock(mutex_);
    focuser_ = std::move(made);
    mismatch_warned_ = false;
    profile_remembered_ = remembered && !focuser_->generic();
}

void FocuserDevice::onDisconnecting() noexcept {
    std::shared_ptr<focus::AbsoluteFocuser> stopping;
    {
        std::lock_guard lock(mutex_);
        stopping = std::move(focuser_);
        if (stopping && !stopping->status().learning.profile_file.empty()) learned_ = stopping->lens();
    }
    if (stopping) stopping->halt();
}

std::shared_ptr<focus::AbsoluteFocuser> FocuserDevice::makeFocuser(const std::string& reported) {
    auto logger = log::get("alpaca");
    focus::FocuserSetup setup;
    setup.settings = config_.settings;
    setup.state_file = config_.state_dir / "focuser.json";
    setup.body_id = body_id_;
    setup.meter = config_.meter ? config_.meter : focus::ViewMeter([](const std::vector<std::uint8_t>& jpeg) {
        return imaging::liveViewGrid(jpeg);
    });
    setup.lenses_dir = config_.state_dir / "lenses";
    const config::LensEntry* chosen = nullptr;
    if (!config_.configured_lens.empty()) {
        chosen = config_.lenses->find(config_.configured_lens);
        if (chosen && !reported.empty() && !sameLens(*chosen, reported))
            logger->warn("focuser: the configured lens is {} but the body reports \"{}\"; using {} as configured",
                         chosen->model_id, loggable(reported), chosen->model_id);
    } else if (!reported.empty()) {
        chosen = config_.lenses->find(reported);
    }
    if (!chosen && learned_ && (reported.empty() || sameLens(*learned_, reported))) chosen = &*learned_;
    if (chosen) {
        setup.lens = *chosen;
    } else {
        setup.lens = focus::genericLens();
        setup.generic = true;
        logger->warn(
            "focuser: {} has no focus profile: running on the generic profile (step sizes 2.5x apart, "
            "{} steps below infinity until homing finds its travel), which is only approximate. Choose the "
            "lens with --lens / \"lens\", or learn it: setup page, Action \"learn\" or `sonyalpaca learn-lens`",
            reported.empty() ? std::string("the lens (none reported)") : "lens \"" + loggable(reported) + "\"",
            static_cast<long>(setup.lens.full_travel_moves[0]));
    }
    return std::make_shared<focus::AbsoluteFocuser>(session().body(), std::move(setup));
}

void FocuserDevice::onFacts(const FrameFacts& facts) {
    std::shared_ptr<focus::AbsoluteFocuser> current;
    {
        std::lock_guard lock(mutex_);
        current = focuser_;
    }
    if (!current) return;
    if (facts.temperature) current->temperatureChanged(*facts.temperature);
    if (facts.lens.empty()) return;
    bool remembered = false;
    {
        std::lock_guard lock(mutex_);
        if (sameLens(current->lens(), facts.lens)) profile_remembered_ = false;  // confirmed by the image
        remembered = profile_remembered_;
    }
    if (sameLens(current->lens(), facts.lens)) return;
    // The generic profile, or the one of the lens this body carried last time, gives way to the lens
    // the image names (a lens swapped since, or the first image of a lens the daemon knows).
    if ((current->generic() || remembered) && config_.configured_lens.empty() && config_.lenses->find(facts.lens) &&
        !current->isMoving()) {
        log::get("alpaca")->info("focuser: the body reports lens \"{}\"; switching from the {} profile to it",
                                 loggable(facts.lens), current->generic() ? "generic" : "remembered lens's");
        auto replacement = makeFocuser(facts.lens);
        std::lock_guard lock(mutex_);
        if (focuser_ == current) {
            focuser_ = std::move(replacement);
            profile_remembered_ = false;
        }
        return;
    }
    std::lock_guard lock(mutex_);
    if (!mismatch_warned_)
        log::get("alpaca")->warn("focuser: the body reports lens \"{}\" but the focuser uses the profile of {}",
                                 loggable(facts.lens), current->lens().model_id);
    mismatch_warned_ = true;
}

nlohmann::json FocuserDevice::deviceState() const {
    auto drive = focuser();
    auto state = nlohmann::json::array(
        {{{"Name", "IsMoving"}, {"Value", drive->isMoving()}}, {{"Name", "Position"}, {"Value", drive->position()}}});
    if (const auto celsius = session().temperature()) state.push_back({{"Name", "Temperature"}, {"Value", *celsius}});
    return state;
}

}  // namespace sonyalpaca::alpaca
