// SPDX-License-Identifier: GPL-3.0-or-later
#include "ptp/sim/sky/FocusTarget.hpp"

#include "ptp/sim/sky/FastRandom.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace sonyalpaca::ptp::sim {
namespace {

/// One box pass of radius `radius` (fractional: the two outermost taps weigh its fraction) along
/// `count` samples spaced `stride` apart, edges clamped. Running sums: cost independent of the radius.
void boxPass(float* data, std::size_t count, std::size_t stride, double radius, std::vector<float>& scratch) {
    const auto whole = static_cast<long>(std::floor(radius));
    const auto fraction = static_cast<float>(radius - static_cast<double>(whole));
    const auto last = static_cast<long>(count) - 1;
    auto at = [&](long i) { return data[static_cast<std::size_t>(std::clamp(i, 0L, last)) * stride]; };
    scratch.resize(count);
    double sum = 0;
    for (long i = -whole; i <= whole; ++i) sum += at(i);
    const double norm = 1.0 / (2.0 * static_cast<double>(whole) + 1.0 + 2.0 * fraction);
    for (long i = 0; i <= last; ++i) {
        const double edge = fraction * (at(i - whole - 1) + at(i + whole + 1));
        scratch[static_cast<std::size_t>(i)] = static_cast<float>((sum + edge) * norm);
        sum += at(i + whole + 1) - at(i - whole);
    }
    for (std::size_t i = 0; i < count; ++i) data[i * stride] = scratch[i];
}

}  // namespace

FocusTarget::FocusTarget(const Options& options) : options_(options) {
    if (options.width < 16 || options.height < 16 || options.width > 4096 || options.height > 4096)
        throw std::invalid_argument("focus target size must be 16..4096 pixels a side");
    const unsigned width = options.width, height = options.height;
    sharp_.assign(static_cast<std::size_t>(width) * height, 128.0f);
    // Value noise: random levels on a grid of `cell` pixels, bilinearly interpolated, octave by
    // octave; the amplitude is the same at every scale so detail survives every blur.
    unsigned octave = 0;
    for (unsigned cell = 2; cell <= 256; cell *= 2, ++octave) {
        const unsigned columns = width / cell + 2, rows = height / cell + 2;
        std::vector<float> grid(static_cast<std::size_t>(columns) * rows);
        FastRandom random = FastRandom::stream(options.seed, 0xF0C5 + octave);
        for (float& level : grid) level = static_cast<float>(random.uniform() - 0.5) * 34.0f;
        for (unsigned y = 0; y < height; ++y) {
            const double gy = static_cast<double>(y) / cell;
            const auto row = static_cast<unsigned>(gy);
            const auto fy = static_cast<float>(gy - row);
            for (unsigned x = 0; x < width; ++x) {
                const double gx = static_cast<double>(x) / cell;
                const auto column = static_cast<unsigned>(gx);
                const auto fx = static_cast<float>(gx - column);
                const float* g = &grid[static_cast<std::size_t>(row) * columns + column];
                const float top = g[0] + (g[1] - g[0]) * fx;
                const float bottom = g[columns] + (g[columns + 1] - g[columns]) * fx;
                sharp_[static_cast<std::size_t>(y) * width + x] += top + (bottom - top) * fy;
            }
        }
    }
    // Hard-edged shapes on top (walls, windows, branches against the sky): edges show a change of
    // blur far more clearly than smooth detail does.
    FastRandom random = FastRandom::stream(options.seed, 0xED6E);
    const unsigned shapes = width * height / 2000;
    for (unsigned n = 0; n < shapes; ++n) {
        const double size = 4.0 * std::pow(2.0, random.uniform() * 6.0);  // 4 .. 256 px, as many per octave
        const auto w = static_cast<unsigned>(size * (0.3 + random.uniform()));
        const auto h = static_cast<unsigned>(size * (0.3 + random.uniform()));
        const auto left = static_cast<unsigned>(random.uniform() * width);
        const auto top = static_cast<unsigned>(random.uniform() * height);
        const auto step = static_cast<float>((random.uniform() - 0.5) * 90.0);
        for (unsigned y = top; y < std::min(height, top + h); ++y)
            for (unsigned x = left; x < std::min(width, left + w); ++x)
                sharp_[static_cast<std::size_t>(y) * width + x] += step;
    }
    for (float& level : sharp_) level = std::clamp(level, 8.0f, 247.0f);
}

imaging::Image8 FocusTarget::render(double distance_in_travels, std::uint64_t frame) const {
    const unsigned width = options_.width, height = options_.height;
    std::vector<float> image = sharp_;
    // A tent of two box passes of radius r has about the spread of a disc of radius 1.4 r.
    const double radius = (0.6 + options_.blur_at_full_travel * std::abs(distance_in_travels)) / 1.4;
    const double capped = std::min(radius, static_cast<double>(std::min(width, height)) / 2.0 - 1.0);
    std::vector<float> scratch;
    for (int pass = 0; pass < 2; ++pass) {
        for (unsigned y = 0; y < height; ++y)
            boxPass(&image[static_cast<std::size_t>(y) * width], width, 1, capped, scratch);
        for (unsigned x = 0; x < width; ++x) boxPass(&image[x], height, width, capped, scratch);
    }
    return withSensorNoise(image, width, height, options_.seed ^ frame, options_.noise_sigma);
}

imaging::Image8 withSensorNoise(const std::vector<float>& image, unsigned width, unsigned height, std::uint64_t seed,
                                double sigma) {
    imaging::Image8 out;
    out.width = width;
    out.height = height;
    out.components = 1;
    out.samples.resize(image.size());
    for (unsigned y = 0; y < height; ++y) {
        FastRandom random = FastRandom::stream(seed, y);
        for (unsigned x = 0; x < width; ++x) {
            // A sum of four uniforms: close enough to Gaussian noise, and cheap.
            const double noise = (random.uniform() + random.uniform() + random.uniform() + random.uniform() - 2.0) *
                                 sigma * 1.732;
            const std::size_t i = static_cast<std::size_t>(y) * width + x;
            out.samples[i] = static_cast<std::uint8_t>(std::clamp(std::lround(image[i] + noise), 0L, 255L));
        }
    }
    return out;
}

}  // namespace sonyalpaca::ptp::sim

namespace sonyalpaca::ptp::sim {

StarView::StarView(const Options& options) : options_(options) {
    if (options.width < 16 || options.height < 16 || options.width > 4096 || options.height > 4096)
        throw std::invalid_argument("star view size must be 16..4096 pixels a side");
    FastRandom random = FastRandom::stream(options.seed, 0x57A2);
    stars_.resize(options.stars);
    for (Star& star : stars_) {
        star.x = 8.0 + random.uniform() * (options.width - 16.0);
        star.y = 8.0 + random.uniform() * (options.height - 16.0);
        // Log-uniform over a factor of 100: many faint stars, a few bright ones that saturate at focus.
        star.flux = 150.0 * std::pow(100.0, random.uniform());
    }
}

imaging::Image8 StarView::render(double distance_in_travels, std::uint64_t frame) const {
    const unsigned width = options_.width, height = options_.height;
    std::vector<float> image(static_cast<std::size_t>(width) * height, static_cast<float>(options_.sky_level));
    // At focus a star is about a pixel wide; its radius grows as FocusTarget's blur does.
    const double sigma = 0.55 + 0.5 * options_.blur_at_full_travel * std::abs(distance_in_travels);
    const int reach = static_cast<int>(std::ceil(3.5 * sigma));
    std::vector<float> across(static_cast<std::size_t>(2 * reach + 1));
    std::vector<float> down(across.size());
    for (const Star& star : stars_) {
        const int cx = static_cast<int>(std::lround(star.x));
        const int cy = static_cast<int>(std::lround(star.y));
        for (int d = -reach; d <= reach; ++d) {
            const double dx = cx + d - star.x;
            const double dy = cy + d - star.y;
            across[static_cast<std::size_t>(d + reach)] = static_cast<float>(std::exp(-dx * dx / (2 * sigma * sigma)));
            down[static_cast<std::size_t>(d + reach)] = static_cast<float>(std::exp(-dy * dy / (2 * sigma * sigma)));
        }
        const auto peak = static_cast<float>(star.flux / (2.0 * 3.14159265358979 * sigma * sigma));
        for (int j = -reach; j <= reach; ++j) {
            const int y = cy + j;
            if (y < 0 || y >= static_cast<int>(height)) continue;
            const float row = peak * down[static_cast<std::size_t>(j + reach)];
            float* line = &image[static_cast<std::size_t>(y) * width];
            for (int i = -reach; i <= reach; ++i) {
                const int x = cx + i;
                if (x >= 0 && x < static_cast<int>(width)) line[x] += row * across[static_cast<std::size_t>(i + reach)];
            }
        }
    }
    return withSensorNoise(image, width, height, options_.seed ^ frame, options_.noise_sigma);
}

}  // namespace sonyalpaca::ptp::sim
