// SPDX-License-Identifier: GPL-3.0-or-later
#include "ptp/sim/sky/SkyRenderer.hpp"

#include "ptp/sim/sky/FastRandom.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace sonyalpaca::ptp::sim {

namespace {

constexpr std::array<double, 3> kSkyColour{0.8, 1.0, 0.55};
constexpr double kFaintestContributionE = 0.05;  // a star ends where it adds less than this
constexpr double kFwhmPerSigma = 2.3548200450309493;
constexpr std::uint64_t kIndexMask = NoiseTables::kSize - 1;

void require(bool ok, const char* name, double value, const char* allowed) {
    if (!ok) {
        throw std::invalid_argument(std::string("sky conditions: ") + name + " is " + std::to_string(value) +
                                    ", allowed " + allowed);
    }
}

/// Fraction of a unit Gaussian (centre c, sigma s) falling on pixel [x, x + 1).
double pixelFraction(double x, double centre, double sigma) {
    const double k = 1.0 / (std::sqrt(2.0) * sigma);
    return 0.5 * (std::erf((x + 1.0 - centre) * k) - std::erf((x - centre) * k));
}

}  // namespace

SkyRenderer::SkyRenderer(const SensorLayout& layout, const SkyConditions& conditions)
    : layout_(layout), conditions_(conditions), field_(layout, conditions) {
    const SkyConditions& c = conditions_;
    require(c.exposure_s > 0.0 && c.exposure_s <= 36000.0, "exposure_s", c.exposure_s, "0 < t <= 36000");
    require(c.iso >= 25 && c.iso <= 409600, "iso", c.iso, "25 to 409600");
    require(c.star_fwhm_px > 0.3 && c.star_fwhm_px <= 200.0, "star_fwhm_px", c.star_fwhm_px, "0.3 < x <= 200");
    require(c.sky_e_per_s >= 0.0 && std::isfinite(c.sky_e_per_s), "sky_e_per_s", c.sky_e_per_s, ">= 0");
    require(c.dark_e_per_s >= 0.0 && std::isfinite(c.dark_e_per_s), "dark_e_per_s", c.dark_e_per_s, ">= 0");
    require(c.read_noise_e >= 0.0 && c.read_noise_e < 1000.0, "read_noise_e", c.read_noise_e, "0 to 1000");
    require(c.read_noise_adu >= 0.0 && c.read_noise_adu < 1000.0, "read_noise_adu", c.read_noise_adu, "0 to 1000");
    require(c.bits == 12 || c.bits == 14, "bits", c.bits, "12 or 14");
    require(c.white_level <= 16383 && c.black_level < c.white_level, "white_level", c.white_level,
            "black_level < white_level <= 16383");

    gain_ = static_cast<double>(c.iso) / 100.0;
    read_noise_adu_ = std::sqrt(c.read_noise_e * gain_ * c.read_noise_e * gain_ + c.read_noise_adu * c.read_noise_adu);
    const NoiseTables::Table& z = NoiseTables::standardNormal();
    for (std::size_t i = 0; i < NoiseTables::kSize; ++i) read_noise_[i] = static_cast<float>(read_noise_adu_ * z[i]);
    for (std::size_t colour = 0; colour < 3; ++colour) {
        background_e_[colour] = (c.sky_e_per_s * kSkyColour[colour] + c.dark_e_per_s) * c.exposure_s;
        const NoiseTables::Table counts = NoiseTables::poisson(background_e_[colour]);
        for (std::size_t i = 0; i < NoiseTables::kSize; ++i) {
            background_adu_[colour][i] = static_cast<float>(c.black_level + gain_ * counts[i]);
        }
    }
    buildStamps();
}

double SkyRenderer::expectedBackgroundAdu(CfaColour c) const noexcept {
    return conditions_.black_level + gain_ * backgroundElectrons(c);
}

void SkyRenderer::buildStamps() {
    const double sigma = conditions_.star_fwhm_px / kFwhmPerSigma;
    const double t = conditions_.exposure_s;
    const double max_radius = std::min(std::ceil(6.0 * sigma) + 2.0, 400.0);
    for (const Star& star : field_.stars()) {
        const double total = star.flux_e_per_s * t;
        const double brightest = total * std::max({1.0, static_cast<double>(star.red), static_cast<double>(star.blue)});
        const double peak = brightest * pixelFraction(-0.5, 0.0, sigma) * pixelFraction(-0.5, 0.0, sigma);
        if (peak < kFaintestContributionE) continue;
        const double radius =
            std::min(std::ceil(sigma * std::sqrt(2.0 * std::log(peak / kFaintestContributionE))) + 1.0, max_radius);
        const double fx0 = std::max(0.0, std::floor(star.x - radius));
        const double fx1 = std::min(static_cast<double>(layout_.raw_width - 1), std::floor(star.x + radius));
        const double fy0 = std::max(0.0, std::floor(star.y - radius));
        const double fy1 = std::min(static_cast<double>(layout_.raw_height - 1), std::floor(star.y + radius));
        if (fx0 > fx1 || fy0 > fy1) continue;
        Stamp stamp{};
        stamp.x0 = static_cast<unsigned>(fx0);
        stamp.x1 = static_cast<unsigned>(fx1);
        stamp.y0 = static_cast<unsigned>(fy0);
        stamp.y1 = static_cast<unsigned>(fy1);
        stamp.electrons = {static_cast<float>(total * star.red), static_cast<float>(total),
                           static_cast<float>(total * star.blue)};
        stamp.gx = profiles_.size();
        for (unsigned x = stamp.x0; x <= stamp.x1; ++x) {
            profiles_.push_back(static_cast<float>(pixelFraction(x, star.x, sigma)));
        }
        stamp.gy = profiles_.size();
        for (unsigned y = stamp.y0; y <= stamp.y1; ++y) {
            profiles_.push_back(static_cast<float>(pixelFraction(y, star.y, sigma)));
        }
        max_stamp_height_ = std::max(max_stamp_height_, stamp.y1 - stamp.y0 + 1);
        stamps_.push_back(stamp);
    }
    std::stable_sort(stamps_.begin(), stamps_.end(), [](const Stamp& a, const Stamp& b) { return a.y0 < b.y0; });
}

void SkyRenderer::renderRow(unsigned y, float* row) const {
    const unsigned width = layout_.raw_width;
    FastRandom random = FastRandom::stream(conditions_.noise_seed, y);

    // Background: bias, sky and dark signal with Poisson noise, and read noise. Two photosites per draw.
    const std::size_t even_colour = static_cast<std::size_t>(SensorLayout::colourAt(0, y));
    const std::size_t odd_colour = static_cast<std::size_t>(SensorLayout::colourAt(1, y));
    const float* even_table = background_adu_[even_colour].data();
    const float* odd_table = background_adu_[odd_colour].data();
    const float* noise = read_noise_.data();
    unsigned x = 0;
    for (; x + 1 < width; x += 2) {
        const std::uint64_t r = random.next();
        row[x] = even_table[r & kIndexMask] + noise[(r >> 12) & kIndexMask];
        row[x + 1] = odd_table[(r >> 32) & kIndexMask] + noise[(r >> 44) & kIndexMask];
    }
    if (x < width) {
        const std::uint64_t r = random.next();
        row[x] = even_table[r & kIndexMask] + noise[(r >> 12) & kIndexMask];
    }

    // Stars: Poisson signal in the normal approximation, λ + sqrt(λ)·z electrons.
    const NoiseTables::Table& z = NoiseTables::standardNormal();
    const auto gain = static_cast<float>(gain_);
    const unsigned reach = max_stamp_height_;
    auto first = std::lower_bound(stamps_.begin(), stamps_.end(), y >= reach ? y - reach + 1 : 0U,
                                  [](const Stamp& s, unsigned v) { return s.y0 < v; });
    std::uint64_t bits = 0;
    unsigned bits_left = 0;
    auto nextNormal = [&]() {
        if (bits_left == 0) {
            bits = random.next();
            bits_left = 5;
        }
        const float value = z[bits & kIndexMask];
        bits >>= 12;
        --bits_left;
        return value;
    };
    for (auto stamp = first; stamp != stamps_.end() && stamp->y0 <= y; ++stamp) {
        if (y > stamp->y1) continue;
        const float gy = profiles_[stamp->gy + (y - stamp->y0)];
        const float* gx = profiles_.data() + stamp->gx;
        const std::array<float, 2> amplitude{
            stamp->electrons[static_cast<std::size_t>(SensorLayout::colourAt(0, y))] * gy,
            stamp->electrons[static_cast<std::size_t>(SensorLayout::colourAt(1, y))] * gy};
        if (std::max(amplitude[0], amplitude[1]) < static_cast<float>(kFaintestContributionE) * 0.2F) continue;
        for (unsigned px = stamp->x0; px <= stamp->x1; ++px) {
            const float lambda = amplitude[px & 1U] * gx[px - stamp->x0];
            row[px] += gain * (lambda + std::sqrt(lambda) * nextNormal());
        }
    }

    // Hot pixels.
    const auto& hot = field_.hotPixels();
    auto h = std::lower_bound(hot.begin(), hot.end(), y, [](const HotPixel& p, unsigned v) { return p.y < v; });
    for (; h != hot.end() && h->y == y; ++h) {
        const auto lambda = static_cast<float>(h->e_per_s * conditions_.exposure_s);
        row[h->x] += gain * (lambda + std::sqrt(lambda) * nextNormal());
    }
}

void SkyRenderer::renderRows(unsigned first_row, unsigned row_count, std::span<std::uint16_t> out) const {
    const unsigned width = layout_.raw_width;
    if (first_row > layout_.raw_height || row_count > layout_.raw_height - first_row) {
        throw std::invalid_argument("renderRows: rows " + std::to_string(first_row) + "+" + std::to_string(row_count) +
                                    " leave the frame of " + std::to_string(layout_.raw_height) + " rows");
    }
    if (out.size() != static_cast<std::size_t>(row_count) * width) {
        throw std::invalid_argument("renderRows: output holds " + std::to_string(out.size()) + " values, need " +
                                    std::to_string(static_cast<std::size_t>(row_count) * width));
    }
    std::vector<float> row(width);
    const auto white = static_cast<float>(conditions_.white_level);
    const bool twelve_bits = conditions_.bits == 12;
    for (unsigned i = 0; i < row_count; ++i) {
        renderRow(first_row + i, row.data());
        std::uint16_t* target = out.data() + static_cast<std::size_t>(i) * width;
        for (unsigned x = 0; x < width; ++x) {
            float v = std::clamp(row[x], 0.0F, white);
            if (twelve_bits) v *= 0.25F;
            auto value = static_cast<unsigned>(v + 0.5F);
            if (twelve_bits) value = std::min(value * 4U, conditions_.white_level & ~3U);
            target[x] = static_cast<std::uint16_t>(value);
        }
    }
}

RawImage SkyRenderer::render() const {
    RawImage image;
    image.layout = layout_;
    image.black_level = conditions_.black_level;
    image.white_level = conditions_.white_level;
    image.bits = conditions_.bits;
    image.pixels.resize(layout_.pixelCount());
    renderRows(0, layout_.raw_height, image.pixels);
    return image;
}

RawImage renderSky(const SensorLayout& layout, const SkyConditions& conditions) {
    return SkyRenderer(layout, conditions).render();
}

}  // namespace sonyalpaca::ptp::sim
