// SPDX-License-Identifier: GPL-3.0-or-later
// The setup pages through the Router: status, CSRF and origin checks, the settings form, the jog,
// the lens-learning wizard.
#include "alpaca/CameraDevice.hpp"
#include "alpaca/FocuserDevice.hpp"
#include "alpaca/Router.hpp"
#include "imaging/Jpeg.hpp"

#include "RouterCalls.hpp"
#include "TestBody.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

using namespace sonyalpaca;
using namespace sonyalpaca::alpaca;
using test::jsonOf;
using test::routeGet;
using test::routePut;

namespace {
std::string readText(const std::filesystem::path& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

/// A live-view meter for lens learning: a detailed grid (or a flat one: no detail), 100 ms a frame,
/// so a learning runs long enough to be seen and cancelled.
struct SlowMeter {
    std::shared_ptr<std::atomic<bool>> flat = std::make_shared<std::atomic<bool>>(false);
    std::vector<float> operator()(const std::vector<std::uint8_t>&) const {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        std::vector<float> grid(64, 0.0f);
        if (!*flat)
            for (std::size_t i = 0; i < grid.size(); i += 2) grid[i] = 10.0f;
        return grid;
    }
};

struct Fixture {
    std::shared_ptr<test::TestBody> body = std::make_shared<test::TestBody>();
    std::shared_ptr<BodySession> session = std::make_shared<BodySession>(body);
    test::TestStateDir state;
    std::filesystem::path config_file = state.path / "config.json";
    std::shared_ptr<const config::LensDatabase> lenses = test::testLenses(*body);
    DeviceRegistry registry;
    Router router{registry, {"sonyalpaca", "sonyalpaca project", "9.9", "here"}, {session, lenses, config_file}};
    SlowMeter meter;

    Fixture() {
        registry.add(std::make_shared<CameraDevice>(session), "c");
        registry.add(std::make_shared<FocuserDevice>(session, FocuserConfig{lenses, "TESTLENS", {}, state.path, meter}),
                     "f");
    }

    nlohmann::json status() { return nlohmann::json::parse(routeGet(router, "/setup/status.json").body); }

    /// The form token, read from the page as a browser would.
    std::string token() {
        const auto page = routeGet(router, "/setup").body;
        const std::string marker = "name=\"csrf\" value=\"";
        const auto at = page.find(marker);
        REQUIRE(at != std::string::npos);
        return page.substr(at + marker.size(), page.find('"', at + marker.size()) - at - marker.size());
    }

    HttpResponse post(const std::string& path, const std::string& form, const std::string& origin = "",
                      const std::string& referer = "") {
        HttpRequest request{"POST", path, "", form, "application/x-www-form-urlencoded", "192.0.2.7"};
        request.host = "pi.local:11111";
        request.origin = origin;
        request.referer = referer;
        return router.handle(request);
    }

    bool settle() {
        for (int i = 0; i < 500; ++i) {
            if (jsonOf(routeGet(router, "/api/v1/focuser/0/ismoving"))["Value"] == false) return true;
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        return false;
    }
};
}  // namespace

TEST_CASE("setup pages: every page loads with the status, jog, settings and log sections") {
    Fixture f;
    for (const char* path : {"/setup", "/setup/v1/camera/0/setup", "/setup/v1/focuser/0/setup"}) {
        CAPTURE(path);
        const auto page = routeGet(f.router, path);
        CHECK(page.status == 200);
        CHECK(page.content_type.find("text/html") == 0);
        for (const char* element : {"id=\"status\"",
                                    "id=\"f-body\"",
                                    "test body",
                                    "id=\"f-focus_estimate\"",
                                    "id=\"jog-near-7\"",
                                    "id=\"jog-far-1\"",
                                    "id=\"home\"",
                                    "id=\"halt\"",
                                    "id=\"settings-form\"",
                                    "name=\"focuser_backlash\"",
                                    "name=\"keep_raw\"",
                                    "name=\"image_dir\"",
                                    "TESTLENS",
                                    "systemctl restart sonyalpaca",
                                    "id=\"log-lines\"",
                                    "/setup/status.json",
                                    "name=\"csrf\"",
                                    "id=\"preview-image\"",
                                    "id=\"f-last_frame\"",
                                    "name=\"raw_type\"",
                                    "value=\"Compressed RAW\"",
                                    "sonyalpaca.panel("})
            CHECK_MESSAGE(page.body.find(element) != std::string::npos, element);
        CHECK(page.body.find("http://") == std::string::npos);  // nothing from elsewhere
        CHECK(page.body.find("https://") == std::string::npos);
    }
    CHECK(routeGet(f.router, "/setup/v1/focuser/0/setup").body.find("Focuser 0: Sony lens focuser") !=
          std::string::npos);
    CHECK(routeGet(f.router, "/setup/v1/camera/1/setup").status == 403);
    CHECK(routeGet(f.router, "/setup/nothing").status == 404);
}

TEST_CASE("setup pages: status.json carries the fields the page shows and the focuser status") {
    Fixture f;
    auto status = nlohmann::json::parse(routeGet(f.router, "/setup/status.json").body);
    CHECK(status["fields"]["body"] == "test body");
    CHECK(status["fields"]["focuser_connected"] == "no");
    CHECK(status["focuser"]["connected"] == false);
    CHECK(status["log"].is_array());
    REQUIRE(routePut(f.router, "/api/v1/focuser/0/connected", "Connected=true").status == 200);
    status = nlohmann::json::parse(routeGet(f.router, "/setup/status.json").body);
    CHECK(status["fields"]["focuser_connected"] == "yes");
    CHECK(status["focuser"]["connected"] == true);
    CHECK(status["focuser"]["lens"] == "TESTLENS");
    CHECK(status["fields"]["focus_estimate"].get<std::string>().find(" ± ") != std::string::npos);
}

TEST_CASE("setup pages: the body's battery, card and temperatures in status.json and the Body panel") {
    Fixture f;
    auto status = f.status();  // the body is closed: nothing known
    CHECK(status["battery"] == nlohmann::json{{"level", nullptr}, {"source", "unknown"}, {"low", false}});
    CHECK(status["storage"] == nlohmann::json{{"card", "unknown"}, {"remaining_shots", nullptr}});
    CHECK(
        status["body_temperature"] ==
        nlohmann::json{{"sensor_c", nullptr}, {"ambient_c", nullptr}, {"battery_c", nullptr}, {"overheat", "unknown"}});
    CHECK(status["fields"]["battery"] == "not known (the body is not connected)");
    CHECK(status["fields"]["body_temperatures"] == "not known yet (they come with an image)");

    ptp::BodyHealth health;
    health.battery_percent = 12;
    health.source = ptp::PowerSource::Battery;
    health.battery_bars = "1/4";
    health.card = ptp::CardState::None;
    health.overheat = ptp::Overheat::Overheating;
    health.read_at = std::chrono::system_clock::time_point(std::chrono::seconds(1'700'000'000));
    f.body->setHealth(health);
    REQUIRE(routePut(f.router, "/api/v1/focuser/0/connected", "Connected=true").status == 200);
    f.session->reportTemperatures({21.5, -3.25, std::nullopt});
    status = f.status();
    CHECK(status["battery"] == nlohmann::json{{"level", 12}, {"source", "battery"}, {"low", true}});
    CHECK(status["storage"] == nlohmann::json{{"card", "none"}, {"remaining_shots", nullptr}});
    CHECK(
        status["body_temperature"] ==
        nlohmann::json{{"sensor_c", 21.5}, {"ambient_c", -3.25}, {"battery_c", nullptr}, {"overheat", "overheating"}});
    const auto fields = status["fields"];
    CHECK(fields["battery"] == "12 % (1/4), low");
    CHECK(fields["power_source"] == "battery");
    CHECK(fields["card"] == "no card");
    CHECK(fields["remaining_shots"] == "not known");
    CHECK(fields["body_temperatures"] == "sensor 21.5 °C · ambient -3.2 °C");
    CHECK(fields["overheat"] == "overheating: the body may stop");
    CHECK(fields["health_read"] == "22:13:20 UTC");
    const auto page = routeGet(f.router, "/setup").body;
    const auto body_panel = page.find("<section id=\"body-health\">");
    REQUIRE(body_panel != std::string::npos);
    CHECK(page.find("<section id=\"status\">") < body_panel);
    CHECK(page.find("</section>", page.find("<section id=\"status\">")) + 10 == body_panel);  // right after it
    CHECK(page.find("<p id=\"battery-warning\" class=\"msg err\"><span id=\"f-battery_warning\">The body&#39;s "
                    "battery is low (12 %): swap it") != std::string::npos);
    CHECK(page.find("<p id=\"overheat-warning\" class=\"msg err\">") != std::string::npos);

    // On USB power, a dummy battery, or with a body value not understood: no warning.
    health.source = ptp::PowerSource::UsbPower;
    health.card = ptp::CardState::In;
    health.remaining_shots = 420;
    health.overheat = ptp::Overheat::Unknown;
    health.overheat_code = 7;
    f.body->setHealth(health);
    status = f.status();
    CHECK(status["battery"] == nlohmann::json{{"level", 12}, {"source", "usb power"}, {"low", false}});
    CHECK(status["storage"] == nlohmann::json{{"card", "in"}, {"remaining_shots", 420}});
    CHECK(status["body_temperature"]["overheat"] == "unknown");
    CHECK(status["fields"]["overheat"] == "unknown (0x7)");
    CHECK(status["fields"]["power_source"] == "USB power");
    CHECK(status["fields"]["battery"] == "12 % (1/4)");
    CHECK(routeGet(f.router, "/setup").body.find("<p id=\"battery-warning\" class=\"msg err\" hidden>") !=
          std::string::npos);
    health.source = ptp::PowerSource::Unknown;
    health.source_code = 0x10009;
    f.body->setHealth(health);
    CHECK(f.status()["fields"]["power_source"] == "unknown (0x10009)");
    CHECK(f.status()["battery"]["low"] == true);  // the source not understood: the level decides

    f.body->setHealth(std::nullopt);  // open, but the body tells nothing
    CHECK(f.status()["fields"]["battery"] == "not reported by the body");
}

TEST_CASE("setup pages: writes are POST only, with the page's token and from the same site") {
    Fixture f;
    const std::string token = f.token();
    REQUIRE(token.size() == 32);
    CHECK(routeGet(f.router, "/setup/focuser/home").status == 405);
    CHECK(routeGet(f.router, "/setup/settings").status == 405);
    CHECK(routePut(f.router, "/setup/settings", "csrf=" + token).status == 405);
    CHECK(f.post("/setup/v1/focuser/0/setup", "csrf=" + token).status == 405);
    CHECK(f.post("/setup/focuser/home", "").status == 403);
    CHECK(f.post("/setup/focuser/home", "csrf=0123").status == 403);
    CHECK(f.post("/setup/focuser/home", "%zz&csrf&=&&%").status == 403);
    CHECK(f.post("/setup/settings", "csrf=" + token + "x&keep_raw=true").status == 403);
    CHECK(f.post("/setup/settings", "csrf=" + token + "&keep_raw=true", "http://evil.example").status == 403);
    CHECK(f.post("/setup/settings", "csrf=" + token + "&keep_raw=true", "", "http://evil.example/page").status == 403);
    CHECK(f.post("/setup/settings", "csrf=" + token + "&keep_raw=true", "null").status == 403);
    CHECK_FALSE(std::filesystem::exists(f.config_file));
    // The same site, told by Origin or by Referer, is accepted.
    CHECK(f.post("/setup/settings", "csrf=" + token + "&keep_raw=true", "http://PI.local:11111").status == 200);
    CHECK(f.post("/setup/settings", "csrf=" + token + "&keep_raw=true", "", "http://pi.local:11111/setup").status ==
          200);
}

TEST_CASE("setup pages: a bad setting is refused with its reason and the config file stays as it was") {
    Fixture f;
    const std::string before = "{\n  \"port\": 11112,\n  \"focuser_backlash\": 3\n}\n";
    std::ofstream(f.config_file) << before;
    const std::string token = f.token();
    for (const auto& [form, reason] : std::vector<std::pair<std::string, std::string>>{
             {"focuser_backlash=-4", "focuser_backlash"},
             {"focuser_backlash=lots", "not a number"},
             {"focuser_rehome_sigma=1e400", "not a number"},
             {"focuser_homing=sometimes", "every-connect"},
             {"focuser_approach=sideways", "either"},
             {"keep_raw=yes", "true or false"},
             {"lens=NOSUCHLENS", "TESTLENS"},
             {"raw_type=Lossless+Compressed+RAW+S", "a colour image of reduced size"},
             {"raw_type=JPEG", "Uncompressed RAW"},
             {"port=80", "not a setting this page changes"},
             {"state_dir=%2Ftmp", "not a setting this page changes"}}) {
        CAPTURE(form);
        const auto reply = f.post("/setup/settings", "csrf=" + token + "&" + form);
        CHECK(reply.status == 400);
        CHECK(reply.body.find("Not saved") != std::string::npos);
        CHECK(reply.body.find(reason) != std::string::npos);
        CHECK(readText(f.config_file) == before);
    }
    // A damaged config file is not overwritten.
    std::ofstream(f.config_file) << "{ not json";
    CHECK(f.post("/setup/settings", "csrf=" + token + "&keep_raw=true").status == 400);
    CHECK(readText(f.config_file) == "{ not json");
}

TEST_CASE("setup pages: good settings are saved as valid JSON, other keys kept, empty fields back to default") {
    Fixture f;
    std::ofstream(f.config_file) << "{\"port\": 11112, \"focuser_backlash\": 3, \"image_dir\": \"/old\"}";
    const auto reply = f.post("/setup/settings",
                              "csrf=" + f.token() +
                                  "&lens=TESTLENS&focuser_homing=never&focuser_rehome_sigma=1.5&focuser_approach=near"
                                  "&focuser_backlash=&keep_raw=true&save_fits=false&image_dir=%2Fsrv%2Fimages");
    CHECK(reply.status == 200);
    CHECK(reply.body.find("Saved to") != std::string::npos);
    const auto saved = nlohmann::json::parse(readText(f.config_file));
    CHECK(saved["port"] == 11112);
    CHECK(saved["lens"] == "TESTLENS");
    CHECK(saved["focuser_homing"] == "never");
    CHECK(saved["focuser_rehome_sigma"] == 1.5);
    CHECK(saved["focuser_approach"] == "near");
    CHECK_FALSE(saved.contains("focuser_backlash"));
    CHECK(saved["keep_raw"] == true);
    CHECK(saved["save_fits"] == false);
    CHECK(saved["image_dir"] == "/srv/images");
    // The page shows the saved values next time.
    const auto page = routeGet(f.router, "/setup").body;
    CHECK(page.find("value=\"never\" selected") != std::string::npos);
    CHECK(page.find("value=\"/srv/images\"") != std::string::npos);
    // No temporary file left beside it.
    int files = 0;
    for (const auto& entry : std::filesystem::directory_iterator(f.state.path))
        files += entry.path().filename().string().rfind("config.json", 0) == 0;
    CHECK(files == 1);
}

TEST_CASE("setup pages: without a settings file the settings are read-only") {
    auto body = std::make_shared<test::TestBody>();
    DeviceRegistry registry;
    Router router{registry, {}, {std::make_shared<BodySession>(body), nullptr, std::nullopt}};
    const auto page = routeGet(router, "/setup").body;
    CHECK(page.find("has no settings file") != std::string::npos);
    CHECK(page.find("id=\"settings-form\"") == std::string::npos);
    const std::string marker = "name=\"csrf\" value=\"";
    const auto at = page.find(marker) + marker.size();
    const std::string token = page.substr(at, 32);
    const auto reply = router.handle({"POST", "/setup/settings", "", "csrf=" + token + "&keep_raw=true",
                                      "application/x-www-form-urlencoded", "test"});
    CHECK(reply.status == 400);
    CHECK(reply.body.find("no settings file to save to") != std::string::npos);
    // Without a camera there is no preview either.
    const auto preview = routeGet(router, "/setup/preview.jpg");
    CHECK(preview.status == 404);
    CHECK(preview.body == "no camera on this server\n");
}

TEST_CASE("setup pages: jog moves the lens by one step of the size asked, through the focuser") {
    Fixture f;
    const std::string token = f.token();
    CHECK(f.post("/setup/focuser/jog", "csrf=" + token + "&step=3").status == 409);  // not connected
    REQUIRE(routePut(f.router, "/api/v1/focuser/0/connected", "Connected=true").status == 200);
    REQUIRE(routePut(f.router, "/api/v1/focuser/0/move", "Position=40").status == 200);
    REQUIRE(f.settle());
    const double start = f.body->lensPosition();
    const int steps = f.body->focus_steps;
    auto reply = f.post("/setup/focuser/jog", "csrf=" + token + "&step=-3");
    CHECK(reply.status == 200);
    CHECK(reply.body.find("near") != std::string::npos);
    REQUIRE(f.settle());
    CHECK(f.body->focus_steps == steps + 1);
    CHECK(f.body->lensPosition() == doctest::Approx(start - 6.0));
    const auto position = jsonOf(routeGet(f.router, "/api/v1/focuser/0/position"))["Value"].get<long>();
    CHECK(std::abs(static_cast<double>(position) - f.body->lensPosition()) <= 0.5 + 1e-9);

    reply = f.post("/setup/focuser/jog", "csrf=" + token + "&step=7");
    CHECK(reply.status == 200);
    REQUIRE(f.settle());
    CHECK(f.body->lensPosition() == doctest::Approx(100.0));  // a step of 100 from about 34 stops at infinity
    CHECK(f.post("/setup/settings", "csrf=" + token + "&keep_raw=%ff%00&image_dir=%").status == 400);
    for (const char* bad : {"step=0", "step=8", "step=-8", "step=3.5", "step=", "step=--1", "nostep=1"})
        CHECK(f.post("/setup/focuser/jog", "csrf=" + token + "&" + bad).status == 400);
    CHECK(f.post("/setup/focuser/halt", "csrf=" + token).status == 200);
    CHECK(f.post("/setup/focuser/home", "csrf=" + token).status == 200);
    REQUIRE(f.settle());
    CHECK(f.body->lensPosition() == doctest::Approx(100.0));
}

TEST_CASE("setup pages: the RAW file type is a choice of the form, unset by default") {
    Fixture f;
    auto page = routeGet(f.router, "/setup").body;
    CHECK(page.find("<option value=\"\" selected>unset: as the body is") != std::string::npos);
    auto reply = f.post("/setup/settings", "csrf=" + f.token() + "&raw_type=Compressed+RAW");
    CHECK(reply.status == 200);
    CHECK(nlohmann::json::parse(readText(f.config_file))["raw_type"] == "Compressed RAW");
    page = routeGet(f.router, "/setup").body;
    CHECK(page.find("value=\"Compressed RAW\" selected") != std::string::npos);
    // "unset" takes it out of the file again.
    reply = f.post("/setup/settings", "csrf=" + f.token() + "&raw_type=&keep_raw=");
    CHECK(reply.status == 200);
    CHECK(nlohmann::json::parse(readText(f.config_file)) == nlohmann::json::object());
}

TEST_CASE("setup pages: over a base config file the form shows its values as what unset means") {
    Fixture f;
    const auto base = f.state.path / "base.json";
    std::ofstream(base) << "// the packaged file\n{\"keep_raw\": true, \"focuser_backlash\": 7, \"port\": 1}\n";
    Router router{f.registry, {}, {f.session, f.lenses, f.state.path / "settings.json", base}};
    const auto page = routeGet(router, "/setup").body;
    CHECK(page.find("unset: yes (from " + base.string() + ")") != std::string::npos);
    CHECK(page.find("placeholder=\"7 (from " + base.string() + ")\"") != std::string::npos);
    CHECK(page.find("unset: no (default)") != std::string::npos);  // save_fits
    const std::string saved_to = "Saved to <code>" + (f.state.path / "settings.json").string() + "</code>";
    CHECK(page.find(saved_to + ", the daemon's own settings file in its state directory") != std::string::npos);
    CHECK(page.find("options on the daemon's command line win over both") != std::string::npos);
}

TEST_CASE("setup pages: the lens-learning wizard explains the steps and waits for the focuser") {
    Fixture f;
    const auto page = routeGet(f.router, "/setup/v1/focuser/0/setup").body;
    for (const char* element :
         {"id=\"learn\"", "id=\"learn-steps\"", "daylight", "20 m", "manual focus (MF)", "a few minutes", "end stops",
          "id=\"learn-name\"", "form=\"learn-form\"", "maxlength=\"100\"", "placeholder=\"\"",
          "action=\"/setup/focuser/learn\"", "action=\"/setup/focuser/learn-cancel\"", "id=\"learn-start\" disabled",
          "id=\"learn-cancel\" class=\"stop\" disabled", "id=\"learn-bar\"",
          "connect it from the imaging program first"})
        CHECK_MESSAGE(page.find(element) != std::string::npos, element);
    // status.json carries the learning state even while the focuser is not connected.
    const auto status = f.status();
    CHECK(status["focuser"]["learning"]["active"] == false);
    CHECK(status["focuser"]["learning"]["error"] == "");
    CHECK(status["learn"]["done"] == false);
    CHECK(status["learn"]["error"] == "");

    const std::string token = f.token();
    CHECK(f.post("/setup/focuser/learn", "").status == 403);
    CHECK(f.post("/setup/focuser/learn", "csrf=" + token, "http://evil.example").status == 403);
    CHECK(f.post("/setup/focuser/learn-cancel", "csrf=0").status == 403);
    CHECK(routeGet(f.router, "/setup/focuser/learn").status == 405);
    auto reply = f.post("/setup/focuser/learn", "csrf=" + token);
    CHECK(reply.status == 409);
    CHECK(reply.body == "not started: the focuser is not connected; connect it from the imaging program first\n");
    reply = f.post("/setup/focuser/learn-cancel", "csrf=" + token);
    CHECK(reply.status == 409);
    CHECK(reply.body.find("not connected") != std::string::npos);
    CHECK(f.body->focus_steps == 0);
}

TEST_CASE("setup pages: a bad lens name is refused with its reason") {
    Fixture f;
    REQUIRE(routePut(f.router, "/api/v1/focuser/0/connected", "Connected=true").status == 200);
    const std::string token = f.token();
    for (const auto& [name, reason] :
         std::vector<std::pair<std::string, std::string>>{{std::string(101, 'x'), "101 bytes long; at most 100"},
                                                          {"a%01b", "control character (at byte 2)"},
                                                          {"tab%09inside", "control character"},
                                                          {"del%7F", "control character"},
                                                          {"c1%C2%85", "control character"},
                                                          {"%FF", "not UTF-8"},
                                                          {"%C0%AF", "not UTF-8"},
                                                          {"%E2%80", "not UTF-8"},
                                                          {"%ED%A0%80", "not UTF-8"}}) {
        CAPTURE(name);
        const auto reply = f.post("/setup/focuser/learn", "csrf=" + token + "&name=" + name);
        CHECK(reply.status == 400);
        CHECK(reply.body.find("not started: ") == 0);
        CHECK(reply.body.find(reason) != std::string::npos);
    }
    CHECK(f.status()["focuser"]["learning"]["active"] == false);
    CHECK(f.body->focus_steps == 0);
}

TEST_CASE("setup pages: the wizard starts lens learning, blocks the jog meanwhile, and Cancel halts it") {
    Fixture f;
    REQUIRE(routePut(f.router, "/api/v1/focuser/0/connected", "Connected=true").status == 200);
    const std::string token = f.token();
    CHECK(f.status()["learn"]["default_name"] == "TESTLENS");  // no lens reported: the profile in use
    CHECK(routeGet(f.router, "/setup").body.find("id=\"learn-start\">") != std::string::npos);  // enabled

    auto reply = f.post("/setup/focuser/learn", "csrf=" + token + "&name=+Sigma+18%E2%80%9350+mine+");
    REQUIRE(reply.status == 200);
    CHECK(reply.body.find("learning the lens as \"Sigma 18–50 mine\"") == 0);
    auto status = f.status();
    CHECK(status["focuser"]["learning"]["active"] == true);
    CHECK(status["focuser"]["moving"] == true);
    const auto page = routeGet(f.router, "/setup").body;
    CHECK(page.find("id=\"learn-start\" disabled") != std::string::npos);
    CHECK(page.find("id=\"jog-near-3\" disabled") != std::string::npos);
    CHECK(page.find("id=\"home\" disabled") != std::string::npos);
    CHECK(page.find("id=\"learn-progress\">") != std::string::npos);  // shown

    // Meanwhile the jog, homing and a second learning are refused with the reason.
    reply = f.post("/setup/focuser/jog", "csrf=" + token + "&step=2");
    CHECK(reply.status == 409);
    reply = f.post("/setup/focuser/home", "csrf=" + token);
    CHECK(reply.status == 409);
    CHECK(reply.body.find("being learned") != std::string::npos);
    reply = f.post("/setup/focuser/learn", "csrf=" + token);
    CHECK(reply.status == 409);
    CHECK(reply.body.find("being learned") != std::string::npos);

    // Cancel once the learner runs (a halt before the focuser's worker took the job is another matter).
    for (int i = 0; i < 400 && f.status()["focuser"]["learning"]["phase"] == "starting"; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    CHECK(f.status()["focuser"]["learning"]["phase"] == "calibrating");
    reply = f.post("/setup/focuser/learn-cancel", "csrf=" + token);
    CHECK(reply.status == 200);
    CHECK(reply.body.find("lens learning cancelled") == 0);
    REQUIRE(f.settle());
    status = f.status();
    CHECK(status["focuser"]["learning"]["active"] == false);
    CHECK(status["focuser"]["learning"]["error"] == "cancelled");
    CHECK(status["learn"]["error"].get<std::string>().find("Learning cancelled.") == 0);
    CHECK(status["learn"]["done"] == false);
    CHECK(f.post("/setup/focuser/learn-cancel", "csrf=" + token).body == "no lens learning is running\n");
    CHECK_FALSE(std::filesystem::exists(f.state.path / "lenses"));
}

TEST_CASE("setup pages: a failed learning shows why") {
    Fixture f;
    *f.meter.flat = true;  // the live view shows no detail
    REQUIRE(routePut(f.router, "/api/v1/focuser/0/connected", "Connected=true").status == 200);
    REQUIRE(f.post("/setup/focuser/learn", "csrf=" + f.token()).status == 200);
    REQUIRE(f.settle());
    const auto status = f.status();
    CHECK(status["focuser"]["learning"]["active"] == false);
    CHECK(status["learn"]["error"].get<std::string>().find("Learning failed: the live view shows no detail") == 0);
    const auto page = routeGet(f.router, "/setup").body;
    CHECK(page.find("id=\"learn-error\" class=\"msg err\">Learning failed: the live view shows no detail") !=
          std::string::npos);
    CHECK(page.find("id=\"learn-start\">") != std::string::npos);  // may start again
}

TEST_CASE("setup pages: a lens the file names that is not in the profiles yet stays a choice and is kept") {
    // E.g. learned before the last restart under a state directory this test router does not read.
    Fixture f;
    std::ofstream(f.config_file) << "{\"lens\": \"MYLEARNED\"}";
    auto page = routeGet(f.router, "/setup").body;
    CHECK(page.find("<option value=\"MYLEARNED\" selected>MYLEARNED</option>") != std::string::npos);
    auto reply = f.post("/setup/settings", "csrf=" + f.token() + "&lens=MYLEARNED&keep_raw=true");
    CHECK(reply.status == 200);
    CHECK(nlohmann::json::parse(readText(f.config_file))["lens"] == "MYLEARNED");
    reply = f.post("/setup/settings", "csrf=" + f.token() + "&lens=OTHERLENS");
    CHECK(reply.status == 400);
    CHECK(reply.body.find("not in the lens profiles") != std::string::npos);
}

TEST_CASE("setup pages: the live view page, its frames with the focus figure, and its commands") {
    Fixture f;
    imaging::Image8 scene{160, 120, 1, std::vector<std::uint8_t>(160 * 120)};
    for (std::size_t i = 0; i < scene.samples.size(); ++i) scene.samples[i] = static_cast<std::uint8_t>((i * 7) % 251);
    const auto jpeg = imaging::encodeJpeg(scene, 90);
    f.body->live_view = [jpeg] { return jpeg; };

    const auto page = routeGet(f.router, "/setup/live");
    CHECK(page.status == 200);
    for (const char* element : {"id=\"live-start\"", "id=\"live-image\"", "id=\"live-mag\"", "id=\"live-figure\"",
                                "id=\"live-trend\"", "id=\"jog-near-1\"", "id=\"live-token\""})
        CHECK(page.body.find(element) != std::string::npos);
    CHECK(routeGet(f.router, "/setup").body.find("href=\"/setup/live\"") != std::string::npos);
    const auto csp = std::find_if(page.headers.begin(), page.headers.end(),
                                  [](const auto& header) { return header.first == "Content-Security-Policy"; });
    REQUIRE(csp != page.headers.end());
    CHECK(csp->second.find("img-src 'self' blob:") != std::string::npos);

    // Off: frames are refused with the state; bad queries get 400.
    auto frame = routeGet(f.router, "/setup/live.jpg", "after=0");
    CHECK(frame.status == 409);
    CHECK(frame.body.find("off") != std::string::npos);
    CHECK(routeGet(f.router, "/setup/live.jpg", "after=x").status == 400);
    CHECK(routeGet(f.router, "/setup/live.jpg", "x=1.5").status == 400);
    CHECK(routeGet(f.router, "/setup/live.jpg", "y=-0.1").status == 400);
    CHECK(routePut(f.router, "/setup/live/start").status == 405);
    CHECK(f.post("/setup/live/start", "csrf=0123").status == 403);
    CHECK(f.status()["live"]["state"] == "off");

    const std::string token = f.token();
    const auto started = f.post("/setup/live/start", "csrf=" + token);
    CHECK(started.status == 200);
    CHECK(started.body == "live view on\n");
    frame = routeGet(f.router, "/setup/live.jpg", "after=0&x=0.25&y=0.75&tap=1");
    REQUIRE(frame.status == 200);
    CHECK(frame.content_type == "image/jpeg");
    REQUIRE(frame.source);
    CHECK(frame.source->size() == jpeg.size());
    auto header = [&](const std::string& name) {
        for (const auto& [key, value] : frame.headers)
            if (key == name) return value;
        return std::string("(none)");
    };
    CHECK(std::stod(header("X-Focus-Figure")) > 0);
    CHECK(header("X-Live-Size") == "160x120");
    CHECK(std::stoull(header("X-Live-Frame")) >= 1);
    CHECK(header("Cache-Control") == "no-store");
    const auto live = f.status()["live"];
    CHECK(live["state"] == "running");
    CHECK(f.body->isOpen());  // the live view opened the body for itself: nothing else is connected

    CHECK(f.post("/setup/live/stop", "csrf=" + token).status == 200);
    CHECK(f.status()["live"]["state"] == "stopped");
    CHECK(routeGet(f.router, "/setup/live.jpg", "after=0").status == 409);
}
