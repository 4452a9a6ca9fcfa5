// SPDX-License-Identifier: GPL-3.0-or-later
#include "server/SimulatorControl.hpp"

#include "ptp/sim/PtpIpServer.hpp"
#include "ptp/sim/VirtualBody.hpp"

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <charconv>
#include <optional>
#include <stdexcept>
#include <type_traits>
#include <utility>

namespace sonyalpaca::server {
namespace {
/// Reads the number parameter `name`; answers 400 and returns false when it is missing or bad.
bool numberParam(const httplib::Request& request, httplib::Response& response, const char* name, double& value) {
    const std::string text = request.get_param_value(name);
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (!text.empty() && ec == std::errc() && ptr == text.data() + text.size()) return true;
    response.status = 400;
    response.set_content(std::string("give ") + name + "=NUMBER\n", "text/plain");
    return false;
}

constexpr const char* kHealthUsage =
    "give any of battery=PERCENT (0 to 100), source=battery|usb|dummy|none, card=in|none|error, shots=N (0 or "
    "more), overheat=0|1|2 (none, pre-overheating, overheating)\n";

using SimHealth = ptp::sim::SimulatedHealth;
/// The control port's words for the power source and the card, both ways (PUT /health, GET /status).
constexpr std::pair<const char*, SimHealth::Source> kSources[] = {{"battery", SimHealth::Source::Battery},
                                                                  {"usb", SimHealth::Source::Usb},
                                                                  {"dummy", SimHealth::Source::Dummy},
                                                                  {"none", SimHealth::Source::None}};
constexpr std::pair<const char*, SimHealth::Card> kCards[] = {
    {"in", SimHealth::Card::In}, {"none", SimHealth::Card::None}, {"error", SimHealth::Card::Error}};

template <typename Value, std::size_t N>
const char* wordOf(Value value, const std::pair<const char*, Value> (&words)[N]) {
    for (const auto& [word, each] : words)
        if (each == value) return word;
    return "unknown";
}

/// The health the form asks for on top of `health`; nullopt when a value is missing or not accepted.
std::optional<ptp::sim::SimulatedHealth> healthFrom(const httplib::Request& request, ptp::sim::SimulatedHealth health) {
    bool any = false;
    const auto whole = [&](const char* name, long low, long high, auto& target) {
        if (!request.has_param(name)) return true;
        const std::string text = request.get_param_value(name);
        long value = 0;
        const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
        if (text.empty() || ec != std::errc() || ptr != text.data() + text.size() || value < low || value > high)
            return false;
        target = static_cast<std::remove_reference_t<decltype(target)>>(value);
        any = true;
        return true;
    };
    const auto word = [&](const char* name, auto& target, const auto& choices) {
        if (!request.has_param(name)) return true;
        const std::string text = request.get_param_value(name);
        for (const auto& [choice, value] : choices)
            if (text == choice) {
                target = value;
                any = true;
                return true;
            }
        return false;
    };
    const bool ok = whole("battery", 0, 100, health.battery_percent) && word("source", health.source, kSources) &&
                    word("card", health.card, kCards) && whole("shots", 0, 0xFFFFFFFFL, health.shots) &&
                    whole("overheat", 0, 2, health.overheat);
    if (!ok || !any) return std::nullopt;
    return health;
}

nlohmann::json healthJson(const ptp::sim::SimulatedHealth& health) {
    return {{"battery", health.battery_percent},
            {"source", wordOf(health.source, kSources)},
            {"card", wordOf(health.card, kCards)},
            {"shots", health.shots},
            {"overheat", health.overheat}};
}
}  // namespace

SimulatorControl::SimulatorControl(ptp::sim::VirtualBody& body, ptp::sim::PtpIpServer& server)
    : body_(body), server_(server), http_(std::make_unique<httplib::Server>()) {}

SimulatorControl::~SimulatorControl() { stop(); }

void SimulatorControl::start(std::uint16_t port) {
    http_->Get("/status", [this](const httplib::Request&, httplib::Response& response) {
        const auto live_focus = body_.liveViewFocus();
        const nlohmann::json status{{"lens_position", body_.lensPosition()},
                                    {"lens_travel", body_.lensTravel()},
                                    {"best_focus", body_.bestFocus()},
                                    {"live_view_focus", live_focus ? nlohmann::json(*live_focus) : nlohmann::json()},
                                    {"focus_steps", body_.focusStepCounts()},
                                    {"true_moves", body_.trueMoves()},
                                    {"exposures", body_.exposureCount()},
                                    {"operations", server_.operations()},
                                    {"health", healthJson(body_.health())}};
        response.set_content(status.dump(), "application/json");
    });
    http_->Put("/temperature", [this](const httplib::Request& request, httplib::Response& response) {
        double celsius = 0;
        if (numberParam(request, response, "celsius", celsius)) body_.setTemperature(celsius);
    });
    http_->Put("/live-view", [this](const httplib::Request& request, httplib::Response& response) {
        const std::string scene = request.get_param_value("scene");
        if (scene != "stars" && scene != "daylight") {
            response.status = 400;
            response.set_content("give scene=stars (the night sky) or scene=daylight (the scene lens learning uses)\n",
                                 "text/plain");
            return;
        }
        body_.setLiveViewStars(scene == "stars");
    });
    http_->Put("/best-focus", [this](const httplib::Request& request, httplib::Response& response) {
        double units = 0;
        if (numberParam(request, response, "units", units)) body_.setBestFocus(units);
    });
    http_->Put("/health", [this](const httplib::Request& request, httplib::Response& response) {
        const auto health = healthFrom(request, body_.health());
        if (!health) {
            response.status = 400;
            response.set_content(kHealthUsage, "text/plain");
            return;
        }
        body_.setHealth(*health);
        response.set_content(healthJson(*health).dump(), "application/json");
    });
    http_->Put("/fault", [this](const httplib::Request& request, httplib::Response& response) {
        ptp::sim::Faults& faults = body_.faults();
        bool any = false;
        auto counter = [&](const char* name, std::atomic<std::uint32_t>& target) {
            double value = 0;
            if (!request.has_param(name)) return true;
            if (!numberParam(request, response, name, value) || value < 0) return false;
            target = static_cast<std::uint32_t>(value);
            any = true;
            return true;
        };
        if (!counter("drop_after", faults.drop_after_operations) || !counter("busy_captures", faults.busy_captures) ||
            !counter("store_full", faults.store_full_captures) ||
            !counter("never_ready", faults.never_ready_captures) || !counter("slow_ms", faults.slow_reply_ms) ||
            !counter("slow_operations", faults.slow_operations))
            return;
        if (request.has_param("drop_mid_transfer")) {
            faults.drop_mid_transfer = request.get_param_value("drop_mid_transfer") != "0";
            any = true;
        }
        if (request.has_param("events")) {
            faults.events = request.get_param_value("events") != "0";
            any = true;
        }
        if (request.has_param("unplug_ms")) {
            double milliseconds = 0;
            if (!numberParam(request, response, "unplug_ms", milliseconds)) return;
            server_.unplug(std::chrono::milliseconds(static_cast<long long>(milliseconds)));
            any = true;
        }
        if (!any) {
            response.status = 400;
            response.set_content(
                "give one of drop_after, drop_mid_transfer, busy_captures, store_full, never_ready, slow_ms, "
                "slow_operations, events, unplug_ms\n",
                "text/plain");
        }
    });
    const int bound = port == 0 ? http_->bind_to_any_port("127.0.0.1")
                                : (http_->bind_to_port("127.0.0.1", port) ? port : -1);
    if (bound <= 0) throw std::runtime_error("simulated body: cannot open the control port " + std::to_string(port));
    port_ = static_cast<std::uint16_t>(bound);
    thread_ = std::thread([this] { http_->listen_after_bind(); });
}

void SimulatorControl::stop() noexcept {
    if (!thread_.joinable()) return;
    for (int i = 0; i < 2000 && !http_->is_running(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    http_->stop();
    thread_.join();
}

}  // namespace sonyalpaca::server
