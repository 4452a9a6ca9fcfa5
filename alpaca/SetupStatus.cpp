// SPDX-License-Identifier: GPL-3.0-or-later
// The setup pages' status: GET /setup/status.json, and the same fields the page renders at first.
#include "alpaca/CameraDevice.hpp"
#include "alpaca/FocuserDevice.hpp"
#include "alpaca/SetupPagesParts.hpp"
#include "config/Log.hpp"
#include "config/Text.hpp"
#include "config/TimeText.hpp"

#include <cmath>
#include <cstdio>

namespace sonyalpaca::alpaca {
namespace setup {
namespace {
std::string fixed(double value, int decimals) {
    char text[64];
    std::snprintf(text, sizeof text, "%.*f", decimals, value);
    return text;
}

bool namesLens(const nlohmann::json& focuser, const std::string& reported) {
    return !reported.empty() && (text::equalsIgnoringCase(focuser.value("lens", std::string()), reported) ||
                                 text::equalsIgnoringCase(focuser.value("lens_name", std::string()), reported));
}

/// The body's health when the body is open and tells it.
std::optional<ptp::BodyHealth> healthOf(const SetupContext& context) {
    return context.session ? context.session->body().health() : std::nullopt;
}

/// A value the body sent that is not understood (its code as read).
std::string unknownCode(std::uint32_t code) {
    char text[32];
    std::snprintf(text, sizeof text, "unknown (0x%X)", code);
    return text;
}

Json orNull(const std::optional<double>& value) { return value ? Json(*value) : Json(); }

std::string celsius(const char* what, const std::optional<double>& value) {
    return value ? std::string(what) + " " + fixed(*value, 1) + " °C" : std::string();
}

const char* stateName(ptp::BodyState state) {
    switch (state) {
    case ptp::BodyState::Disconnected: return "closed";
    case ptp::BodyState::Reconnecting: return "reconnecting (the connection was lost)";
    case ptp::BodyState::Idle: return "idle";
    case ptp::BodyState::Exposing: return "exposing";
    case ptp::BodyState::Downloading: return "downloading";
    case ptp::BodyState::Busy: return "busy";
    }
    return "unknown";
}
}  // namespace

nlohmann::json learningOf(const nlohmann::json& focuser) {
    nlohmann::json learning{{"active", false}, {"phase", ""},        {"percent", 0}, {"message", ""},
                            {"result", ""},    {"profile_file", ""}, {"error", ""}};
    const auto found = focuser.find("learning");
    if (found != focuser.end() && found->is_object())
        for (const auto& [key, value] : found->items()) learning[key] = value;
    return learning;
}

Json statusFields(const DeviceRegistry& registry, const SetupContext& context) {
    Json f;
    f["server"] = "online";
    auto* camera = deviceOf<CameraDevice>(registry, "camera");
    auto* focuser = deviceOf<FocuserDevice>(registry, "focuser");
    if (context.session) {
        const auto& body = context.session->body();
        f["body"] = body.describe();
        f["body_state"] = stateName(body.state());
        const auto lens = context.session->reportedLens();
        f["lens_reported"] = lens.empty() ? "not reported yet" : lens;
        const auto celsius = context.session->temperature();
        f["temperature"] = celsius ? fixed(*celsius, 1) + " °C" : "not known yet (it comes with an image)";
    } else {
        f["body"] = "none";
        f["body_state"] = "none";
        f["lens_reported"] = "not reported";
        f["temperature"] = "not known";
    }
    f["camera_connected"] = camera ? (camera->connected()    ? "yes"
                                      : camera->connecting() ? "connecting"
                                                             : "no")
                                   : "none";
    const auto preview = camera ? camera->preview() : nullptr;
    f["last_frame"] = preview ? "#" + std::to_string(preview->number) + ", " + fixed(preview->seconds, 3) + " s at " +
                                    timetext::utc(preview->start, "%H:%M:%S") + " UTC, " +
                                    std::to_string(preview->frame_width) + "x" + std::to_string(preview->frame_height)
                              : std::string("none yet: take an exposure from the imaging program");
    f["focuser_connected"] = focuser ? (focuser->connected()    ? "yes"
                                        : focuser->connecting() ? "connecting"
                                                                : "no")
                                     : "none";
    const nlohmann::json s = focuser ? focuser->status() : nlohmann::json{{"connected", false}};
    if (s.value("connected", false)) {
        f["focus_lens"] = s.value("lens_name", std::string()) + " (" + s.value("lens", std::string()) + ")" +
                          (s.value("generic_lens", false) ? ", generic profile: approximate" : "");
        // "of" MaxStep: the travel's whole units, as the focuser counts them
        f["focus_position"] = std::to_string(s.value("position", 0L)) + " of " +
                              fixed(std::floor(s.value("travel", 0.0) + 1e-9), 0) + " (target " +
                              std::to_string(s.value("target", 0L)) + ")";
        f["focus_estimate"] = fixed(s.value("estimate", 0.0), 1) + " ± " + fixed(s.value("uncertainty", 0.0), 1);
        f["focus_homed"] = std::string(s.value("homed", false) ? "yes" : "no") +
                           (s.value("homing_due", false) ? "; the next move homes first" : "");
        const std::string activity = s.value("activity", std::string("idle"));
        f["focus_activity"] = activity == "idle" ? activity
                                                 : activity + " " + std::to_string(s.value("steps_done", 0)) + "/" +
                                                       std::to_string(s.value("steps_total", 0)) + " steps";
        const std::string error = s.value("last_error", std::string());
        f["focus_error"] = error.empty() ? "none" : error;
    } else {
        const std::string why = "focuser not connected";
        for (const char* key : {"focus_lens", "focus_position", "focus_estimate", "focus_homed", "focus_activity"})
            f[key] = why;
        f["focus_error"] = s.value("last_error", std::string("none"));
    }
    f.update(healthFields(context));
    return f;
}

Json healthFields(const SetupContext& context) {
    Json f;
    const auto health = healthOf(context);
    const bool open = context.session && context.session->body().isOpen();
    const std::string none = open ? "not reported by the body" : "not known (the body is not connected)";
    if (health) {
        const auto& h = *health;
        std::string battery = h.battery_percent ? std::to_string(*h.battery_percent) + " %" : std::string();
        if (!h.battery_bars.empty()) battery += battery.empty() ? h.battery_bars : " (" + h.battery_bars + ")";
        if (battery.empty()) battery = "not known";
        f["battery"] = h.lowBattery() ? battery + ", low" : battery;
        f["power_source"] = h.source_code                                ? unknownCode(*h.source_code)
                            : h.source == ptp::PowerSource::UsbPower     ? std::string("USB power")
                            : h.source == ptp::PowerSource::DummyBattery ? std::string("dummy battery (mains adapter)")
                                                                         : std::string(ptp::powerSourceName(h.source));
        f["card"] = h.card_code                       ? unknownCode(*h.card_code)
                    : h.card == ptp::CardState::In    ? std::string("in")
                    : h.card == ptp::CardState::None  ? std::string("no card")
                    : h.card == ptp::CardState::Error ? std::string("card error (or locked, or being read)")
                                                      : std::string("unknown");
        f["remaining_shots"] = h.remaining_shots ? std::to_string(*h.remaining_shots) : std::string("not known");
        f["overheat"] = h.overheat_code                               ? unknownCode(*h.overheat_code)
                        : h.overheat == ptp::Overheat::None           ? std::string("no")
                        : h.overheat == ptp::Overheat::PreOverheating ? std::string("getting hot (pre-overheating)")
                        : h.overheat == ptp::Overheat::Overheating    ? std::string("overheating: the body may stop")
                                                                      : std::string("unknown");
        f["health_read"] = timetext::utc(h.read_at, "%H:%M:%S") + " UTC";
        f["battery_warning"] =
            "The body's battery is low (" +
            (h.battery_percent ? std::to_string(*h.battery_percent) + " %" : h.battery_bars) +
            "): swap it for a charged one, or power the body over USB or with a dummy battery (mains adapter), "
            "before the next long sequence.";
    } else {
        for (const char* key : {"battery", "power_source", "card", "remaining_shots", "overheat"}) f[key] = none;
        f["health_read"] = "never";
        f["battery_warning"] = "";
    }
    const auto t = context.session ? context.session->frameTemperatures() : FrameTemperatures{};
    std::string temperatures;
    for (const auto& part : {celsius("sensor", t.sensor), celsius("ambient", t.ambient), celsius("battery", t.battery)})
        if (!part.empty()) temperatures += (temperatures.empty() ? "" : " · ") + part;
    f["body_temperatures"] = temperatures.empty() ? "not known yet (they come with an image)" : temperatures;
    return f;
}

Json healthStatus(const SetupContext& context) {
    const auto health = healthOf(context);
    const auto t = context.session ? context.session->frameTemperatures() : FrameTemperatures{};
    Json level = health && health->battery_percent ? Json(*health->battery_percent) : Json();
    Json shots = health && health->remaining_shots ? Json(*health->remaining_shots) : Json();
    return {{"battery",
             {{"level", std::move(level)},
              {"source", ptp::powerSourceName(health ? health->source : ptp::PowerSource::Unknown)},
              {"low", health && health->lowBattery()}}},
            {"storage",
             {{"card", ptp::cardStateName(health ? health->card : ptp::CardState::Unknown)},
              {"remaining_shots", std::move(shots)}}},
            {"body_temperature",
             {{"sensor_c", orNull(t.sensor)},
              {"ambient_c", orNull(t.ambient)},
              {"battery_c", orNull(t.battery)},
              {"overheat", ptp::overheatName(health ? health->overheat : ptp::Overheat::Unknown)}}}};
}

Json learnInfo(const nlohmann::json& focuser, const SetupContext& context) {
    const auto learning = learningOf(focuser);
    const bool connected = focuser.value("connected", false);
    const std::string reported = context.session ? context.session->reportedLens() : std::string();
    Json info;
    // As FocuserDevice::startLearning names it; not known before the focuser connects (its profile).
    info["default_name"] = !reported.empty()                       ? reported
                           : !connected                            ? std::string()
                           : !focuser.value("generic_lens", false) ? focuser.value("lens", std::string())
                                                                   : std::string("learned-YYYYMMDD-HHMM");
    const bool active = learning.value("active", false);
    const std::string error = learning.value("error", std::string());
    info["error"] =
        active || error.empty() ? std::string()
        : error == "cancelled"
            ? std::string("Learning cancelled. The lens position is unknown now: the next move homes first.")
            : "Learning failed: " + error;
    const std::string file = learning.value("profile_file", std::string());
    const bool done = !active && error.empty() && !learning.value("result", std::string()).empty();
    info["done"] = done;
    std::string hint;
    std::string learned_id;
    if (done && file.empty()) {
        hint = "The profile could not be saved (the log says why); the focuser uses it until the daemon stops.";
    } else if (done) {
        const std::string id = focuser.value("lens", std::string());
        hint = "The focuser uses this profile now, from the infinity end stop (Position = MaxStep).";
        if (namesLens(focuser, reported))
            hint += " It is named after the lens the body reports, so after a restart the focuser finds it for this "
                    "lens by itself (unless Settings → lens names another).";
        else
            hint += " It is not named after the lens the body reports (" +
                    (reported.empty() ? std::string("none reported yet") : reported) + "): choose \"" + id +
                    "\" in Settings → lens and Save to make it the default after a restart.";
        if (context.lenses && !context.lenses->find(id)) learned_id = id;
    }
    info["hint"] = hint;
    info["learned_id"] = learned_id;
    info["learned_option"] = learned_id.empty() ? std::string() : learned_id + " (learned now)";
    return info;
}

Json frameFigures(const CameraDevice* camera) {
    const auto figures = camera ? camera->figures() : nullptr;
    return figures ? frameFiguresJson(*figures) : Json();
}

std::string learnedLensId(const DeviceRegistry& registry) {
    const auto* focuser = deviceOf<FocuserDevice>(registry, "focuser");
    if (!focuser) return {};
    const auto status = focuser->status();
    if (learningOf(status).value("profile_file", std::string()).empty()) return {};
    return status.value("lens", std::string());
}
}  // namespace setup

using namespace setup;

std::string SetupPages::statusJson() const {
    Json reply;
    reply["fields"] = statusFields(registry_, context_);
    const auto* focuser = deviceOf<FocuserDevice>(registry_, "focuser");
    nlohmann::json focus = focuser ? focuser->status() : nlohmann::json{{"connected", false}};
    focus["learning"] = learningOf(focus);
    reply["learn"] = learnInfo(focus, context_);
    reply["focuser"] = std::move(focus);
    const auto* camera = deviceOf<CameraDevice>(registry_, "camera");
    const auto preview = camera ? camera->preview() : nullptr;
    reply["preview"] =
        preview ? Json{{"number", preview->number}, {"width", preview->width}, {"height", preview->height}} : Json();
    reply["live"] = live_ ? Json(live_->status()) : Json();
    reply.update(healthStatus(context_));
    reply["framestats"] = frameFigures(camera);
    reply["log"] = log::recentLines();
    return reply.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace sonyalpaca::alpaca
