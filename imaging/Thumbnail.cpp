// SPDX-License-Identifier: GPL-3.0-or-later
#include "imaging/Thumbnail.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

namespace sonyalpaca::imaging {
namespace {

constexpr std::size_t kMaxSamples = 65536;
constexpr double kMadToSigma = 1.4826;  // a normal distribution's sigma from its median absolute deviation
constexpr int kSolverSteps = 60;        // bisection steps for the stretch; each halves a bracket of e^23

/// The black and white points and the asinh strength of one channel.
struct Stretch {
    double black = 0;
    double white = 1;
    double beta = 0;  ///< 0: linear

    std::uint8_t operator()(float value) const noexcept {
        double x = (static_cast<double>(value) - black) / (white - black);
        x = std::clamp(x, 0.0, 1.0);
        const double y = beta > 0 ? std::asinh(beta * x) / std::asinh(beta) : x;
        return static_cast<std::uint8_t>(std::lround(y * 255.0));
    }
};

double percentile(const std::vector<float>& sorted, double percent) {
    const double at = percent / 100.0 * static_cast<double>(sorted.size() - 1);
    return sorted[static_cast<std::size_t>(std::lround(std::clamp(at, 0.0, static_cast<double>(sorted.size() - 1))))];
}

/// The asinh strength that maps `x` (0 < x < target) to `target`: asinh(b·x)/asinh(b) grows from x
/// (b → 0) towards 1 (b → ∞), so a bisection on log b finds it.
double asinhStrength(double x, double target) {
    if (!(x < target)) return 0;  // the sky is bright already: stay linear
    x = std::max(x, 1e-5);
    double low = std::log(1e-3);
    double high = std::log(1e7);
    for (int i = 0; i < kSolverSteps; ++i) {
        const double mid = (low + high) / 2;
        const double beta = std::exp(mid);
        if (std::asinh(beta * x) / std::asinh(beta) < target)
            low = mid;
        else
            high = mid;
    }
    return std::exp((low + high) / 2);
}

Stretch stretchFor(const std::vector<float>& plane, const ThumbnailOptions& options) {
    const std::size_t step = std::max<std::size_t>(1, (plane.size() + kMaxSamples - 1) / kMaxSamples);
    std::vector<float> sample;
    sample.reserve(plane.size() / step + 1);
    for (std::size_t i = 0; i < plane.size(); i += step) sample.push_back(plane[i]);
    std::sort(sample.begin(), sample.end());
    const double median = percentile(sample, 50);
    std::vector<float> deviations(sample.size());
    std::transform(sample.begin(), sample.end(), deviations.begin(),
                   [median](float v) { return static_cast<float>(std::abs(v - median)); });
    std::sort(deviations.begin(), deviations.end());
    const double sigma = kMadToSigma * percentile(deviations, 50);

    Stretch s;
    s.black = std::max(percentile(sample, 0.1), median - options.black_sigmas * sigma);
    // A frame of sky noise with few stars has only noise at its 99.9th percentile: keep the white
    // point well above the noise, or the stretch shows nothing but noise. A flat channel: one ADU.
    s.white =
        std::max({percentile(sample, options.white_percentile), median + options.white_sigmas * sigma, median + 1});
    if (s.black >= s.white) s.black = s.white - 1;
    s.beta = asinhStrength((median - s.black) / (s.white - s.black), options.background);
    return s;
}

}  // namespace

Image8 makeThumbnail(const RawFrame& frame, const ThumbnailOptions& options) {
    const Frame& image = frame.image;
    if (image.pixels.size() != image.pixelCount())
        throw std::invalid_argument("the frame holds " + std::to_string(image.pixels.size()) + " pixels, not " +
                                    std::to_string(image.width) + "x" + std::to_string(image.height));
    return makeThumbnail(MosaicView{image.pixels.data(), image.width, image.height, image.width}, options);
}

Image8 makeThumbnail(const MosaicView& mosaic, const ThumbnailOptions& options) {
    if (mosaic.width < 2 || mosaic.height < 2)
        throw std::invalid_argument("a thumbnail needs a frame of at least 2x2 pixels, not " +
                                    std::to_string(mosaic.width) + "x" + std::to_string(mosaic.height));
    if (mosaic.pixels == nullptr || mosaic.stride < mosaic.width)
        throw std::invalid_argument("a thumbnail needs pixels with rows at least " + std::to_string(mosaic.width) +
                                    " values apart, not " + std::to_string(mosaic.stride));
    if (options.max_width == 0) throw std::invalid_argument("a thumbnail of width 0 was asked for");

    // Superpixels (2x2 cells), averaged n x n into one thumbnail pixel.
    const unsigned cells_x = mosaic.width / 2;
    const unsigned cells_y = mosaic.height / 2;
    const unsigned n = (cells_x + options.max_width - 1) / options.max_width;
    const unsigned out_w = cells_x / n;
    const unsigned out_h = std::max(1U, cells_y / n);
    const std::size_t out_pixels = static_cast<std::size_t>(out_w) * out_h;
    std::array<std::vector<float>, 3> planes;
    for (auto& plane : planes) plane.resize(out_pixels);

    std::vector<std::uint64_t> sums(static_cast<std::size_t>(out_w) * 3);
    for (unsigned oy = 0; oy < out_h; ++oy) {
        std::fill(sums.begin(), sums.end(), 0);
        const unsigned first = oy * n;
        const unsigned last = std::min(first + n, cells_y);
        for (unsigned cy = first; cy < last; ++cy) {
            const std::uint16_t* top = mosaic.pixels + static_cast<std::size_t>(2 * cy) * mosaic.stride;
            const std::uint16_t* bottom = top + mosaic.stride;
            for (unsigned ox = 0; ox < out_w; ++ox) {
                std::uint64_t r = 0, g = 0, b = 0;
                for (unsigned cx = ox * n, end = cx + n; cx < end; ++cx) {
                    r += top[2 * cx];
                    g += static_cast<std::uint64_t>(top[2 * cx + 1]) + bottom[2 * cx];
                    b += bottom[2 * cx + 1];
                }
                sums[3 * ox] += r;
                sums[3 * ox + 1] += g;
                sums[3 * ox + 2] += b;
            }
        }
        const double cells = static_cast<double>(last - first) * n;
        for (unsigned ox = 0; ox < out_w; ++ox) {
            const std::size_t at = static_cast<std::size_t>(oy) * out_w + ox;
            planes[0][at] = static_cast<float>(static_cast<double>(sums[3 * ox]) / cells);
            planes[1][at] = static_cast<float>(static_cast<double>(sums[3 * ox + 1]) / (2 * cells));
            planes[2][at] = static_cast<float>(static_cast<double>(sums[3 * ox + 2]) / cells);
        }
    }

    Image8 image;
    image.width = out_w;
    image.height = out_h;
    image.components = 3;
    image.samples.resize(out_pixels * 3);
    for (std::size_t c = 0; c < 3; ++c) {
        const Stretch stretch = stretchFor(planes[c], options);
        for (std::size_t i = 0; i < out_pixels; ++i) image.samples[3 * i + c] = stretch(planes[c][i]);
    }
    return image;
}

}  // namespace sonyalpaca::imaging
