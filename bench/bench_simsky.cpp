// SPDX-License-Identifier: GPL-3.0-or-later
// The simulated body's image path at full size: render a 24 MP ILCE-7M3 frame, make the ARW (both
// kinds), and stream it out as a PTP download would, in 1 MiB chunks. Prints wall time per step,
// the ratios the requirement is stated in (render + write ≤ 1 s; memory ≤ 2 frames), and the peak
// resident memory as a multiple of one frame (raw_width · raw_height · 2 bytes).
//
// Also the live view: one 640x424 frame of the focus target rendered, then encoded (the JPEG the
// body serves, libjpeg through imaging::encodeJpeg), best of 10 batches of 20 frames, and the
// encode's share of the frame.
//
// Usage: bench_simsky [repetitions]   (default 3; the best time of the repetitions is reported)

#include "imaging/Jpeg.hpp"
#include "ptp/sim/sky/ArwFile.hpp"
#include "ptp/sim/sky/DefocusModel.hpp"
#include "ptp/sim/sky/FocusTarget.hpp"
#include "ptp/sim/sky/PreviewJpeg.hpp"
#include "ptp/sim/sky/SkyRenderer.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <vector>

using namespace sonyalpaca::ptp::sim;

namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

double peakResidentBytes() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return static_cast<double>(usage.ru_maxrss) * 1024.0;  // Linux reports KiB
}

/// Streams the file out in transfer-sized chunks; returns a checksum so the work is not optimised away.
std::uint64_t streamOut(const ArwFile& file) {
    std::vector<std::uint8_t> chunk(std::size_t{1} << 20);
    std::uint64_t sum = 0;
    for (std::size_t offset = 0; offset < file.size(); offset += chunk.size()) {
        const std::size_t n = std::min(chunk.size(), file.size() - offset);
        file.read(offset, std::span(chunk).first(n));
        sum += static_cast<std::uint64_t>(chunk[0]) + chunk[n - 1];
    }
    return sum;
}

struct Timing {
    double render = 1e9;
    double build = 1e9;
    double stream = 1e9;
    std::size_t bytes = 0;
};

Timing measure(const SkyConditions& conditions, ArwKind kind, int repetitions, std::uint64_t& checksum) {
    const SensorLayout layout = SensorLayout::ilce7m3();
    Timing best;
    for (int i = 0; i < repetitions; ++i) {
        auto start = Clock::now();
        RawImage image = renderSky(layout, conditions);
        const double render = secondsSince(start);
        start = Clock::now();
        ArwInfo info;
        info.exposure_s = conditions.exposure_s;
        info.iso = conditions.iso;
        info.ambient_temperature_c = -4.0;
        const ArwFile file(std::move(image), info, kind);
        const double build = secondsSince(start);
        start = Clock::now();
        checksum += streamOut(file);
        const double stream = secondsSince(start);
        best.render = std::min(best.render, render);
        best.build = std::min(best.build, build);
        best.stream = std::min(best.stream, stream);
        best.bytes = file.size();
    }
    return best;
}

}  // namespace

int main(int argc, char** argv) noexcept try {
    const int repetitions = argc > 1 ? std::max(1, std::atoi(argv[1])) : 3;
    const SensorLayout layout = SensorLayout::ilce7m3();
    const double frame_bytes = static_cast<double>(layout.pixelCount()) * 2.0;
    const double pixels = static_cast<double>(layout.pixelCount());
    std::printf("bench_simsky: ILCE-7M3 %s, one frame = %.1f MB, best of %d\n", layout.describe().c_str(),
                frame_bytes / 1e6, repetitions);

    SkyConditions focused;
    focused.seed = 1;
    focused.noise_seed = 1;
    focused.exposure_s = 30.0;
    focused.iso = 800;
    focused.star_fwhm_px = DefocusModel().fwhmPx(0.0);
    SkyConditions defocused = focused;
    defocused.star_fwhm_px = DefocusModel().fwhmPx(100.0);

    std::uint64_t checksum = 0;
    const double baseline = peakResidentBytes();
    std::printf("%-26s %8s %8s %8s %9s %10s %11s %9s\n", "case", "render", "ARW", "stream", "total", "total/1s",
                "ARW/render", "bytes/px");
    double worst_total = 0.0;
    struct Case {
        const char* name;
        const SkyConditions& conditions;
        ArwKind kind;
    };
    const Case cases[] = {
        {"in focus, uncompressed", focused, ArwKind::Uncompressed},
        {"in focus, cRAW", focused, ArwKind::Compressed},
        {"defocused 100 u, cRAW", defocused, ArwKind::Compressed},
    };
    for (const Case& c : cases) {
        const Timing t = measure(c.conditions, c.kind, repetitions, checksum);
        const double total = t.render + t.build + t.stream;
        worst_total = std::max(worst_total, total);
        std::printf("%-26s %7.3fs %7.3fs %7.3fs %8.3fs %10.2f %11.2f %9.3f\n", c.name, t.render, t.build, t.stream,
                    total, total / 1.0, (t.build + t.stream) / t.render, static_cast<double>(t.bytes) / pixels);
    }
    // The preview a RAW+JPEG capture adds.
    {
        const RawImage image = renderSky(layout, focused);
        const auto start = Clock::now();
        const std::vector<std::uint8_t> jpeg = previewJpeg(image, 1616);
        const double preview = secondsSince(start);
        std::printf("%-26s %7.3fs (%zu bytes)\n", "preview JPEG 1616 px", preview, jpeg.size());
        checksum += jpeg.size();
    }
    // The live view, as SkyFrameSource::liveView makes it (quality 80), a little out of focus.
    {
        const FocusTarget target(FocusTarget::Options{640, 424, 1, 60.0, 1.5});
        constexpr int kBatches = 10;
        constexpr int kFrames = 20;
        double render = 1e9;
        double encode = 1e9;
        std::size_t bytes = 0;
        std::uint64_t frame = 0;
        for (int batch = 0; batch < kBatches; ++batch) {
            std::vector<decltype(target.render(0.0, 0))> images;
            auto start = Clock::now();
            for (int i = 0; i < kFrames; ++i) images.push_back(target.render(0.05, ++frame));
            render = std::min(render, secondsSince(start) / kFrames);
            start = Clock::now();
            bytes = 0;
            for (const auto& image : images) bytes += sonyalpaca::imaging::encodeJpeg(image, 80).size();
            encode = std::min(encode, secondsSince(start) / kFrames);
        }
        std::printf("%-26s render %.2f ms, encode %.2f ms (%zu bytes), encode/frame %.2f\n", "live view 640x424",
                    render * 1e3, encode * 1e3, bytes / kFrames, encode / (render + encode));
        checksum += bytes;
    }
    const double peak = peakResidentBytes();
    std::printf("star fwhm: focused %.2f px, defocused %.2f px (DefocusModel defaults)\n", focused.star_fwhm_px,
                defocused.star_fwhm_px);
    std::printf("worst render+ARW+stream: %.3f s = %.2f of the 1 s budget\n", worst_total, worst_total);
    std::printf("peak RSS: %.1f MB = %.2f frames (%.2f frames before the first frame)\n", peak / 1e6,
                peak / frame_bytes, baseline / frame_bytes);
    // For comparison, after the peak was taken: the whole file in one buffer (writeArw), which
    // holds the frame twice while it is copied.
    {
        const RawImage image = renderSky(layout, focused);
        const auto start = Clock::now();
        const std::vector<std::uint8_t> whole = writeArw(image, ArwInfo{}, ArwKind::Uncompressed);
        std::printf("writeArw to one buffer (uncompressed): %.3f s; peak RSS after it: %.2f frames\n",
                    secondsSince(start), peakResidentBytes() / frame_bytes);
        checksum += whole.size();
    }
    std::printf("(checksum %llu)\n", static_cast<unsigned long long>(checksum));
    return worst_total <= 1.0 && peak <= 2.0 * frame_bytes ? 0 : 1;
} catch (const std::exception& e) {
    std::fprintf(stderr, "bench_simsky: %s\n", e.what());
    return 2;
}
