// SPDX-License-Identifier: GPL-3.0-or-later
// The last frame's figures (imaging::computeFrameStats: histograms, clipped fraction, background and
// noise, stars and their median HFR) on synthetic 24 MP (6024x4024) and 61 MP (9568x6376) RGGB
// frames: a sky of 600 ADU above a black of 512 with Gaussian noise, 3000 Gaussian stars (sigma 1.8
// photosites, sampled at the photosites' centres; some saturated) and a few hot pixels. Each time is
// the median of the repetitions, printed in seconds and as ratios to two yardsticks measured in the same run on the same frame: a
// plain sum over the frame's values (one read of it) and imaging::makeThumbnail (the setup page's
// preview, made on the same thread just before). The machine is shared and noisy: compare ratios.
// Last, the simulator's realistic 24 MP sky (bench/SkyArw.hpp, decoded with LibRaw), as the daemon
// sees it.
//
// Goal (issue 18): at most 0.1 s for a 24 MP frame, single thread.
//
// Usage: bench_framestats [repetitions]   (default 7)

#include "SkyArw.hpp"
#include "imaging/FrameStats.hpp"
#include "imaging/Thumbnail.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <numeric>
#include <random>
#include <string_view>
#include <vector>

using namespace sonyalpaca;
using Clock = std::chrono::steady_clock;

namespace {

constexpr unsigned kBlack = 512;
constexpr double kSky = 600;
constexpr double kNoise = 25;
constexpr int kStars = 3000;
constexpr double kStarSigma = 1.8;

/// A frame of sky with Gaussian stars; seeded, so every run measures the same frame.
imaging::RawFrame syntheticSky(unsigned width, unsigned height) {
    imaging::RawFrame frame;
    frame.metadata.black_level = kBlack;
    frame.metadata.white_level = 15360;
    frame.metadata.max_adu = 16383;
    frame.image.width = width;
    frame.image.height = height;
    std::vector<float> sky(frame.image.pixelCount(), static_cast<float>(kBlack + kSky));
    std::mt19937 random(18);
    std::exponential_distribution<double> brightness(1.0 / 4000.0);
    const int reach = static_cast<int>(std::ceil(5 * kStarSigma));
    for (int s = 0; s < kStars; ++s) {
        const double cx = 20 + std::uniform_real_distribution<double>(0, width - 40)(random);
        const double cy = 20 + std::uniform_real_distribution<double>(0, height - 40)(random);
        const double peak = 300 + brightness(random);
        for (int y = static_cast<int>(cy) - reach; y <= static_cast<int>(cy) + reach; ++y)
            for (int x = static_cast<int>(cx) - reach; x <= static_cast<int>(cx) + reach; ++x) {
                const double r2 = (x - cx) * (x - cx) + (y - cy) * (y - cy);
                sky[static_cast<std::size_t>(y) * width + static_cast<std::size_t>(x)] +=
                    static_cast<float>(peak * std::exp(-r2 / (2 * kStarSigma * kStarSigma)));
            }
    }
    // Noise from a table of normal deviates walked with a cheap generator: millions of std::normal
    // draws would take longer than everything measured here.
    std::normal_distribution<double> normal(0.0, kNoise);
    std::vector<float> deviates(1u << 16);
    for (float& d : deviates) d = static_cast<float>(normal(random));
    std::uint32_t state = 12345;
    frame.image.pixels.resize(sky.size());
    for (std::size_t i = 0; i < sky.size(); ++i) {
        state = state * 1664525u + 1013904223u;
        const double v = sky[i] + deviates[state >> 16];
        frame.image.pixels[i] = static_cast<std::uint16_t>(std::clamp(v, 0.0, 16383.0));
    }
    for (int h = 0; h < 200; ++h)  // hot pixels
        frame.image.pixels[(static_cast<std::size_t>(h) * 7919 * 4099) % sky.size()] = 9000;
    return frame;
}

double secondsSince(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

double median(std::vector<double> values) {
    std::sort(values.begin(), values.end());
    return values[values.size() / 2];
}

/// Measures one frame; returns the median seconds of computeFrameStats.
double measure(const char* name, const imaging::RawFrame& frame, int repetitions) {
    const unsigned width = frame.image.width;
    const unsigned height = frame.image.height;
    std::vector<double> stats_s, sum_s, thumb_s;
    imaging::FrameStats stats;
    std::uint64_t checksum = 0;
    for (int round = 0; round < repetitions; ++round) {
        auto start = Clock::now();
        checksum += std::accumulate(frame.image.pixels.begin(), frame.image.pixels.end(), std::uint64_t{0});
        sum_s.push_back(secondsSince(start));
        start = Clock::now();
        const imaging::Image8 thumbnail = imaging::makeThumbnail(frame);
        thumb_s.push_back(secondsSince(start));
        checksum += thumbnail.samples.size();
        start = Clock::now();
        stats = imaging::computeFrameStats(frame);
        stats_s.push_back(secondsSince(start));
    }
    const double t = median(stats_s), sum = median(sum_s), thumb = median(thumb_s);
    std::printf("%s (%ux%u): frame stats %.4f s = %.1fx a plain sum over the frame (%.4f s) = %.2fx makeThumbnail "
                "(%.4f s)\n",
                name, width, height, t, t / sum, sum, t / thumb, thumb);
    if (std::string_view(name).find("simulator") != std::string_view::npos) {
        std::printf("  found %zu stars (%zu saturated), HFR median %.3f px over %zu, background %.1f ADU, noise %.2f "
                    "ADU, clipped %.5f%% [checksum %llu]\n",
                    stats.stars, stats.saturated, stats.median_hfr_px.value_or(0.0), stats.measured,
                    stats.background_adu, stats.noise_adu, 100 * stats.clipped_fraction,
                    static_cast<unsigned long long>(checksum % 1000));
        return t;
    }
    std::printf("  found %zu stars (of %d drawn; %zu saturated), HFR median %.3f px over %zu (Gaussian sigma %.1f: "
                "1.2533 sigma = %.3f; on 2x2 cells of point samples 1.2533 sqrt(sigma^2 + 1/4) = %.3f), background "
                "%.1f ADU (drawn %.0f), noise %.2f ADU "
                "(drawn %.1f / 2 = %.2f for a cell's mean), clipped %.5f%% [checksum %llu]\n",
                stats.stars, kStars, stats.saturated, stats.median_hfr_px.value_or(0.0), stats.measured, kStarSigma,
                1.2533 * kStarSigma, 1.2533 * std::sqrt(kStarSigma * kStarSigma + 0.25), stats.background_adu, kSky,
                stats.noise_adu, kNoise, kNoise / 2, 100 * stats.clipped_fraction,
                static_cast<unsigned long long>(checksum % 1000));
    return t;
}

}  // namespace

int main(int argc, char** argv) noexcept try {
    const int repetitions = argc > 1 ? std::clamp(std::atoi(argv[1]), 1, 100) : 7;
    const double t24 = measure("24 MP", syntheticSky(6024, 4024), repetitions);
    measure("61 MP", syntheticSky(9568, 6376), repetitions);
    measure("24 MP simulator sky (30 s, ISO 800, decoded)", imaging::decodeArw(bench::skyArw()), repetitions);
    std::printf("goal <= 0.1 s for 24 MP: %s (%.4f s, median of %d)\n", t24 <= 0.1 ? "met" : "not met", t24,
                repetitions);
    return EXIT_SUCCESS;
} catch (const std::exception& e) {
    std::fprintf(stderr, "bench_framestats: %s\n", e.what());
    return EXIT_FAILURE;
}
