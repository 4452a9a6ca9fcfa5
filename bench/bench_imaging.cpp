// SPDX-License-Identifier: GPL-3.0-or-later
// The camera's image path after the download, at full size: a 24 MP uncompressed ARW from the
// simulator (ILCE-7M3, 6048x4024 readout, LibRaw's 6024x4024 visible area) decoded and cropped,
// transposed into Alpaca's order (blocked against naive), and streamed as ImageArray JSON in 64 KiB
// chunks. Each step is printed as wall time and as a ratio to a plain loopback TCP copy of the same
// frame bytes (6024 x 4024 x 2) measured in the same run: the machine is shared and noisy, so only
// ratios measured together mean something.
//
// Goals (issue 7): decode + crop + transpose ≤ 0.2 s; JSON at least 0.05x the plain copy's speed,
// i.e. the JSON of a frame takes at most 20x the time of copying its bytes over loopback.
//
// Usage: bench_imaging [repetitions]   (default 3; the best time of the repetitions is reported)

#include "LoopbackCopy.hpp"
#include "SkyArw.hpp"
#include "imaging/ImageArrayJson.hpp"
#include "imaging/ImageBytes.hpp"
#include "imaging/RawDecoder.hpp"
#include "imaging/Transpose.hpp"

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

using namespace sonyalpaca;
using Clock = std::chrono::steady_clock;

namespace {
using bench::loopbackCopySeconds;

double secondsSince(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

}  // namespace

int main(int argc, char** argv) noexcept try {
    const int repetitions = argc > 1 ? std::clamp(std::atoi(argv[1]), 1, 100) : 3;

    const std::vector<std::uint8_t> file = bench::skyArw();

    double decode = 1e9, blocked = 1e9, naive = 1e9, image_bytes = 1e9, json = 1e9, copy = 1e9;
    std::size_t json_bytes = 0;
    unsigned width = 0, height = 0;
    std::uint64_t checksum = 0;
    for (int round = 0; round < repetitions; ++round) {
        auto start = Clock::now();
        const imaging::RawFrame raw = imaging::decodeArw(file);
        decode = std::min(decode, secondsSince(start));
        width = raw.image.width;
        height = raw.image.height;

        std::vector<std::uint16_t> columns(raw.image.pixelCount());
        start = Clock::now();
        imaging::transposeToColumns(raw.image.pixels, width, height, columns);
        blocked = std::min(blocked, secondsSince(start));
        start = Clock::now();
        imaging::transposeToColumnsNaive(raw.image.pixels, width, height, columns);
        naive = std::min(naive, secondsSince(start));

        start = Clock::now();
        const imaging::ImageBytes bytes(raw.image);
        image_bytes = std::min(image_bytes, secondsSince(start));
        checksum += bytes.pixelBytes()[12345];

        start = Clock::now();
        imaging::ImageArrayJson writer(bytes.columns(), bytes.numX(), bytes.numY(), 1, 1);
        std::vector<char> chunk(std::size_t{64} << 10);
        std::size_t offset = 0;
        while (offset < writer.totalSize()) {
            const std::size_t n = writer.write(offset, chunk.data(), chunk.size());
            if (n == 0) throw std::runtime_error("the JSON writer stopped early");
            checksum += static_cast<unsigned char>(chunk[n - 1]);
            offset += n;
        }
        json = std::min(json, secondsSince(start));
        json_bytes = writer.totalSize();

        copy = std::min(copy, loopbackCopySeconds(static_cast<std::size_t>(width) * height * 2));
    }

    const double frame_mb = static_cast<double>(width) * height * 2 / 1e6;
    std::printf("bench_imaging: ILCE-7M3 uncompressed ARW %.1f MB -> %ux%u frame (%.1f MB), best of %d\n",
                static_cast<double>(file.size()) / 1e6, width, height, frame_mb, repetitions);
    std::printf("%-44s %8s %14s\n", "step", "time", "x plain copy");
    const auto line = [copy](const char* name, double seconds) {
        std::printf("%-44s %7.3fs %13.2fx\n", name, seconds, seconds / copy);
    };
    line("plain loopback TCP copy of the frame bytes", copy);
    line("decode + crop (LibRaw open, unpack, 1 copy)", decode);
    line("transpose, blocked 64x64 tiles", blocked);
    line("transpose, naive column by column", naive);
    line("ImageBytes (allocate + blocked transpose)", image_bytes);
    line("ImageArray JSON, 64 KiB chunks", json);
    std::printf("JSON: %.1f MB of text, %.0f MB/s; plain copy %.0f MB/s\n", static_cast<double>(json_bytes) / 1e6,
                static_cast<double>(json_bytes) / 1e6 / json, frame_mb / copy);
    const double path = decode + image_bytes;
    const double json_speed = copy / json;  // how fast a frame goes out as JSON against its raw bytes
    std::printf("goal decode + crop + transpose <= 0.2 s: %.3f s (%s)\n", path, path <= 0.2 ? "met" : "MISSED");
    std::printf("goal JSON >= 0.05x plain copy: %.3fx (%s)\n", json_speed, json_speed >= 0.05 ? "met" : "MISSED");
    std::printf("blocked transpose is %.1fx faster than naive (checksum %llu)\n", naive / blocked,
                static_cast<unsigned long long>(checksum));
    return 0;
} catch (const std::exception& e) {
    std::fprintf(stderr, "bench_imaging: %s\n", e.what());
    return 1;
}
