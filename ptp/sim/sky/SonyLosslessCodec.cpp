// SPDX-License-Identifier: GPL-3.0-or-later
#include "ptp/sim/sky/SonyLosslessCodec.hpp"

#include "ptp/sim/sky/LosslessJpeg.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace sonyalpaca::ptp::sim {

namespace {

/// The frame coordinate a tile place stands for: itself inside the frame, else the last column (row)
/// of the same colour phase. `size` is even.
unsigned inside(unsigned at, unsigned size) noexcept { return at < size ? at : size - 2 + (at & 1U); }

}  // namespace

SonyLosslessCodec::SonyLosslessCodec(unsigned predictor, unsigned tile_width, unsigned tile_length)
    : predictor_(predictor), tile_width_(tile_width), tile_length_(tile_length) {
    if (predictor < 1 || predictor > 7) {
        throw std::invalid_argument("Sony lossless codec: predictor " + std::to_string(predictor) + " must be 1 to 7");
    }
    for (unsigned side : {tile_width, tile_length}) {
        if (side < 16 || side > 65520 || side % 16 != 0) {
            throw std::invalid_argument("Sony lossless codec: tile side " + std::to_string(side) +
                                        " must be a multiple of 16 from 16 to 65520");
        }
    }
}

SonyLosslessCodec::Tiles SonyLosslessCodec::encode(const RawImage& image) const {
    image.validate();
    const SensorLayout& l = image.layout;
    if (l.raw_width % 2 != 0 || l.raw_height % 2 != 0) {
        throw std::invalid_argument("Sony lossless codec: raw sides must be even (whole 2x2 blocks), got " +
                                    l.describe());
    }
    for (std::size_t i = 0; i < image.pixels.size(); ++i) {
        if (image.pixels[i] >= 1U << kPrecision) {
            throw std::invalid_argument("Sony lossless codec: value " + std::to_string(image.pixels[i]) + " at (" +
                                        std::to_string(i % l.raw_width) + "," + std::to_string(i / l.raw_width) +
                                        ") exceeds 14 bits");
        }
    }
    Tiles tiles;
    tiles.tile_width = tile_width_;
    tiles.tile_length = tile_length_;
    LosslessJpegImage tile;
    tile.width = tile_width_ / 2;
    tile.height = tile_length_ / 2;
    tile.components = 4;
    tile.precision = kPrecision;
    tile.predictor = predictor_;
    tile.samples.resize(std::size_t{tile.width} * tile.height * 4);
    for (unsigned ty = 0; ty < tilesDown(l); ++ty) {
        for (unsigned tx = 0; tx < tilesAcross(l); ++tx) {
            std::uint16_t* out = tile.samples.data();
            for (unsigned jy = 0; jy < tile.height; ++jy) {
                const unsigned y0 = inside(ty * tile_length_ + 2 * jy, l.raw_height);
                const unsigned y1 = inside(ty * tile_length_ + 2 * jy + 1, l.raw_height);
                const std::uint16_t* row0 = image.pixels.data() + std::size_t{y0} * l.raw_width;
                const std::uint16_t* row1 = image.pixels.data() + std::size_t{y1} * l.raw_width;
                const unsigned left = tx * tile_width_;
                // Places inside the frame, then (on the right edge) the padded ones.
                const unsigned within = std::min(tile.width, (l.raw_width - left) / 2);
                for (unsigned jx = 0; jx < within; ++jx) {
                    const unsigned x = left + 2 * jx;
                    *out++ = row0[x];
                    *out++ = row0[x + 1];
                    *out++ = row1[x];
                    *out++ = row1[x + 1];
                }
                for (unsigned jx = within; jx < tile.width; ++jx) {
                    const unsigned x0 = inside(left + 2 * jx, l.raw_width);
                    const unsigned x1 = inside(left + 2 * jx + 1, l.raw_width);
                    *out++ = row0[x0];
                    *out++ = row0[x1];
                    *out++ = row1[x0];
                    *out++ = row1[x1];
                }
            }
            const std::vector<std::uint8_t> coded = encodeLosslessJpeg(tile);
            tiles.offsets.push_back(tiles.data.size());
            tiles.byte_counts.push_back(coded.size());
            tiles.data.insert(tiles.data.end(), coded.begin(), coded.end());
        }
    }
    tiles.data.shrink_to_fit();
    return tiles;
}

std::vector<std::uint16_t> SonyLosslessCodec::decode(const Tiles& tiles, const SensorLayout& l) const {
    const unsigned across = (l.raw_width + tiles.tile_width - 1) / tiles.tile_width;
    const unsigned down = (l.raw_height + tiles.tile_length - 1) / tiles.tile_length;
    if (tiles.count() != std::size_t{across} * down || tiles.byte_counts.size() != tiles.count()) {
        throw std::runtime_error("Sony lossless tiles: " + std::to_string(tiles.count()) + " tiles for a frame of " +
                                 std::to_string(across) + "x" + std::to_string(down));
    }
    std::vector<std::uint16_t> pixels(l.pixelCount());
    for (unsigned ty = 0; ty < down; ++ty) {
        for (unsigned tx = 0; tx < across; ++tx) {
            const std::size_t index = std::size_t{ty} * across + tx;
            if (tiles.offsets[index] + tiles.byte_counts[index] > tiles.data.size()) {
                throw std::runtime_error("Sony lossless tiles: tile " + std::to_string(index) + " leaves the data");
            }
            const LosslessJpegImage tile =
                decodeLosslessJpeg(std::span(tiles.data).subspan(tiles.offsets[index], tiles.byte_counts[index]));
            if (tile.components != 4 || tile.width * 2 != tiles.tile_width || tile.height * 2 != tiles.tile_length) {
                throw std::runtime_error("Sony lossless tiles: tile " + std::to_string(index) + " is " +
                                         std::to_string(tile.width) + "x" + std::to_string(tile.height) + " with " +
                                         std::to_string(tile.components) + " components");
            }
            const std::uint16_t* in = tile.samples.data();
            for (unsigned jy = 0; jy < tile.height; ++jy) {
                const unsigned y = ty * tiles.tile_length + 2 * jy;
                for (unsigned jx = 0; jx < tile.width; ++jx, in += 4) {
                    const unsigned x = tx * tiles.tile_width + 2 * jx;
                    if (x >= l.raw_width || y >= l.raw_height) continue;
                    std::uint16_t* at = pixels.data() + std::size_t{y} * l.raw_width + x;
                    at[0] = in[0];
                    at[1] = in[1];
                    at[l.raw_width] = in[2];
                    at[l.raw_width + 1] = in[3];
                }
            }
        }
    }
    return pixels;
}

}  // namespace sonyalpaca::ptp::sim
