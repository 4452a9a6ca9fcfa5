// SPDX-License-Identifier: GPL-3.0-or-later
#include "server/LearnLensCommand.hpp"

#include "config/BodyDatabase.hpp"
#include "config/DataFiles.hpp"
#include "config/LensDatabase.hpp"
#include "config/Settings.hpp"
#include "focus/LensLearner.hpp"
#include "imaging/LiveViewGrid.hpp"
#include "ptp/gphoto/GPhotoBody.hpp"
#include "ptp/sim/SimulatorHost.hpp"
#include "server/CommandOptions.hpp"
#include "server/Logging.hpp"

#include <spdlog/fmt/fmt.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <stdexcept>
#include <stop_token>
#include <string>
#include <thread>

#include <pthread.h>
#include <unistd.h>

namespace sonyalpaca::server {
namespace {

struct Options {
    config::CameraSource source;
    std::string name;              ///< the learned profile's model id and name
    std::string guess;             ///< a known profile to plan from (re-learning), else generic
    std::filesystem::path output;  ///< directory; empty = STATE_DIR/lenses
    std::filesystem::path state_dir;
    double settle_ms = 0;
    std::string simulator_lens = "SEL20F18G";
    double simulator_time_scale = 1.0;
};

double numberOption(const std::string& option, const std::string& value, double low, double high) {
    std::size_t used = 0;
    double number = 0;
    try {
        number = std::stod(value, &used);
    } catch (const std::exception&) {
        used = 0;
    }
    if (used != value.size() || !(number >= low && number <= high))
        throw std::invalid_argument(
            fmt::format("{} wants a number from {:g} to {:g}, not \"{}\"", option, low, high, value));
    return number;
}

Options parse(int argc, const char* const* argv) {
    Options options;
    parseOptions(argc, argv,
                 {{"--camera", "auto|simulator|ptpip:HOST[:PORT]",
                   [&](const std::string& v) { options.source = config::CameraSource::parse(v); }},
                  {"--name", "NAME", [&](const std::string& v) { options.name = v; }},
                  {"--lens", "PROFILE", [&](const std::string& v) { options.guess = v; }},
                  {"--output", "DIR", [&](const std::string& v) { options.output = v; }},
                  {"--state-dir", "DIR", [&](const std::string& v) { options.state_dir = v; }},
                  {"--settle-ms", "MS",
                   [&](const std::string& v) { options.settle_ms = numberOption("--settle-ms", v, 0, 2000); }},
                  {"--simulator-lens", "ID", [&](const std::string& v) { options.simulator_lens = v; }},
                  {"--simulator-move-time-scale", "F",
                   [&](const std::string& v) {
                       options.simulator_time_scale = numberOption("--simulator-move-time-scale", v, 0.01, 10);
                   }}},
                 "sonyalpaca learn-lens --help");
    if (options.name.size() > 100) throw std::invalid_argument("--name is longer than 100 characters");
    return options;
}

/// Turns Ctrl-C (SIGINT) and SIGTERM into a stop request: the signals are blocked in every thread
/// and this thread waits for them, so nothing runs inside a signal handler.
class InterruptWatch {
public:
    explicit InterruptWatch(std::stop_source stop) {
        sigemptyset(&signals_);
        sigaddset(&signals_, SIGINT);
        sigaddset(&signals_, SIGTERM);
        pthread_sigmask(SIG_BLOCK, &signals_, nullptr);
        watcher_ = std::jthread([this, stop](std::stop_token done) mutable {
            const timespec wait{0, 200'000'000};
            while (!done.stop_requested()) {
                if (sigtimedwait(&signals_, nullptr, &wait) > 0) {
                    std::fputs("sonyalpaca learn-lens: stopping after the current step\n", stderr);
                    stop.request_stop();
                }
            }
        });
    }

private:
    sigset_t signals_{};
    std::jthread watcher_;
};

}  // namespace

const char* learnLensUsage() {
    return "usage: sonyalpaca learn-lens [options]\n"
           "Measures the lens's seven focus step sizes from the live view and saves its profile.\n"
           "Point the camera at a still, detailed scene in daylight (20 m or more away), camera steady;\n"
           "the lens drives between its end stops for a few minutes. Ctrl-C cancels. Stop the daemon first\n"
           "(it holds the camera), or learn from the setup page or the focuser's Action \"learn\" instead.\n"
           "  --camera auto|simulator|ptpip:HOST[:PORT]  the body (default auto: USB)\n"
           "  --name NAME          the profile's model id and name (default: --lens, else learned-DATE)\n"
           "  --lens PROFILE       plan from this known profile (re-learning a lens); default generic\n"
           "  --output DIR         where to save NAME.json (default STATE_DIR/lenses, where the daemon looks)\n"
           "  --state-dir DIR      the daemon's state directory (default as the daemon's)\n"
           "  --settle-ms MS       wait before each live-view frame (bodies whose live view lags; default 0)\n"
           "  --simulator-lens ID  with --camera simulator: the simulated lens (default SEL20F18G)\n"
           "  --simulator-move-time-scale F  with --camera simulator: focus motor time factor (default 1)\n";
}

int runLearnLens(int argc, const char* const* argv) {
    if (helpWanted(argc, argv)) {
        std::fputs(learnLensUsage(), stdout);
        return 0;
    }
    Options options;
    try {
        options = parse(argc, argv);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "sonyalpaca learn-lens: %s\n", e.what());
        return 2;
    }
    setupLogging("info", false);
    const char* home = std::getenv("HOME");
    if (!home || ::access(home, W_OK) != 0) ::setenv("HOME", "/tmp", 1);  // libgphoto2 writes ~/.gphoto
    std::stop_source stop;
    const InterruptWatch interrupts(stop);  // before any other thread starts: they inherit the mask
    try {
        const auto environment = config::processEnvironment();
        const auto state_dir = options.state_dir.empty() ? config::defaultStateDir(environment) : options.state_dir;
        std::vector<std::string> problems;
        const auto lenses = config::LensDatabase::loadWithUserProfiles(
            config::findDataFile("sony-lenses.json"), config::lensProfileDirectories(state_dir), problems);
        for (const auto& problem : problems) std::fprintf(stderr, "lens profile skipped: %s\n", problem.c_str());
        focus::LearnOptions learn;
        if (!options.guess.empty()) {
            const auto* known = lenses.find(options.guess);
            if (!known)
                throw std::invalid_argument("--lens \"" + options.guess +
                                            "\" is not a known profile; known: " + lenses.modelIds());
            learn.guess = *known;
            learn.maker = known->maker;
            learn.model_id = known->model_id;
            learn.name = known->name;
        } else {
            learn.model_id = focus::learnedLensId();
            learn.name = "lens " + learn.model_id;
        }
        if (!options.name.empty()) learn.model_id = learn.name = options.name;
        learn.settle_ms = options.settle_ms;

        std::unique_ptr<ptp::sim::SimulatorHost> simulator;
        if (options.source.kind == config::CameraSource::Kind::Simulator) {
            ptp::sim::SimulatorOptions simulated;
            simulated.lens = options.simulator_lens;
            simulated.sensor_scale = 8;
            simulated.lens_options.time_scale = options.simulator_time_scale;
            simulator = std::make_unique<ptp::sim::SimulatorHost>(simulated);
            options.source = {config::CameraSource::Kind::PtpIp, "127.0.0.1", simulator->port()};
            for (double& ms : learn.step_time_ms) ms *= options.simulator_time_scale;
        }
        ptp::gphoto::GPhotoBody body(options.source,
                                     config::BodyDatabase::load(config::findDataFile("sony-bodies.json")));
        body.checkReachable();
        body.open();
        if (!body.hasFocusDrive())
            throw std::runtime_error("this body offers no focus drive through libgphoto2 (Sony property 0xD2D1), so "
                                     "its lens cannot be stepped or learned");
        focus::LensLearner learner(
            body, [](const std::vector<std::uint8_t>& jpeg) { return imaging::liveViewGrid(jpeg); }, learn);
        const auto result = learner.run(stop.get_token());
        const auto directory = options.output.empty() ? state_dir / "lenses" : options.output;
        const auto file = focus::saveLearnedProfile(result, directory);
        body.close();
        std::printf("Learned %s in %.0f s (%ld steps, %ld live-view frames; detector size %d).\n",
                    result.profile.model_id.c_str(), result.seconds, result.steps, result.frames, result.detector_size);
        std::printf("size  moves across the travel  uncertainty\n");
        for (std::size_t k = 0; k < config::kStepSizes; ++k)
            std::printf("%4zu  %22.2f  %s\n", k + 1, result.profile.full_travel_moves[k],
                        result.whole_travel[k]
                            ? "one step crosses the whole travel"
                            : ("±" + std::to_string(100 * result.relative_sigma[k]).substr(0, 4) + " %").c_str());
        std::printf("play (backlash): %.2f units\n", result.profile.backlash.value_or(0.0));
        std::printf("Saved %s. The daemon uses it after a restart when the body reports this lens or when it\n"
                    "is chosen with --lens %s (or \"lens\" in the settings).\n",
                    file.c_str(), result.profile.model_id.c_str());
        return 0;
    } catch (const focus::LearnCancelled&) {
        std::fprintf(stderr, "sonyalpaca learn-lens: cancelled; nothing saved\n");
        return 130;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "sonyalpaca learn-lens: %s\n", e.what());
        return 1;
    }
}

}  // namespace sonyalpaca::server
