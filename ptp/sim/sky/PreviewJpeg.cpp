// SPDX-License-Identifier: GPL-3.0-or-later
#include "ptp/sim/sky/PreviewJpeg.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <stdexcept>

namespace sonyalpaca::ptp::sim {

namespace {

constexpr double kShadowSigmas = 2.8;
constexpr double kTargetMedian = 0.25;
constexpr double kMadToSigma = 1.4826;

/// Median of a copy of `values`.
double median(std::vector<float> values) {
    if (values.empty()) return 0.0;
    const auto middle = values.begin() + static_cast<std::ptrdiff_t>(values.size() / 2);
    std::nth_element(values.begin(), middle, values.end());
    return *middle;
}

/// The midtones transfer function: maps 0 → 0, m → 0.5, 1 → 1.
double midtones(double m, double x) {
    if (x <= 0.0) return 0.0;
    if (x >= 1.0) return 1.0;
    return (m - 1.0) * x / ((2.0 * m - 1.0) * x - m);
}

}  // namespace

JpegImage PreviewJpeg::render(const RawImage& raw, unsigned max_width) {
    raw.validate();
    if (max_width == 0) throw std::invalid_argument("preview max_width must be at least 1");
    const SensorLayout& l = raw.layout;
    const unsigned cells_x = l.crop_width / 2;
    const unsigned cells_y = l.crop_height / 2;
    const unsigned k = std::max(1U, (cells_x + max_width - 1) / max_width);
    const unsigned width = std::max(1U, cells_x / k);
    const unsigned height = std::max(1U, cells_y / k);
    const std::size_t pixels = static_cast<std::size_t>(width) * height;

    // Bin: sums of R, G (two per cell) and B over k x k cells, as linear values 0..1 above black.
    std::array<std::vector<float>, 3> linear;
    for (auto& channel : linear) channel.assign(pixels, 0.0F);
    const double range = static_cast<double>(raw.white_level - raw.black_level);
    std::vector<std::uint32_t> sums(static_cast<std::size_t>(width) * 3);
    for (unsigned oy = 0; oy < height; ++oy) {
        std::fill(sums.begin(), sums.end(), 0U);
        for (unsigned cy = oy * k; cy < (oy + 1) * k && cy < cells_y; ++cy) {
            const std::uint16_t* top = raw.pixels.data() + static_cast<std::size_t>(l.crop_top + 2 * cy) * l.raw_width;
            const std::uint16_t* bottom = top + l.raw_width;
            for (unsigned ox = 0; ox < width; ++ox) {
                std::uint32_t r = 0;
                std::uint32_t g = 0;
                std::uint32_t b = 0;
                for (unsigned cx = ox * k; cx < (ox + 1) * k; ++cx) {
                    const unsigned x = l.crop_left + 2 * cx;
                    r += top[x];
                    g += top[x + 1] + bottom[x];
                    b += bottom[x + 1];
                }
                sums[3 * ox] += r;
                sums[3 * ox + 1] += g;
                sums[3 * ox + 2] += b;
            }
        }
        const double cells = static_cast<double>(k) * k;
        for (unsigned ox = 0; ox < width; ++ox) {
            const std::size_t i = static_cast<std::size_t>(oy) * width + ox;
            for (std::size_t c = 0; c < 3; ++c) {
                const double mean = sums[3 * ox + c] / (c == 1 ? 2.0 * cells : cells);
                linear[c][i] = static_cast<float>(std::clamp((mean - raw.black_level) / range, 0.0, 1.0));
            }
        }
    }

    // Stretch each channel.
    JpegImage image;
    image.width = width;
    image.height = height;
    image.components = 3;
    image.samples.resize(pixels * 3);
    for (std::size_t c = 0; c < 3; ++c) {
        const double med = median(linear[c]);
        std::vector<float> deviation(pixels);
        for (std::size_t i = 0; i < pixels; ++i) deviation[i] = static_cast<float>(std::abs(linear[c][i] - med));
        const double sigma = kMadToSigma * median(std::move(deviation));
        const double shadows = std::clamp(med - kShadowSigmas * sigma, 0.0, 0.99);
        const double med_clipped = std::clamp((med - shadows) / (1.0 - shadows), 1e-6, 1.0);
        const double m = med_clipped * (kTargetMedian - 1.0) /
                         (2.0 * kTargetMedian * med_clipped - kTargetMedian - med_clipped);
        for (std::size_t i = 0; i < pixels; ++i) {
            const double x = (linear[c][i] - shadows) / (1.0 - shadows);
            image.samples[3 * i + c] = static_cast<std::uint8_t>(std::lround(255.0 * midtones(m, x)));
        }
    }
    return image;
}

std::vector<std::uint8_t> PreviewJpeg::encode(const RawImage& raw, unsigned max_width, int quality) {
    return JpegWriter::encode(render(raw, max_width), quality);
}

std::vector<std::uint8_t> previewJpeg(const RawImage& raw, unsigned max_width, int quality) {
    return PreviewJpeg::encode(raw, max_width, quality);
}

}  // namespace sonyalpaca::ptp::sim
