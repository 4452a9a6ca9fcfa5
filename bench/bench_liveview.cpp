// SPDX-License-Identifier: GPL-3.0-or-later
// The setup page's live view (issue 18): how fast the libgphoto2 path brings live-view frames from
// the virtual body over PTP/IP, what the focus figure costs per frame, and whether live view on the
// page slows anyone else down. Two parts:
//   1. In this process: the simulator and a GPhotoBody; liveView() as fast as it goes (no cap), and
//      per frame the page's work (decode to grey + the focus figure), as a ratio of the frame time.
//   2. The real `sonyalpaca serve --camera simulator`: 8 pollers asking CameraState 10 times a second
//      (as N.I.N.A. and the setup page do) and a 0.5 s exposure after another, first without live
//      view, then with 2 pages pulling live-view frames; the pollers' p50/p99 and the exposures'
//      StartExposure-to-ImageReady time, and their ratios with / without, measured in the same run.
//   bench_liveview [--seconds N]   (each phase of part 2; default 8)
#include "DaemonProcess.hpp"
#include "RawHttp.hpp"
#include "config/BodyDatabase.hpp"
#include "config/DataFiles.hpp"
#include "imaging/FocusFigure.hpp"
#include "imaging/Jpeg.hpp"
#include "ptp/gphoto/GPhotoBody.hpp"
#include "ptp/sim/SimulatorHost.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

using namespace sonyalpaca;
using namespace sonyalpaca::test;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {
double seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

double percentile(std::vector<double> values, double p) {
    if (values.empty()) return 0;
    std::sort(values.begin(), values.end());
    return values[std::min(values.size() - 1, static_cast<std::size_t>(p * static_cast<double>(values.size())))];
}

void libgphoto2Rate() {
    ptp::sim::SimulatorOptions simulated;
    simulated.sensor_scale = 8;
    ptp::sim::SimulatorHost simulator(simulated);
    ptp::gphoto::GPhotoBody body({config::CameraSource::Kind::PtpIp, "127.0.0.1", simulator.port()},
                                 config::BodyDatabase::load(config::findDataFile("sony-bodies.json")));
    body.open();
    for (int i = 0; i < 5; ++i) body.liveView();  // warm up
    constexpr int kFrames = 100;
    double fetch = 0;
    double page = 0;
    std::size_t bytes = 0;
    unsigned width = 0;
    unsigned height = 0;
    double figure = 0;
    for (int i = 0; i < kFrames; ++i) {
        const auto t0 = Clock::now();
        const auto jpeg = body.liveView();
        const auto t1 = Clock::now();
        const auto grey = imaging::decodeJpegGrey(jpeg);
        figure += imaging::focusFigure(grey, {grey.width / 2.0, grey.height / 2.0, 64});
        const auto t2 = Clock::now();
        fetch += seconds(t1 - t0);
        page += seconds(t2 - t1);
        bytes += jpeg.size();
        width = grey.width;
        height = grey.height;
    }
    body.close();
    std::printf("1. libgphoto2 live view from the virtual body over PTP/IP, %d frames of %ux%u (%zu bytes each):\n",
                kFrames, width, height, bytes / kFrames);
    std::printf("   uncapped: %.1f ms a frame = %.0f frames/s; the daemon caps live view at 10 frames/s\n",
                1e3 * fetch / kFrames, kFrames / fetch);
    std::printf(
        "   decode to grey + focus figure: %.2f ms a frame = %.3f of the frame's fetch time (mean figure %.2f)\n",
        1e3 * page / kFrames, page / fetch, figure / kFrames);
}

struct Phase {
    std::vector<double> polls_ms;
    std::vector<double> exposures_s;
    int failed_polls = 0;
    long frames = 0;
    double frames_per_s = 0;
};

Phase runPhase(std::uint16_t port, double length_s, bool live, bool exposures, const std::string& token) {
    Phase phase;
    std::mutex mutex;
    std::atomic<bool> stop{false};
    if (live) {
        const auto started = httpForm(port, "POST", "/setup/live/start", "csrf=" + token);
        if (started.status != 200)
            std::printf("   live view did not start: %d %s\n", started.status, started.body.c_str());
    }
    std::vector<std::thread> threads;
    std::atomic<long> frames{0};
    const auto begin = Clock::now();
    for (int viewer = 0; live && viewer < 2; ++viewer)
        threads.emplace_back([&] {
            std::string after = "0";
            while (!stop && Clock::now() - begin < std::chrono::duration<double>(length_s + 5)) {
                const auto reply = httpGet(port, "/setup/live.jpg?after=" + after);
                if (reply.status == 200) {
                    after = reply.header("x-live-frame");
                    ++frames;
                } else if (reply.status != 204) {
                    std::this_thread::sleep_for(100ms);
                }
            }
        });
    for (int poller = 0; poller < 8; ++poller)
        threads.emplace_back([&, poller] {
            auto next = Clock::now() + std::chrono::milliseconds(12 * poller);
            while (!stop) {
                std::this_thread::sleep_until(next);
                next += 100ms;
                const auto t0 = Clock::now();
                const auto reply = httpGet(port, "/api/v1/camera/0/camerastate?ClientID=1&ClientTransactionID=1");
                const double ms = 1e3 * seconds(Clock::now() - t0);
                std::lock_guard lock(mutex);
                if (reply.status == 200)
                    phase.polls_ms.push_back(ms);
                else
                    ++phase.failed_polls;
            }
        });
    // Exposures one after another, as a sequence runs.
    while (!exposures && seconds(Clock::now() - begin) < length_s) std::this_thread::sleep_for(50ms);
    while (exposures && seconds(Clock::now() - begin) < length_s) {
        const auto t0 = Clock::now();
        alpacaPut(port, "camera/0", "startexposure", "Duration=0.5&Light=true&ClientID=1");
        bool ready = false;
        while (!ready && Clock::now() - t0 < 60s) {
            std::this_thread::sleep_for(20ms);
            ready = alpacaGet(port, "camera/0", "imageready")["Value"] == true;
        }
        phase.exposures_s.push_back(seconds(Clock::now() - t0));
    }
    const double span = seconds(Clock::now() - begin);
    stop = true;
    for (auto& thread : threads) thread.join();
    if (live) httpForm(port, "POST", "/setup/live/stop", "csrf=" + token);
    phase.frames = frames;
    phase.frames_per_s = static_cast<double>(frames) / 2.0 / span;  // each page gets every frame
    return phase;
}
}  // namespace

int main(int argc, char** argv) {
    double length_s = 8;
    for (int i = 1; i + 1 < argc; ++i)
        if (std::string(argv[i]) == "--seconds") length_s = std::atof(argv[i + 1]);
    const auto home = std::filesystem::temp_directory_path() / ("bench-liveview-" + std::to_string(::getpid()));
    std::filesystem::create_directories(home);
    ::setenv("HOME", home.c_str(), 1);  // libgphoto2 writes ~/.gphoto
    spdlog::set_level(spdlog::level::warn);
    libgphoto2Rate();

    TempDir state;
    auto daemon = DaemonProcess::serve(state.path(), {"--camera", "simulator", "--no-discovery"});
    const std::uint16_t port = daemon.port();
    alpacaPut(port, "camera/0", "connected", "Connected=true&ClientID=1");
    const std::string page = httpGet(port, "/setup/live").body;
    const std::string marker = "id=\"live-token\" value=\"";
    const auto at = page.find(marker);
    const std::string token = at == std::string::npos ? "" : page.substr(at + marker.size(), 32);
    runPhase(port, 2, false, true, token);  // warm up: the first exposures, the frame size learned
    const Phase pollers = runPhase(port, length_s, false, false, token);
    const Phase pollers_live = runPhase(port, length_s, true, false, token);
    const Phase exposing = runPhase(port, length_s, false, true, token);
    const Phase exposing_live = runPhase(port, length_s, true, true, token);
    std::printf("2. sonyalpaca serve --camera simulator, %.0f s a phase: 8 pollers at 10 Hz (CameraState), with or "
                "without 0.5 s exposures one after another and 2 live-view pages\n",
                length_s);
    std::printf("   %-30s %6s %7s %7s %6s %11s %15s\n", "phase", "polls", "p50 ms", "p99 ms", "failed", "exposure s",
                "frames/s a page");
    const std::pair<const char*, const Phase*> rows[] = {{"pollers", &pollers},
                                                         {"pollers + live view", &pollers_live},
                                                         {"pollers + exposures", &exposing},
                                                         {"pollers + exposures + live view", &exposing_live}};
    for (const auto& [name, phase] : rows)
        std::printf("   %-30s %6zu %7.1f %7.1f %6d %11.2f %15.1f\n", name, phase->polls_ms.size(),
                    percentile(phase->polls_ms, 0.5), percentile(phase->polls_ms, 0.99), phase->failed_polls,
                    percentile(phase->exposures_s, 0.5), phase->frames_per_s);
    auto ratio = [](const Phase& with, const Phase& without, double p) {
        return percentile(with.polls_ms, p) / std::max(percentile(without.polls_ms, p), 1e-3);
    };
    std::printf("   ratios with / without live view: pollers p50 %.2f, p99 %.2f (no exposures); p50 %.2f, p99 %.2f "
                "(exposures); exposure time (StartExposure to ImageReady) %.2f\n",
                ratio(pollers_live, pollers, 0.5), ratio(pollers_live, pollers, 0.99),
                ratio(exposing_live, exposing, 0.5), ratio(exposing_live, exposing, 0.99),
                percentile(exposing_live.exposures_s, 0.5) / std::max(percentile(exposing.exposures_s, 0.5), 1e-3));
    std::printf("   (live view pauses while an exposure runs: with exposures one after another it gets the gaps)\n");
    std::filesystem::remove_all(home);
    return 0;
}
