// SPDX-License-Identifier: GPL-3.0-or-later
// How fast a 24 MP uncompressed ARW gets from the body into the daemon's memory: an exposure of the
// shortest listed speed on the virtual body (ILCE-7M3), through libgphoto2 and PTP/IP on loopback,
// against a plain loopback TCP copy of the same number of bytes measured in the same run (the
// machine is shared and noisy, so only ratios measured together mean something).
#include "LoopbackCopy.hpp"
#include "config/DataFiles.hpp"
#include "ptp/gphoto/GPhotoBody.hpp"
#include "ptp/sim/SimulatorHost.hpp"

#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

using namespace sonyalpaca;
using Clock = std::chrono::steady_clock;

namespace {
using bench::loopbackCopySeconds;
double seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

/// The resident set now (VmRSS), in KiB.
long currentRssKiB() {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line))
        if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
    return 0;
}

long peakRssKiB() {
    rusage usage{};
    ::getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss;
}
}  // namespace

int main() {
    const auto home = std::filesystem::temp_directory_path() / ("bench-download-" + std::to_string(::getpid()));
    std::filesystem::create_directories(home);
    ::setenv("HOME", home.c_str(), 1);

    ptp::sim::SimulatorOptions options;
    options.body_options.readout_s = 0;               // measure transfer, not the simulated readout
    options.body_options.shutter = 1u << 16 | 8000u;  // the shortest listed speed
    ptp::sim::SimulatorHost simulator(options);
    ptp::gphoto::GPhotoBody body({config::CameraSource::Kind::PtpIp, "127.0.0.1", simulator.port()},
                                 config::BodyDatabase::load(config::findDataFile("sony-bodies.json")));
    body.open();
    const long rss_open = peakRssKiB();

    constexpr int kRounds = 3;
    double best_exposure = 1e9, best_copy = 1e9;
    std::size_t file_size = 0;
    for (int round = 0; round < kRounds; ++round) {
        const auto start = Clock::now();
        const auto exposure = body.expose(1.0 / 8000, {});
        best_exposure = std::min(best_exposure, seconds(Clock::now() - start) - exposure.seconds);
        file_size = exposure.file.size();
        best_copy = std::min(best_copy, loopbackCopySeconds(file_size));
    }
    const double frame_mib = static_cast<double>(file_size) / (1 << 20);
    std::printf("24 MP uncompressed ARW (ILCE-7M3, %.1f MiB), best of %d:\n", frame_mib, kRounds);
    std::printf("  end of exposure to file in memory: %.3f s (render + write in the simulator included)\n",
                best_exposure);
    std::printf("  plain loopback TCP copy of the same bytes: %.3f s (%.0f MiB/s)\n", best_copy, frame_mib / best_copy);
    std::printf("  throughput: %.0f MiB/s, %.1fx the plain copy's time\n", frame_mib / best_exposure,
                best_exposure / best_copy);
    std::printf("  peak RSS: %.1f MiB (%.2f frames), %.1f MiB after opening the body\n",
                static_cast<double>(peakRssKiB()) / 1024, static_cast<double>(peakRssKiB()) / 1024 / frame_mib,
                static_cast<double>(rss_open) / 1024);
    // Every frame has been handed over and dropped. libgphoto2's file cache would keep the last two
    // pictures (2 frames more here) had the backend not turned it off; what stays is the in-process
    // simulator's rendering buffers.
    std::printf("  resident after the downloads: %.1f MiB (%.2f frames above the open body)\n",
                static_cast<double>(currentRssKiB()) / 1024,
                static_cast<double>(currentRssKiB() - rss_open) / 1024 / frame_mib);
    body.close();
    std::printf("  resident after closing the body: %.1f MiB\n", static_cast<double>(currentRssKiB()) / 1024);
    std::filesystem::remove_all(home);
    return 0;
}
