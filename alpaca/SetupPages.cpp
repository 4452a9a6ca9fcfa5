// SPDX-License-Identifier: GPL-3.0-or-later
// The setup pages' routing and their writes: the POST handlers (focus jog, home and halt, lens
// learning, settings) behind the form token and Origin checks, and the preview image. The page's
// markup is in SetupPageHtml.cpp, status.json in SetupStatus.cpp.
#include "alpaca/SetupPages.hpp"

#include "alpaca/AlpacaError.hpp"
#include "alpaca/CameraDevice.hpp"
#include "alpaca/ClientText.hpp"
#include "alpaca/FocuserDevice.hpp"
#include "alpaca/Parameters.hpp"
#include "alpaca/SetupPagesParts.hpp"
#include "config/AtomicFile.hpp"
#include "config/Log.hpp"
#include "config/SettingsSchema.hpp"
#include "config/Text.hpp"
#include "imaging/FocusFigure.hpp"
#include "imaging/Jpeg.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <random>
#include <span>
#include <stdexcept>
#include <string_view>

namespace sonyalpaca::alpaca {
using namespace setup;

namespace {
std::string makeToken() {
    std::random_device random;
    std::string token;
    for (int i = 0; i < 4; ++i) {
        char part[9];
        std::snprintf(part, sizeof part, "%08x", static_cast<unsigned>(random()));
        token += part;
    }
    return token;
}

bool sameToken(std::string_view a, std::string_view b) {
    if (a.size() != b.size() || a.empty()) return false;
    unsigned char diff = 0;
    for (std::size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
    return diff == 0;
}

/// "http://host:port/path" -> "host:port", lower case.
std::string hostOf(std::string_view url) {
    const auto scheme = url.find("://");
    if (scheme == std::string_view::npos) return {};
    url.remove_prefix(scheme + 3);
    return text::asciiLower(url.substr(0, url.find_first_of("/?#")));
}

const std::string* field(const KeyValues& form, std::string_view key) {
    const std::string* found = nullptr;
    for (const auto& [name, value] : form)
        if (name == key) found = &value;
    return found;
}
/// A pointer into a temporary form would dangle at the end of the statement.
const std::string* field(KeyValues&& form, std::string_view key) = delete;

Json toJson(const config::SettingValue& value) {
    return std::visit([](const auto& v) { return Json(v); }, value);
}

HttpResponse methodNotAllowed(const std::string& path, const char* allowed) {
    return {405, kText, path + " accepts " + allowed + " only\n", {}};
}

/// A JPEG kept by its owner (the preview, a live-view frame), sent as it is kept: no copy, never
/// compressed again by the transport.
template <typename Owner>
class JpegSource final : public BodySource {
public:
    explicit JpegSource(std::shared_ptr<const Owner> owner) : owner_(std::move(owner)) {}
    std::size_t size() const noexcept override { return owner_->jpeg.size(); }
    std::span<const char> read(std::size_t offset, std::size_t max) override {
        if (offset >= owner_->jpeg.size()) throw std::out_of_range("read past the end of the JPEG");
        const auto* bytes = reinterpret_cast<const char*>(owner_->jpeg.data());
        return {bytes + offset, std::min(max, owner_->jpeg.size() - offset)};
    }

private:
    std::shared_ptr<const Owner> owner_;
};

/// How long a frame request waits for a new frame before it answers 204.
constexpr std::chrono::milliseconds kLiveWait{2000};
/// Half the side of the magnified spot (live-view pixels): the page's 1:1 magnifier shows as much.
constexpr unsigned kLiveSpotHalf = 64;

/// A number in 0..1 of the query, or `fallback` when absent; nullopt when it is not such a number.
std::optional<double> fraction(const KeyValues& query, std::string_view key, double fallback) {
    const std::string* text = field(query, key);
    if (!text) return fallback;
    const auto value = parseDouble(*text);
    if (value && *value >= 0 && *value <= 1) return value;
    return std::nullopt;
}
}  // namespace

namespace setup {
Json readConfig(const std::filesystem::path& path) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) return Json::object();
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot read " + path.string());
    Json document = Json::parse(in, nullptr, false);
    if (document.is_discarded() || !document.is_object())
        throw std::runtime_error(path.string() + " is not one JSON object; fix it by hand before saving from here");
    return document;
}

std::string textValue(const Json& document, std::string_view key) {
    const auto found = document.find(std::string(key));
    if (found == document.end()) return {};
    if (found->is_string()) return found->get<std::string>();
    return found->dump();
}

const config::SettingKey* schemaKey(std::string_view name) {
    for (const auto& key : config::settingKeys())
        if (key.key == name) return &key;
    return nullptr;
}
}  // namespace setup

SetupPages::SetupPages(const DeviceRegistry& registry, ServerDescription description, SetupContext context,
                       LiveViewOptions live)
    : registry_(registry), description_(std::move(description)), context_(std::move(context)), token_(makeToken()) {
    auto obstacle = [this] { return liveObstacle(); };
    if (context_.session) live_ = std::make_unique<LiveView>(context_.session, obstacle, live);
}

std::string SetupPages::liveObstacle() const {
    if (const auto* camera = deviceOf<CameraDevice>(registry_, "camera"); camera && camera->busy())
        return "an exposure is running";
    const auto* focuser = deviceOf<FocuserDevice>(registry_, "focuser");
    const auto drive = focuser ? focuser->drive() : nullptr;
    if (drive && drive->status().learning.active) return "the focuser is learning the lens (it reads the live view)";
    return {};
}

HttpResponse SetupPages::handle(const HttpRequest& request) const noexcept {
    try {
        HttpResponse response = route(request);
        // No other site may frame the pages (clickjacking on the jog buttons and the settings form) or
        // load anything into them; the pages' own inline script and style, their fetches and the
        // preview image stay allowed.
        response.headers.emplace_back("X-Frame-Options", "DENY");
        response.headers.emplace_back("Content-Security-Policy", kContentSecurityPolicy);
        response.headers.emplace_back("X-Content-Type-Options", "nosniff");
        return response;
    } catch (const std::exception& e) {
        log::get("alpaca")->error("setup: {} {} from {} failed: {}", loggable(request.method), loggable(request.path),
                                  request.remote, loggable(e.what()));
        return {500, kText, std::string("internal error: ") + e.what() + "\n", {}};
    } catch (...) {
        return {500, kText, "internal error\n", {}};
    }
}

HttpResponse SetupPages::route(const HttpRequest& request) const {
    const std::string& path = request.path;
    const bool get = request.method == "GET" || request.method == "HEAD";
    if (path == "/setup/focuser/jog" || path == "/setup/focuser/home" || path == "/setup/focuser/halt" ||
        path == "/setup/focuser/learn" || path == "/setup/focuser/learn-cancel" || path == "/setup/live/start" ||
        path == "/setup/live/stop" || path == "/setup/settings") {
        if (request.method != "POST") return methodNotAllowed(path, "POST");
        return post(request);
    }
    if (path == "/setup/status.json") {
        if (!get) return methodNotAllowed(path, "GET");
        return HttpResponse::json(statusJson());
    }
    if (path == "/setup/preview.jpg") {
        if (!get) return methodNotAllowed(path, "GET");
        return preview();
    }
    if (path == "/setup/live.jpg") {
        if (!get) return methodNotAllowed(path, "GET");
        return liveFrame(request);
    }
    if (path == "/setup/live" || path == "/setup/live/") {
        if (!get) return methodNotAllowed(path, "GET");
        return page(description_.server_name + " live view", {}, false, Page::Live);
    }
    std::string title = description_.server_name + " setup";
    if (path != "/setup" && path != "/setup/") {
        // /setup/v1/{type}/{n}/setup
        const std::string prefix = "/setup/v1/";
        const auto rest = path.rfind(prefix, 0) == 0 ? path.substr(prefix.size()) : std::string();
        const auto slash = rest.find('/');
        const auto type = rest.substr(0, slash);
        const bool shaped = slash != std::string::npos && rest.size() >= slash + 8 && rest.ends_with("/setup");
        const std::string number = shaped ? rest.substr(slash + 1, rest.size() - 6 - slash - 1) : std::string();
        const Device* device = shaped && number == "0" ? registry_.find(type, 0) : nullptr;
        if (!shaped && rest.empty()) return {404, kText, "no setup page at " + path + "; see /setup\n", {}};
        if (!device)
            return {403, kHtml, "<!DOCTYPE html><html><body><p>No such device on this server.</p></body></html>\n", {}};
        title = std::string(device->deviceType()) + " 0: " + device->deviceName();
    }
    if (!get) return methodNotAllowed(path, "GET");
    return page(title, {}, false);
}

HttpResponse SetupPages::preview() const {
    const auto* camera = deviceOf<CameraDevice>(registry_, "camera");
    if (!camera) return {404, kText, "no camera on this server\n", {}};
    auto preview = camera->preview();
    if (!preview) return {404, kText, "no frame yet: take an exposure from the imaging program\n", {}};
    return HttpResponse::streamed("image/jpeg", std::make_shared<JpegSource<FramePreview>>(std::move(preview)));
}

HttpResponse SetupPages::liveFrame(const HttpRequest& request) const {
    if (!live_) return {404, kText, "no body on this server, so no live view\n", {}};
    const auto query = parseUrlEncoded(request.query);
    std::uint64_t after = 0;
    if (const std::string* text = field(query, "after")) {
        const auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), after);
        if (error != std::errc() || end != text->data() + text->size())
            return HttpResponse::badRequest("after must be a frame number (0 for the newest frame)");
    }
    const auto x = fraction(query, "x", 0.5);
    const auto y = fraction(query, "y", 0.5);
    if (!x || !y) return HttpResponse::badRequest("x and y must be numbers from 0 to 1 (the spot, across and down)");
    if (const std::string* tap = field(query, "tap"); tap && *tap == "1") live_->touch();
    const auto next = live_->next(after, kLiveWait);
    HttpResponse response;
    switch (next.outcome) {
    case LiveView::Outcome::Off: response = {409, kText, live_->stateLine() + "\n", {}}; break;
    case LiveView::Outcome::TooMany:
        response = {503, kText, "too many live-view requests wait already; close another live-view page\n", {}};
        response.headers.emplace_back("Retry-After", "1");
        break;
    case LiveView::Outcome::NoneYet: response = {204, kText, {}, {}}; break;
    case LiveView::Outcome::Frame: {
        double figure = 0;
        std::string size;
        try {
            const auto grey = imaging::decodeJpegGrey(next.frame->jpeg);
            figure = imaging::focusFigure(grey, {*x * grey.width, *y * grey.height, kLiveSpotHalf});
            size = std::to_string(grey.width) + "x" + std::to_string(grey.height);
        } catch (const imaging::JpegError& e) {
            log::get("alpaca")->debug("live view: frame {} is not a readable JPEG: {}", next.frame->number, e.what());
        }
        response = HttpResponse::streamed("image/jpeg", std::make_shared<JpegSource<LiveFrame>>(next.frame));
        char text[32];
        std::snprintf(text, sizeof text, "%.2f", figure);
        response.headers.emplace_back("X-Live-Frame", std::to_string(next.frame->number));
        response.headers.emplace_back("X-Focus-Figure", text);
        response.headers.emplace_back("X-Live-Size", size);
        break;
    }
    }
    response.headers.emplace_back("X-Live-State", live_->stateLine());
    response.headers.emplace_back("Cache-Control", "no-store");
    return response;
}

HttpResponse SetupPages::liveCommand(const HttpRequest& request, const std::string& command) const {
    if (!live_) return answer(request, 409, "no body on this server, so no live view");
    if (command == "stop") {
        log::get("alpaca")->info("setup: live view stop requested from {}", request.remote);
        live_->stop("by the Stop button");
        return answer(request, 200, "live view stopped");
    }
    log::get("alpaca")->info("setup: live view requested from {}", request.remote);
    try {
        live_->start();
    } catch (const LiveViewRefused& e) {
        return answer(request, 409, e.what());
    }
    return answer(request, 200, "live view on");
}

HttpResponse SetupPages::post(const HttpRequest& request) const {
    auto logger = log::get("alpaca");
    const auto form = parseUrlEncoded(request.body);
    const std::string* token = field(form, "csrf");
    if (!token || !sameToken(*token, token_)) {
        logger->warn("setup: {} from {} refused: missing or wrong form token", loggable(request.path), request.remote);
        return {403, kText, "refused: the form token is missing or wrong; reload the setup page and try again\n", {}};
    }
    const std::string host = text::asciiLower(request.host);
    const std::string& claimed = !request.origin.empty() ? request.origin : request.referer;
    if (!host.empty() && !claimed.empty() && hostOf(claimed) != host) {
        logger->warn("setup: {} from {} refused: it came from a page of {}, not of {}", loggable(request.path),
                     request.remote, loggable(claimed), loggable(request.host));
        return {403, kText, "refused: the request came from a page of another site\n", {}};
    }
    if (request.path == "/setup/settings") return saveSettings(request);
    if (request.path.rfind("/setup/live/", 0) == 0)
        return liveCommand(request, request.path.substr(std::string("/setup/live/").size()));
    const std::string command = request.path.substr(std::string("/setup/focuser/").size());
    if (command == "learn" || command == "learn-cancel") return learnCommand(request, command);
    return focusCommand(request, command);
}

HttpResponse SetupPages::answer(const HttpRequest& request, int status, const std::string& text) const {
    if (request.accept.find("text/html") != std::string::npos) {
        auto response = page(description_.server_name + " setup", text, status != 200);
        response.status = status;
        return response;
    }
    return {status, kText, text + "\n", {}};
}

HttpResponse SetupPages::focusCommand(const HttpRequest& request, const std::string& command) const {
    auto logger = log::get("alpaca");
    auto reply = [&](int status, const std::string& text) { return answer(request, status, text); };
    auto* device = deviceOf<FocuserDevice>(registry_, "focuser");
    const auto drive = device ? device->drive() : nullptr;
    if (live_) live_->touch();  // someone is focusing: the live view goes on
    if (!drive) return reply(409, "the focuser is not connected: connect it from the imaging program first");
    if (command == "home") {
        logger->info("setup: home requested from {}", request.remote);
        try {
            drive->home();
        } catch (const focus::FocuserBusy& e) {
            return reply(409, e.what());
        }
        return reply(200, "homing into the infinity end stop");
    }
    if (command == "halt") {
        logger->info("setup: halt requested from {}", request.remote);
        drive->halt();
        return reply(200, "halted at " + std::to_string(drive->position()));
    }
    const auto form = parseUrlEncoded(request.body);
    const std::string* step = field(form, "step");
    int value = 0;
    if (step && (step->size() == 1 || step->size() == 2)) {
        const bool negative = step->front() == '-';
        const char digit = step->back();
        if ((step->size() == 1 || negative) && digit >= '1' && digit <= '7')
            value = (negative ? -1 : 1) * (digit - '0');
    }
    if (value == 0) return reply(400, "a jog needs step=-7..-1 (near) or 1..7 (far)");
    if (drive->isMoving()) return reply(409, "the focuser is moving; wait or halt it first");
    const int size = value < 0 ? -value : value;
    const char* direction = value < 0 ? "near" : "far";
    logger->info("setup: jog {} by a step of size {} requested from {}", direction, size, request.remote);
    try {
        drive->jog(size, value < 0 ? -1 : 1);
    } catch (const focus::FocuserBusy& e) {
        return reply(409, e.what());
    }
    return reply(200, std::string("jogging ") + direction + " by one step of size " + std::to_string(size));
}

HttpResponse SetupPages::learnCommand(const HttpRequest& request, const std::string& command) const {
    auto logger = log::get("alpaca");
    auto reply = [&](int status, const std::string& text) { return answer(request, status, text); };
    auto* device = deviceOf<FocuserDevice>(registry_, "focuser");
    if (command == "learn-cancel") {
        const auto drive = device ? device->drive() : nullptr;
        if (!drive) return reply(409, "the focuser is not connected, so nothing is being learned");
        if (!drive->status().learning.active) return reply(200, "no lens learning is running");
        logger->info("setup: lens learning cancel requested from {}", request.remote);
        drive->halt();
        return reply(200, "lens learning cancelled; the lens position is unknown now, so the next move homes first");
    }
    const auto form = parseUrlEncoded(request.body);
    const std::string* given = field(form, "name");
    const std::string name = given ? text::trim(*given) : std::string();
    if (const std::string why = badLensName(name); !why.empty()) {
        logger->warn("setup: lens learning from {} refused: {}", request.remote, loggable(why));
        return reply(400, "not started: " + why);
    }
    if (!device) return reply(409, "not started: this server has no focuser");
    const auto drive = device->drive();
    if (!drive)
        return reply(409, "not started: the focuser is not connected; connect it from the imaging program first");
    logger->info("setup: lens learning{} requested from {}",
                 name.empty() ? std::string() : " as \"" + loggable(name) + "\"", request.remote);
    std::string started;
    try {
        started = device->startLearning(name);
    } catch (const std::exception&) {
        const ErrorReply error = toAlpaca(std::current_exception());
        logger->warn("setup: lens learning from {} not started: {}", request.remote, loggable(error.message));
        std::string why = error.message;
        if (why.rfind("Action learn: ", 0) == 0) why.erase(0, 14);
        return reply(error.number == static_cast<int>(ErrorCode::InvalidValue) ? 400 : 409, "not started: " + why);
    }
    // The name chosen by the rules, as the device's answer says it: learning lens "NAME": ...
    const std::string prefix = "learning lens \"";
    const auto end = started.find("\": ");
    const std::string chosen = started.rfind(prefix, 0) == 0 && end != std::string::npos
                                   ? started.substr(prefix.size(), end - prefix.size())
                                   : name;
    return reply(200, "learning the lens" + (chosen.empty() ? std::string() : " as \"" + chosen + "\"") +
                          ": keep the camera still and pointed at the scene; it takes a few minutes, the progress "
                          "shows below. Cancel stops it.");
}

HttpResponse SetupPages::saveSettings(const HttpRequest& request) const {
    auto logger = log::get("alpaca");
    const std::string title = description_.server_name + " setup";
    auto refuse = [&](const std::string& why) {
        logger->warn("setup: settings from {} refused: {}", request.remote, loggable(why));
        return page(title, "Not saved: " + why, true);
    };
    if (!context_.config_file) return refuse("this server has no settings file to save to");
    const auto& path = *context_.config_file;
    Json document;
    try {
        document = readConfig(path);
    } catch (const std::exception& e) {
        return refuse(e.what());
    }
    const std::string saved_lens = textValue(document, "lens");
    for (const auto& [name, text] : parseUrlEncoded(request.body)) {
        if (name == "csrf") continue;
        bool offered = false;
        for (const auto key : kFormKeys) offered = offered || key == name;
        const config::SettingKey* key = offered ? schemaKey(name) : nullptr;
        if (!key) return refuse("\"" + name + "\" is not a setting this page changes");
        if (text.empty()) {
            document.erase(name);  // unset: the base file's value or the default
            continue;
        }
        try {
            document[name] = toJson(config::parseOptionText(*key, text));
        } catch (const std::invalid_argument& e) {
            return refuse(name + ": " + e.what());
        }
    }
    try {
        config::Settings check;
        config::applyJson(check, document, path.string());
        if (context_.lenses && !check.lens.empty() && !context_.lenses->find(check.lens) &&
            check.lens != learnedLensId(registry_) && check.lens != saved_lens)
            throw config::ConfigError("lens: \"" + check.lens +
                                      "\" is not in the lens profiles; allowed: " + context_.lenses->modelIds());
    } catch (const config::ConfigError& e) {
        return refuse(e.what());
    }
    try {
        config::writeFileAtomically(path, document.dump(2) + "\n");
    } catch (const std::exception& e) {
        logger->error("setup: cannot save the settings to {}: {}", loggable(path.string()), loggable(e.what()));
        auto response = page(title, "Not saved: cannot write " + path.string() + ": " + e.what(), true);
        response.status = 500;
        return response;
    }
    logger->info("setup: settings saved to {} from {}: {}", loggable(path.string()), request.remote,
                 loggable(document.dump(-1, ' ', false, Json::error_handler_t::replace), 2000));
    return page(title,
                "Saved to " + path.string() + ". They apply at the next start: sudo systemctl restart sonyalpaca",
                false);
}

}  // namespace sonyalpaca::alpaca
