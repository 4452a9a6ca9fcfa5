// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "alpaca/BodySession.hpp"
#include "alpaca/DeviceRegistry.hpp"
#include "alpaca/Http.hpp"
#include "alpaca/LiveView.hpp"
#include "config/LensDatabase.hpp"

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

namespace sonyalpaca::alpaca {

/// What the management API and the setup pages say about this server.
struct ServerDescription {
    std::string server_name = "sonyalpaca";
    std::string manufacturer = "sonyalpaca project";
    std::string manufacturer_version;
    std::string location;
};

/// What the setup pages reach besides the devices; every part may be missing (a test router).
struct SetupContext {
    std::shared_ptr<BodySession> session;                ///< the body of Camera 0 and Focuser 0
    std::shared_ptr<const config::LensDatabase> lenses;  ///< the lens choices of the settings form
    /// Where the settings form saves: the --config file, or STATE_DIR/settings.json without it; none =
    /// settings are read-only.
    std::optional<std::filesystem::path> config_file;
    /// The file config_file overrides (the default config file under STATE_DIR/settings.json): what
    /// the form shows for a key config_file does not set. None: the defaults.
    std::optional<std::filesystem::path> base_file{};
};

/// The setup pages at the Alpaca setup URLs (/setup, /setup/v1/{type}/{n}/setup), served from the
/// binary for a phone at the telescope: status refreshed every 2 s from GET /setup/status.json, the
/// last frame (GET /setup/preview.jpg, the Camera's FramePreview), focus jog, home and halt, the
/// lens-learning wizard, the settings form and the log tail. /setup/live is the live view for
/// framing and focusing (LiveView: POST /setup/live/start and /setup/live/stop, frames from
/// GET /setup/live.jpg?after=N&x=&y= with the focus figure of the spot x, y in a header).
///
/// The page is a list of panels (a <section> and a script that registers an update function called
/// with every status.json); forms of class "cmd" are sent in the background by the page's script.
///
/// Alpaca has no authentication, so every write is a POST (/setup/focuser/jog, /setup/focuser/home,
/// /setup/focuser/halt, /setup/focuser/learn with an optional "name", /setup/focuser/learn-cancel,
/// /setup/live/start, /setup/live/stop, /setup/settings) carrying the per-process token embedded in the page
/// ("csrf"), with an Origin or Referer (when sent) naming the Host the request went to; each write is
/// logged with the client address. Settings are validated with the config file's schema and written
/// atomically to the settings file; they apply at the next start.
///
/// Thread-safe; handle() never throws.
class SetupPages {
public:
    SetupPages(const DeviceRegistry& registry, ServerDescription description, SetupContext context = {},
               LiveViewOptions live = {});

    HttpResponse handle(const HttpRequest& request) const noexcept;

    /// The token every POST must carry in its "csrf" field.
    const std::string& csrfToken() const noexcept { return token_; }

    const ServerDescription& description() const noexcept { return description_; }

private:
    HttpResponse route(const HttpRequest& request) const;
    /// The overview (and a device's setup page), or the live-view page.
    enum class Page { Overview, Live };
    HttpResponse page(const std::string& title, const std::string& message, bool error,
                      Page kind = Page::Overview) const;
    HttpResponse post(const HttpRequest& request) const;
    HttpResponse focusCommand(const HttpRequest& request, const std::string& command) const;
    HttpResponse learnCommand(const HttpRequest& request, const std::string& command) const;
    /// A command's answer: text for the page's script, the whole page (with the message) for a
    /// browser without it.
    HttpResponse answer(const HttpRequest& request, int status, const std::string& text) const;
    HttpResponse saveSettings(const HttpRequest& request) const;
    HttpResponse preview() const;
    HttpResponse liveFrame(const HttpRequest& request) const;
    HttpResponse liveCommand(const HttpRequest& request, const std::string& command) const;
    /// Why live view cannot run now (an exposure, lens learning), or empty.
    std::string liveObstacle() const;
    std::string statusJson() const;
    std::string settingsSection() const;

    const DeviceRegistry& registry_;
    ServerDescription description_;
    SetupContext context_;
    std::string token_;
    std::unique_ptr<LiveView> live_;  // with a body only
};

}  // namespace sonyalpaca::alpaca
