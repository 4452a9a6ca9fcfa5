// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace sonyalpaca::ptp::sim {

/// Lossless JPEG (ITU T.81 process 14: SOF3, Huffman coded, one scan, no restart intervals), the
/// coding of each tile of Sony's lossless-compressed RAW.
///
/// The stream is SOI, SOF3, one DHT with a single DC table (id 0) built for the data (JpegHuffmanTable),
/// SOS with every component on that table, the entropy-coded differences, EOI. Samples are interleaved
/// (component 0, 1, …, n−1 of each position, positions row by row). Predictors follow T.81 table H.1:
/// the first row predicts from the left, the first column from above, the first sample of the scan
/// from 2^(precision − 1); elsewhere `predictor` 1..7 (1: left, 2: above, 3: above-left, 4: a + b − c,
/// 5: a + ((b − c) >> 1), 6: b + ((a − c) >> 1), 7: (a + b) / 2). No point transform.
struct LosslessJpegImage {
    unsigned width = 0;                  ///< samples per line
    unsigned height = 0;                 ///< lines
    unsigned components = 1;             ///< 1..4
    unsigned precision = 14;             ///< bits per sample, 2..16
    unsigned predictor = 1;              ///< 1..7
    std::vector<std::uint16_t> samples;  ///< width · height · components, interleaved
};

/// Codes `image`. Throws std::invalid_argument naming the field when a size, the precision or the
/// predictor is out of range, the sample count does not match, or a sample needs more than
/// `precision` bits.
std::vector<std::uint8_t> encodeLosslessJpeg(const LosslessJpegImage& image);

/// Decodes a stream as encodeLosslessJpeg writes it (any Huffman tables, one scan of all components,
/// no restart intervals, no point transform). Throws std::runtime_error when the stream is not such
/// a lossless JPEG or ends early.
LosslessJpegImage decodeLosslessJpeg(std::span<const std::uint8_t> stream);

}  // namespace sonyalpaca::ptp::sim
