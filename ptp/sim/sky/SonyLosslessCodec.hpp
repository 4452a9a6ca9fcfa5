// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "ptp/sim/sky/RawImage.hpp"

#include <cstdint>
#include <span>
#include <vector>

namespace sonyalpaca::ptp::sim {

/// Sony's lossless-compressed RAW (ARW 4.0, from the ILCE-1 on), as LibRaw 0.21's
/// sony_ljpeg_load_raw reads it: the mosaic is cut into tiles (512 × 512 on the a1 and a7 IV),
/// left to right, then top to bottom, and each tile is one lossless JPEG (LosslessJpeg) of half the
/// tile's width and height with four components: the 2 × 2 block at tile (2x, 2y) gives component 0
/// = (2x, 2y), 1 = (2x + 1, 2y), 2 = (2x, 2y + 1), 3 = (2x + 1, 2y + 1), i.e. R, G, G, B of RGGB.
/// Precision 14, predictor 1 (the same colour two photosites to the left) by default.
///
/// Tiles on the right and bottom edges are coded whole, as TIFF tiles are; their part outside the
/// frame repeats the frame's last two columns / rows (so the colour phase holds), which costs
/// almost nothing to code. Decoders drop it.
class SonyLosslessCodec {
public:
    static constexpr unsigned kTileSize = 512;
    static constexpr unsigned kPrecision = 14;

    /// The coded tiles of one frame, back to back.
    struct Tiles {
        unsigned tile_width = kTileSize;
        unsigned tile_length = kTileSize;
        std::vector<std::uint8_t> data;        ///< every tile's JPEG stream, in tile order
        std::vector<std::size_t> offsets;      ///< where each tile starts in `data`
        std::vector<std::size_t> byte_counts;  ///< each tile's length

        std::size_t count() const noexcept { return offsets.size(); }
    };

    /// Throws std::invalid_argument unless the predictor is 1..7 and the tile sides are even
    /// multiples of 16 from 16 to 65534 (TIFF: tile sides are multiples of 16).
    explicit SonyLosslessCodec(unsigned predictor = 1, unsigned tile_width = kTileSize,
                               unsigned tile_length = kTileSize);

    unsigned predictor() const noexcept { return predictor_; }
    unsigned tileWidth() const noexcept { return tile_width_; }
    unsigned tileLength() const noexcept { return tile_length_; }

    /// Tiles across and down for a frame of `layout`.
    unsigned tilesAcross(const SensorLayout& layout) const noexcept {
        return (layout.raw_width + tile_width_ - 1) / tile_width_;
    }
    unsigned tilesDown(const SensorLayout& layout) const noexcept {
        return (layout.raw_height + tile_length_ - 1) / tile_length_;
    }

    /// Codes a frame. Throws std::invalid_argument when the image is invalid, a raw side is odd, or
    /// a value exceeds 16383 (14 bits), naming the place.
    Tiles encode(const RawImage& image) const;

    /// The values of the frame of `layout` coded in `tiles` (the inverse of encode). Throws
    /// std::runtime_error when the tiles do not fit the layout or a stream is damaged.
    std::vector<std::uint16_t> decode(const Tiles& tiles, const SensorLayout& layout) const;

private:
    unsigned predictor_;
    unsigned tile_width_;
    unsigned tile_length_;
};

}  // namespace sonyalpaca::ptp::sim
