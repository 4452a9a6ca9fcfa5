// SPDX-License-Identifier: GPL-3.0-or-later
#include "imaging/FrameStats.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <iterator>
#include <numbers>
#include <stdexcept>
#include <utility>

namespace sonyalpaca::imaging {
namespace {

constexpr double kMadToSigma = 1.4826;         // a normal distribution's sigma from its median absolute deviation
constexpr std::size_t kMaxSamples = 1u << 18;  // cells sampled for the background
constexpr int kBlock = 32;                     // cells per side of a block of the sky map (64 photosites)
constexpr int kBlockStride = 3;                // the sky map samples every third cell of every third row
constexpr unsigned kMaxBins = 64;              // histogram bins per colour, at most
constexpr std::size_t kMaxGroupCells = 4096;   // a larger group above the threshold is no star
constexpr double kHotShare = 0.15;             // a star's 8 neighbour cells hold at least this share of its peak
constexpr double kHotSigmas = 6;               // ... and at least this many noise sigmas
constexpr double kHotPhotosites = 0.8;         // two photosites hold less of a star's 3x3 cells' excess
constexpr double kApertureHwhm = 3.5;          // aperture radius in half widths at half maximum
constexpr int kMinAperture = 3;                // cells
constexpr int kMaxAperture = 24;               // cells: a star of HFR up to about 15 photosites fits whole
constexpr int kRingInner = 2;                  // the background ring: aperture + 2 ..
constexpr int kRingOuter = 5;                  //   .. aperture + 5 cells
constexpr double kArcsecPerRadianOver1000 = 206.265;  // µm of pixel over mm of focal length

/// The sky as cells: each value the sum of the four photosites of one 2x2 RGGB cell, shifted right
/// by `shift` so that four full-scale photosites fit 16 bits (no shift for 14-bit data).
struct CellImage {
    int width = 0;
    int height = 0;
    unsigned shift = 0;
    std::vector<std::uint16_t> sums;

    std::uint16_t at(int x, int y) const noexcept {
        return sums[static_cast<std::size_t>(y) * static_cast<std::size_t>(width) + static_cast<std::size_t>(x)];
    }
    /// ADU of a photosite's mean per unit of `sums`.
    double aduPerUnit() const noexcept { return static_cast<double>(1u << shift) / 4.0; }
};

/// The smallest shift that brings `value` to at most `limit`.
unsigned shiftBelow(unsigned long value, unsigned long limit) noexcept {
    unsigned shift = 0;
    while ((value >> shift) > limit) ++shift;
    return shift;
}

/// The one pass over the mosaic: histograms, clipped photosites and the cell image.
CellImage scanMosaic(const Frame& image, unsigned max_adu, FrameStats& stats) {
    CellImage cells;
    cells.width = static_cast<int>(image.width / 2);
    cells.height = static_cast<int>(image.height / 2);
    cells.shift = shiftBelow(4ul * max_adu, 0xFFFFul);
    cells.sums.resize(static_cast<std::size_t>(cells.width) * static_cast<std::size_t>(cells.height));

    const unsigned bin_shift = shiftBelow(max_adu, kMaxBins - 1);
    const std::size_t bins = (max_adu >> bin_shift) + 1;
    // Two green tables, so that the two greens of a cell do not wait on each other's count.
    std::vector<std::uint32_t> red(bins), green_a(bins), green_b(bins), blue(bins);
    const unsigned clip = stats.clip_level;
    const unsigned sum_shift = cells.shift;
    std::size_t clipped = 0;
    const std::size_t stride = image.width;
    for (int cy = 0; cy < cells.height; ++cy) {
        const std::uint16_t* top = image.pixels.data() + static_cast<std::size_t>(2 * cy) * stride;
        const std::uint16_t* bottom = top + stride;
        std::uint16_t* out = cells.sums.data() + static_cast<std::size_t>(cy) * static_cast<std::size_t>(cells.width);
        std::size_t row_clipped = 0;
        for (int cx = 0; cx < cells.width; ++cx) {
            const unsigned r = std::min<unsigned>(top[2 * cx], max_adu);
            const unsigned g1 = std::min<unsigned>(top[2 * cx + 1], max_adu);
            const unsigned g2 = std::min<unsigned>(bottom[2 * cx], max_adu);
            const unsigned b = std::min<unsigned>(bottom[2 * cx + 1], max_adu);
            ++red[r >> bin_shift];
            ++green_a[g1 >> bin_shift];
            ++green_b[g2 >> bin_shift];
            ++blue[b >> bin_shift];
            row_clipped += static_cast<unsigned>(r >= clip) + static_cast<unsigned>(g1 >= clip) +
                           static_cast<unsigned>(g2 >= clip) + static_cast<unsigned>(b >= clip);
            out[cx] = static_cast<std::uint16_t>((r + g1 + g2 + b) >> sum_shift);
        }
        clipped += row_clipped;
    }
    ColourHistogram& h = stats.histogram;
    h.bin_width = 1u << bin_shift;
    h.red.assign(red.begin(), red.end());
    h.blue.assign(blue.begin(), blue.end());
    h.green.resize(bins);
    for (std::size_t i = 0; i < bins; ++i) h.green[i] = std::uint64_t{green_a[i]} + green_b[i];
    const std::size_t counted = 4 * cells.sums.size();
    stats.clipped_fraction = counted > 0 ? static_cast<double>(clipped) / static_cast<double>(counted) : 0.0;
    return cells;
}

/// The median of integer data, read as a continuous quantity that the data rounded: the values equal
/// to the median spread evenly over its unit step. With `folded`, the values are distances from a
/// centre, so the step of 0 is [0, 0.5). Reorders `values`; exact for data of one value.
double interpolatedMedian(std::vector<std::uint16_t>& values, bool folded) {
    const std::size_t half = values.size() / 2;
    std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(half), values.end());
    const std::uint16_t median = values[half];
    std::size_t below = 0;
    std::size_t equal = 0;
    for (const std::uint16_t v : values) {
        below += v < median ? 1 : 0;
        equal += v == median ? 1 : 0;
    }
    if (equal == values.size()) return median;
    const double share = (static_cast<double>(values.size()) / 2.0 - static_cast<double>(below)) /
                         static_cast<double>(equal);
    if (folded && median == 0) return 0.5 * share;
    return median - 0.5 + share;
}

/// The sky's level and noise in cell units, from an evenly spread sample of the cells: the level is
/// the sample's median; the noise is 1.4826 times the median absolute difference between each sampled
/// cell and the next one in its row, divided by √2 (the difference of two cells has √2 times their
/// noise), so that a gradient (light pollution, vignetting), which barely differs from cell to cell,
/// is not taken for noise.
std::pair<double, double> skyLevel(const CellImage& cells) {
    std::size_t step = std::max<std::size_t>(1, (cells.sums.size() + kMaxSamples - 1) / kMaxSamples);
    if (step > 1 && step % 2 == 0) ++step;  // odd: the sample walks across the columns, not down a few
    std::vector<std::uint16_t> sample;
    std::vector<std::uint16_t> differences;
    sample.reserve(cells.sums.size() / step + 1);
    differences.reserve(cells.sums.size() / step + 1);
    const auto width = static_cast<std::size_t>(cells.width);
    for (std::size_t i = 0; i < cells.sums.size(); i += step) {
        sample.push_back(cells.sums[i]);
        if ((i + 1) % width != 0)
            differences.push_back(static_cast<std::uint16_t>(std::abs(int{cells.sums[i + 1]} - int{cells.sums[i]})));
    }
    const double level = interpolatedMedian(sample, false);
    const double noise =
        differences.empty() ? 0.0 : kMadToSigma * interpolatedMedian(differences, true) / std::numbers::sqrt2;
    return {level, noise};
}

/// The sky under the stars, block by block, in cell units: each block's level is the median of its
/// sample, then the median of the levels of the 3x3 blocks around it (a bright star or a galaxy does
/// not lift its block). Stars on the bright side of a gradient (light pollution, vignetting) are
/// found against their own block's sky.
struct SkyMap {
    int columns = 0;
    int rows = 0;
    std::vector<double> level;  ///< per block, row by row

    double at(int x, int y) const noexcept {
        return level[static_cast<std::size_t>(y / kBlock) * static_cast<std::size_t>(columns) +
                     static_cast<std::size_t>(x / kBlock)];
    }
};

SkyMap mapSky(const CellImage& cells) {
    SkyMap map;
    map.columns = (cells.width + kBlock - 1) / kBlock;
    map.rows = (cells.height + kBlock - 1) / kBlock;
    const auto blocks = static_cast<std::size_t>(map.columns) * static_cast<std::size_t>(map.rows);
    std::vector<double> own(blocks);
    std::vector<std::uint16_t> sample;
    for (int by = 0; by < map.rows; ++by)
        for (int bx = 0; bx < map.columns; ++bx) {
            sample.clear();
            for (int y = by * kBlock; y < std::min((by + 1) * kBlock, cells.height); y += kBlockStride)
                for (int x = bx * kBlock; x < std::min((bx + 1) * kBlock, cells.width); x += kBlockStride)
                    sample.push_back(cells.at(x, y));
            const std::size_t i = static_cast<std::size_t>(by) * static_cast<std::size_t>(map.columns) +
                                  static_cast<std::size_t>(bx);
            own[i] = interpolatedMedian(sample, false);
        }
    map.level.resize(blocks);
    std::vector<double> around;
    for (int by = 0; by < map.rows; ++by)
        for (int bx = 0; bx < map.columns; ++bx) {
            around.clear();
            for (int y = std::max(by - 1, 0); y <= std::min(by + 1, map.rows - 1); ++y)
                for (int x = std::max(bx - 1, 0); x <= std::min(bx + 1, map.columns - 1); ++x)
                    around.push_back(own[static_cast<std::size_t>(y) * static_cast<std::size_t>(map.columns) +
                                         static_cast<std::size_t>(x)]);
            const auto middle = around.begin() + static_cast<std::ptrdiff_t>(around.size() / 2);
            std::nth_element(around.begin(), middle, around.end());
            map.level[static_cast<std::size_t>(by) * static_cast<std::size_t>(map.columns) +
                      static_cast<std::size_t>(bx)] = *middle;
        }
    return map;
}

/// A star as found: its brightest cell and how bright it is.
struct Peak {
    int x = 0;
    int y = 0;
    std::uint16_t value = 0;
    double sky = 0;  ///< the sky map's level there
    bool saturated = false;
};

/// Joins the cells above the threshold of their block (`thresholds`, as the sky map's blocks) into
/// 8-connected groups and keeps each group's brightest cell. Groups of more than kMaxGroupCells cells
/// are left out.
std::vector<Peak> findGroups(const CellImage& cells, const SkyMap& map, const std::vector<std::uint16_t>& thresholds) {
    auto threshold = [&](int x, int y) {
        return thresholds[static_cast<std::size_t>(y / kBlock) * static_cast<std::size_t>(map.columns) +
                          static_cast<std::size_t>(x / kBlock)];
    };
    std::vector<Peak> peaks;
    std::vector<std::uint8_t> seen;  // allocated at the first cell above the threshold
    std::vector<std::pair<int, int>> todo;
    for (int y = 0; y < cells.height; ++y) {
        const std::uint16_t* row = cells.sums.data() +
                                   static_cast<std::size_t>(y) * static_cast<std::size_t>(cells.width);
        const std::uint16_t* row_thresholds = thresholds.data() + static_cast<std::size_t>(y / kBlock) *
                                                                      static_cast<std::size_t>(map.columns);
        for (int x = 0; x < cells.width; ++x) {
            if (row[x] <= row_thresholds[x / kBlock]) continue;
            if (seen.empty()) seen.resize(cells.sums.size(), 0);
            const std::size_t index = static_cast<std::size_t>(y) * static_cast<std::size_t>(cells.width) +
                                      static_cast<std::size_t>(x);
            if (seen[index] != 0) continue;
            seen[index] = 1;
            Peak peak{x, y, row[x], 0, false};
            std::size_t size = 0;
            todo.assign(1, {x, y});
            while (!todo.empty()) {
                const auto [px, py] = todo.back();
                todo.pop_back();
                ++size;
                const std::uint16_t v = cells.at(px, py);
                if (v > peak.value) peak = {px, py, v, 0, false};
                for (int ny = std::max(py - 1, 0); ny <= std::min(py + 1, cells.height - 1); ++ny)
                    for (int nx = std::max(px - 1, 0); nx <= std::min(px + 1, cells.width - 1); ++nx) {
                        const std::size_t n = static_cast<std::size_t>(ny) * static_cast<std::size_t>(cells.width) +
                                              static_cast<std::size_t>(nx);
                        if (seen[n] == 0 && cells.sums[n] > threshold(nx, ny)) {
                            seen[n] = 1;
                            todo.emplace_back(nx, ny);
                        }
                    }
            }
            peak.sky = map.at(peak.x, peak.y);
            if (size <= kMaxGroupCells) peaks.push_back(peak);
        }
    }
    return peaks;
}

/// A hot pixel or a cosmic ray (or two next to each other): the cells around the peak hold (almost)
/// nothing of it, or one or two photosites hold almost all of the 3x3 cells' excess.
bool isHotPixel(const Frame& image, const CellImage& cells, const Peak& peak, double noise) {
    const double level = peak.sky;
    double around = 0;
    int count = 0;
    for (int y = std::max(peak.y - 1, 0); y <= std::min(peak.y + 1, cells.height - 1); ++y)
        for (int x = std::max(peak.x - 1, 0); x <= std::min(peak.x + 1, cells.width - 1); ++x)
            if (x != peak.x || y != peak.y) {
                around += cells.at(x, y) - level;
                ++count;
            }
    if (count == 0 || around < std::max(kHotShare * (peak.value - level), kHotSigmas * noise)) return true;

    // The same cells photosite by photosite, in ADU.
    const double photosite_level = level * cells.aduPerUnit();
    double total = 0;
    double first = 0;
    double second = 0;
    for (int y = 2 * std::max(peak.y - 1, 0); y < 2 * std::min(peak.y + 2, cells.height); ++y)
        for (int x = 2 * std::max(peak.x - 1, 0); x < 2 * std::min(peak.x + 2, cells.width); ++x) {
            const double excess = image.at(static_cast<unsigned>(x), static_cast<unsigned>(y)) - photosite_level;
            total += excess;
            if (excess > first) {
                second = first;
                first = excess;
            } else if (excess > second) {
                second = excess;
            }
        }
    return !(total > 0) || first + second > kHotPhotosites * total;
}

/// Any photosite of the 3x3 cells around the peak at the clip level.
bool isClipped(const Frame& image, const Peak& peak, unsigned clip) {
    const int x0 = std::max(2 * peak.x - 2, 0);
    const int x1 = std::min(2 * peak.x + 4, static_cast<int>(image.width));
    const int y0 = std::max(2 * peak.y - 2, 0);
    const int y1 = std::min(2 * peak.y + 4, static_cast<int>(image.height));
    for (int y = y0; y < y1; ++y)
        for (int x = x0; x < x1; ++x)
            if (image.at(static_cast<unsigned>(x), static_cast<unsigned>(y)) >= clip) return true;
    return false;
}

/// Where the profile along one direction from the peak falls below `half`, in cells (interpolated).
double halfWidth(const CellImage& cells, const Peak& peak, int dx, int dy, double half) {
    double previous = peak.value;
    for (int i = 1; i <= kMaxAperture; ++i) {
        const int x = peak.x + i * dx;
        const int y = peak.y + i * dy;
        if (x < 0 || y < 0 || x >= cells.width || y >= cells.height) return i;
        const double v = cells.at(x, y);
        if (v < half) return i - 1 + (previous - half) / (previous - v);
        previous = v;
    }
    return kMaxAperture;
}

/// The stars' peaks sorted by row, to find a star's neighbours.
class PeakIndex {
public:
    explicit PeakIndex(const std::vector<Peak>& peaks) {
        points_.reserve(peaks.size());
        for (const Peak& p : peaks) points_.emplace_back(p.y, p.x);
        std::sort(points_.begin(), points_.end());
    }
    /// Another peak than (x, y) within `radius` cells.
    bool anyNear(int x, int y, int radius) const {
        auto it = std::lower_bound(points_.begin(), points_.end(), std::pair{y - radius, x - radius - 1});
        for (; it != points_.end() && it->first <= y + radius; ++it) {
            const int dx = it->second - x;
            const int dy = it->first - y;
            if ((dx != 0 || dy != 0) && dx * dx + dy * dy <= radius * radius) return true;
        }
        return false;
    }

private:
    std::vector<std::pair<int, int>> points_;  // (y, x)
};

/// The HFR of one star in cells; nothing when it cannot be measured here.
std::optional<double> measureStar(const CellImage& cells, const Peak& peak, const PeakIndex& index,
                                  std::vector<double>& ring) {
    const double half = peak.sky + 0.5 * (peak.value - peak.sky);
    const double hwhm = (halfWidth(cells, peak, 1, 0, half) + halfWidth(cells, peak, -1, 0, half) +
                         halfWidth(cells, peak, 0, 1, half) + halfWidth(cells, peak, 0, -1, half)) /
                        4.0;
    const int radius = std::clamp(static_cast<int>(std::ceil(kApertureHwhm * hwhm)), kMinAperture, kMaxAperture);
    const int outer = radius + kRingOuter;
    if (peak.x < outer || peak.y < outer || peak.x + outer >= cells.width || peak.y + outer >= cells.height)
        return std::nullopt;
    if (index.anyNear(peak.x, peak.y, outer)) return std::nullopt;

    ring.clear();
    const int inner = radius + kRingInner;
    for (int dy = -outer; dy <= outer; ++dy)
        for (int dx = -outer; dx <= outer; ++dx) {
            const int r2 = dx * dx + dy * dy;
            if (r2 > inner * inner && r2 <= outer * outer) ring.push_back(cells.at(peak.x + dx, peak.y + dy));
        }
    const auto middle = ring.begin() + static_cast<std::ptrdiff_t>(ring.size() / 2);
    std::nth_element(ring.begin(), middle, ring.end());
    const double local = *middle;

    double flux = 0;
    double sx = 0;
    double sy = 0;
    for (int dy = -radius; dy <= radius; ++dy)
        for (int dx = -radius; dx <= radius; ++dx) {
            if (dx * dx + dy * dy > radius * radius) continue;
            const double f = cells.at(peak.x + dx, peak.y + dy) - local;
            flux += f;
            sx += f * dx;
            sy += f * dy;
        }
    if (!(flux > 0)) return std::nullopt;
    const double cx = sx / flux;
    const double cy = sy / flux;
    double weighted = 0;
    for (int dy = -radius; dy <= radius; ++dy)
        for (int dx = -radius; dx <= radius; ++dx) {
            if (dx * dx + dy * dy > radius * radius) continue;
            const double f = cells.at(peak.x + dx, peak.y + dy) - local;
            weighted += f * std::hypot(dx - cx, dy - cy);
        }
    const double hfr = weighted / flux;
    if (!std::isfinite(hfr) || hfr <= 0) return std::nullopt;
    return hfr;
}

}  // namespace

std::optional<double> pixelsToArcsec(double pixels, double pixel_um, double focal_length_mm) noexcept {
    if (!(pixel_um > 0) || !(focal_length_mm > 0)) return std::nullopt;
    return pixels * pixel_um / focal_length_mm * kArcsecPerRadianOver1000;
}

FrameStats computeFrameStats(const RawFrame& frame, const FrameStatsOptions& options) {
    const Frame& image = frame.image;
    if (image.width < 2 || image.height < 2)
        throw std::invalid_argument("frame statistics need a frame of at least 2x2 photosites");
    if (image.pixels.size() != image.pixelCount())
        throw std::invalid_argument("the frame's pixel count does not match its size");
    const RawMetadata& m = frame.metadata;
    const unsigned max_adu = m.max_adu > 0 ? m.max_adu : 0xFFFFu;

    FrameStats stats;
    stats.clip_level = m.white_level > 0 && m.white_level <= max_adu ? m.white_level : max_adu;
    const CellImage cells = scanMosaic(image, max_adu, stats);

    const double adu = cells.aduPerUnit();
    const auto [level, noise] = skyLevel(cells);
    stats.background_adu = level * adu - m.black_level;
    stats.noise_adu = noise * adu;
    const SkyMap map = mapSky(cells);

    std::vector<std::uint16_t> thresholds(map.level.size());
    for (std::size_t i = 0; i < thresholds.size(); ++i)
        thresholds[i] = static_cast<std::uint16_t>(
            std::min(std::floor(map.level[i] + std::max(options.detect_sigmas * noise, 1.0)), 65535.0));
    std::vector<Peak> stars = findGroups(cells, map, thresholds);
    std::erase_if(stars, [&](const Peak& p) { return isHotPixel(image, cells, p, noise); });
    for (Peak& p : stars) {
        p.saturated = isClipped(image, p, stats.clip_level);
        stats.saturated += p.saturated ? 1 : 0;
    }
    stats.stars = stars.size();

    const PeakIndex index(stars);
    std::vector<Peak> candidates;
    std::copy_if(stars.begin(), stars.end(), std::back_inserter(candidates),
                 [](const Peak& p) { return !p.saturated; });
    std::sort(candidates.begin(), candidates.end(), [](const Peak& a, const Peak& b) { return a.value > b.value; });
    std::vector<double> radii;
    std::vector<double> ring;
    for (const Peak& p : candidates) {
        if (radii.size() >= options.max_measured) break;
        if (const auto hfr = measureStar(cells, p, index, ring)) radii.push_back(2.0 * *hfr);
    }
    stats.measured = radii.size();
    if (!radii.empty()) {
        const auto middle = radii.begin() + static_cast<std::ptrdiff_t>(radii.size() / 2);
        std::nth_element(radii.begin(), middle, radii.end());
        double median = *middle;
        if (radii.size() % 2 == 0) median = (median + *std::max_element(radii.begin(), middle)) / 2.0;
        stats.median_hfr_px = median;
        stats.median_hfr_arcsec = pixelsToArcsec(median, options.pixel_um, options.focal_length_mm);
    }
    return stats;
}

}  // namespace sonyalpaca::imaging
