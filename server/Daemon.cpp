// SPDX-License-Identifier: GPL-3.0-or-later
#include "server/Daemon.hpp"

#include "alpaca/BodySession.hpp"
#include "alpaca/CameraDevice.hpp"
#include "alpaca/DeviceRegistry.hpp"
#include "alpaca/DiscoveryResponder.hpp"
#include "alpaca/FocuserDevice.hpp"
#include "alpaca/HttpServer.hpp"
#include "alpaca/Router.hpp"
#include "alpaca/UniqueIdStore.hpp"
#include "config/BodyDatabase.hpp"
#include "config/DataFiles.hpp"
#include "config/LensDatabase.hpp"
#include "config/Log.hpp"
#include "ptp/gphoto/GPhotoBody.hpp"
#include "ptp/sim/SimulatorHost.hpp"
#include "server/HttpProbe.hpp"
#include "server/SystemdNotifier.hpp"
#include "sonyalpaca/Version.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <functional>
#include <future>
#include <optional>
#include <thread>

namespace sonyalpaca::server {
namespace {
using Clock = std::chrono::steady_clock;
/// From SIGTERM to exit at most this long (systemd's TimeoutStopSec is far longer, but a service
/// manager or a person waiting should not): connections still held by clients are left behind.
constexpr auto kStopLimit = std::chrono::milliseconds(1500);

sigset_t handledSignals() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    return set;
}

/// The body the configured source leads to; for the simulator, also the simulator it talks to.
std::shared_ptr<ptp::Body> makeBody(const config::CameraSource& source, const std::string& lens,
                                    const config::BodyDatabase& bodies,
                                    std::unique_ptr<ptp::sim::SimulatorHost>& simulator) {
    if (source.kind != config::CameraSource::Kind::Simulator)
        return std::make_shared<ptp::gphoto::GPhotoBody>(source, bodies);
    ptp::sim::SimulatorOptions options;
    if (!lens.empty()) options.lens = lens;
    simulator = std::make_unique<ptp::sim::SimulatorHost>(options);
    config::CameraSource loopback{config::CameraSource::Kind::PtpIp, "127.0.0.1", simulator->port()};
    return std::make_shared<ptp::gphoto::GPhotoBody>(loopback, bodies);
}

/// The focuser's position as its Alpaca member reports it, for the FOCUSPOS card of FITS files;
/// nothing while it is not connected or does not know.
std::function<std::optional<long>()> focuserPosition(std::weak_ptr<alpaca::Device> focuser) {
    return [focuser = std::move(focuser)]() -> std::optional<long> {
        const auto device = focuser.lock();
        const alpaca::Member* member = device ? device->findMember("position", alpaca::Verb::Get) : nullptr;
        if (!member || !member->call) return std::nullopt;
        try {
            const auto value = member->call(alpaca::Arguments{});
            if (value.is_number_integer()) return value.get<long>();
        } catch (const std::exception&) {
            // not connected, or the position is not known: no card
        }
        return std::nullopt;
    };
}

/// libgphoto2 keeps its PTP/IP identity in ~/.gphoto: give it a writable HOME (the state directory
/// when the service has none).
void ensureWritableHome(const std::filesystem::path& state_dir) {
    const char* home = std::getenv("HOME");
    if (home && *home && ::access(home, W_OK) == 0) return;
    ::setenv("HOME", state_dir.c_str(), 1);
}

std::string hostName() {
    char name[256] = {};
    if (::gethostname(name, sizeof name - 1) != 0) return {};
    return name;
}

/// Where users keep their own lens profiles (the shipped format): later directories win.
/// The shipped lens profiles with the user's; checks --lens against them. Throws
/// config::ConfigError for an unknown lens.
std::shared_ptr<const config::LensDatabase> loadLenses(const std::string& lens,
                                                       const std::filesystem::path& state_dir) {
    std::vector<std::string> problems;
    auto database = std::make_shared<const config::LensDatabase>(config::LensDatabase::loadWithUserProfiles(
        config::findDataFile("sony-lenses.json"), config::lensProfileDirectories(state_dir), problems));
    for (const auto& problem : problems) log::get("server")->error("lens profile: {}", problem);
    if (!lens.empty() && !database->find(lens))
        throw config::ConfigError("lens: \"" + lens +
                                  "\" is not in the lens profiles; allowed: " + database->modelIds());
    return database;
}
}  // namespace

void Daemon::blockSignals() {
    const sigset_t set = handledSignals();
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    std::signal(SIGPIPE, SIG_IGN);
}

int Daemon::run() {
    auto logger = log::get("server");
    std::shared_ptr<const config::LensDatabase> lenses;
    try {
        lenses = loadLenses(settings_.lens, settings_.state_dir);
    } catch (const config::ConfigError& e) {
        logger->critical("{}", e.what());
        return 2;
    } catch (const std::exception& e) {
        logger->critical("cannot load the lens profiles: {}", e.what());
        return 1;
    }
    std::error_code ec;
    std::filesystem::create_directories(settings_.state_dir, ec);
    if (ec) {
        logger->critical("cannot create the state directory {}: {} (choose one with --state-dir or \"state_dir\")",
                         settings_.state_dir.string(), ec.message());
        return 1;
    }

    const SystemdNotifier notifier;
    ensureWritableHome(settings_.state_dir);
    std::unique_ptr<ptp::sim::SimulatorHost> simulator;
    std::shared_ptr<alpaca::BodySession> session;
    std::shared_ptr<const config::BodyDatabase> bodies;
    try {
        bodies = std::make_shared<const config::BodyDatabase>(
            config::BodyDatabase::load(config::findDataFile("sony-bodies.json")));
        session = std::make_shared<alpaca::BodySession>(makeBody(settings_.camera, settings_.lens, *bodies, simulator));
        session->remember(std::make_shared<alpaca::BodyMemory>(settings_.state_dir / "bodies-seen.json"));
        // The built-in simulator says which lens it carries, as a real body's images do.
        if (simulator) session->report({std::nullopt, simulator->lens().model_id});
    } catch (const std::exception& e) {
        logger->critical("cannot set up the camera source {}: {}", settings_.camera.text(), e.what());
        return 1;
    }
    alpaca::DeviceRegistry registry;
    try {
        alpaca::UniqueIdStore ids(settings_.state_dir / "unique-ids.json");
        const std::shared_ptr<alpaca::Device> focuser = std::make_shared<alpaca::FocuserDevice>(
            session, alpaca::FocuserConfig{lenses, settings_.lens, settings_.focuser, settings_.state_dir, {}});
        alpaca::CameraConfig camera{bodies,
                                    {settings_.images.dir, settings_.images.keep_raw, settings_.images.save_fits},
                                    focuserPosition(focuser),
                                    settings_.raw_type,
                                    lenses,
                                    settings_.focal_length_mm};
        if (camera.files.keep_raw || camera.files.save_fits)
            logger->info("keeping {}{}{} of every exposure in {}", camera.files.keep_raw ? "the raw file" : "",
                         camera.files.keep_raw && camera.files.save_fits ? " and " : "",
                         camera.files.save_fits ? "a FITS file" : "", camera.files.dir.string());
        const std::shared_ptr<alpaca::Device> devices[] = {
            std::make_shared<alpaca::CameraDevice>(session, std::move(camera)), focuser};
        for (const auto& device : devices) {
            const auto key =
                alpaca::DeviceRegistry::idKey(device->deviceType(), registry.nextNumber(device->deviceType()));
            registry.add(device, ids.idFor(key));
        }
    } catch (const std::exception& e) {
        logger->critical("cannot keep device IDs in {}: {} (choose a writable directory with --state-dir)",
                         settings_.state_dir.string(), e.what());
        return 1;
    }
    logger->info("sonyalpaca {} starting; body: {}; state in {}", kVersion, session->body().describe(),
                 settings_.state_dir.string());

    if (config_file_) logger->info("the setup page saves settings to {}", config_file_->string());
    alpaca::Router router(registry, {"sonyalpaca", "sonyalpaca project", kVersion, hostName()},
                          {session, lenses, config_file_, base_file_},
                          alpaca::HostCheck(hostName(), settings_.allowed_hosts));
    alpaca::HttpServer http(router);
    std::unique_ptr<alpaca::DiscoveryResponder> discovery;
    try {
        http.start(settings_.bind, settings_.port);
        for (const auto& endpoint : http.endpoints()) logger->info("Alpaca API listening on {}", endpoint);
        if (settings_.discovery) {
            discovery = std::make_unique<alpaca::DiscoveryResponder>(http.port(), settings_.bind);
            discovery->start(settings_.discovery_port);
        } else {
            logger->info("Alpaca discovery is off");
        }
    } catch (const std::exception& e) {
        logger->critical("{}", e.what());
        http.stop();
        return 1;
    }

    notifier.ready("serving Alpaca on port " + std::to_string(http.port()));
    const auto interval = notifier.watchdogInterval();
    // The watchdog is fed only while the HTTP server answers a request of its own (a listener thread
    // that runs proves nothing when every worker is held), discovery runs and libgphoto2 is not stuck.
    const std::string probe_address = probeAddress(settings_.bind);
    const auto probe_timeout = interval ? std::clamp<std::chrono::milliseconds>(
                                              std::chrono::duration_cast<std::chrono::milliseconds>(*interval) / 2,
                                              std::chrono::milliseconds(250), std::chrono::seconds(1))
                                        : std::chrono::milliseconds(1000);
    std::string last_problem;
    auto healthy = [&] {
        std::string problem;
        if (!http.healthy())
            problem = "an HTTP listener has stopped";
        else if (!httpAnswers(probe_address, http.port(), probe_timeout))
            problem = "the HTTP server did not answer a request of its own within " +
                      std::to_string(probe_timeout.count()) + " ms";
        else if (discovery && !discovery->healthy())
            problem = "Alpaca discovery has stopped";
        else if (!session->body().healthy())
            problem = "the body's libgphoto2 worker is stuck";
        if (problem != last_problem) {
            if (!problem.empty())
                logger->error("{}; not pinging the watchdog, so systemd restarts the daemon if it stays so", problem);
            else
                logger->info("healthy again; pinging the watchdog");
            last_problem = problem;
        }
        return problem.empty();
    };
    if (interval && healthy()) notifier.watchdogPing();

    // The main loop: wait for a signal, waking to ping the watchdog while everything is healthy.
    const sigset_t signals = handledSignals();
    const auto wait = interval ? std::min<Clock::duration>(*interval, std::chrono::seconds(1))
                               : Clock::duration(std::chrono::seconds(1));
    auto last_ping = Clock::now();
    while (true) {
        const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(wait);
        const timespec timeout{
            static_cast<time_t>(seconds.count()),
            static_cast<long>(std::chrono::duration_cast<std::chrono::nanoseconds>(wait - seconds).count())};
        const int signal = sigtimedwait(&signals, nullptr, &timeout);
        if (signal == SIGINT || signal == SIGTERM) {
            logger->info("{} received, stopping", signal == SIGINT ? "SIGINT" : "SIGTERM");
            break;
        }
        if (signal == SIGHUP) logger->info("SIGHUP received; settings are read at start: restart to apply changes");
        if (interval && Clock::now() - last_ping >= *interval && healthy()) {
            notifier.watchdogPing();
            last_ping = Clock::now();
        }
    }

    notifier.stopping();
    const auto stop_started = Clock::now();
    if (discovery) discovery->stop();
    // HTTP stops on a thread of its own while the devices shut down: every connection's wait ends at
    // once (GuardedServer), but a handler that does not return would still hold stop() up.
    std::promise<void> http_done;
    auto http_stopped = http_done.get_future();
    std::thread http_stopper([&http, &http_done] {
        http.stop();
        http_done.set_value();
    });
    for (const auto& entry : registry.entries()) entry.device->shutdown();
    const auto elapsed = [&] {
        return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - stop_started).count();
    };
    if (http_stopped.wait_until(stop_started + kStopLimit) != std::future_status::ready) {
        // The devices are shut down and their state saved; what is left are HTTP handlers that have
        // not returned. They still use the router and the devices, so the process cannot unwind: it
        // ends here.
        logger->warn("stopped in {} ms; HTTP requests still being handled are cut", elapsed());
        spdlog::apply_all([](const std::shared_ptr<spdlog::logger>& each) { each->flush(); });
        std::_Exit(0);
    }
    http_stopper.join();
    logger->info("stopped in {} ms", elapsed());
    return 0;
}

}  // namespace sonyalpaca::server
