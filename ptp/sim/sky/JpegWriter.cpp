// SPDX-License-Identifier: GPL-3.0-or-later
#include "ptp/sim/sky/JpegWriter.hpp"

#include "ptp/sim/sky/JpegHuffmanTable.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>
#include <stdexcept>
#include <string>

namespace sonyalpaca::ptp::sim {

namespace {

constexpr std::array<std::uint16_t, 64> kLumaTable{
    16, 11,  10,  16, 24, 40, 51, 61, 12,  12,  14,  19,  26, 58, 60, 55,  14,  13,  16,  24, 40, 57,
    69, 56,  14,  17, 22, 29, 51, 87, 80,  62,  18,  22,  37, 56, 68, 109, 103, 77,  24,  35, 55, 64,
    81, 104, 113, 92, 49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98,  112, 100, 103, 99};
constexpr std::array<std::uint16_t, 64> kChromaTable{17, 18, 24, 47, 99, 99, 99, 99, 18, 21, 26, 66, 99, 99, 99, 99,
                                                     24, 26, 56, 99, 99, 99, 99, 99, 47, 66, 99, 99, 99, 99, 99, 99,
                                                     99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99,
                                                     99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99};

/// zigzag[k] = natural index of the k-th coefficient in zigzag order.
constexpr std::array<std::uint8_t, 64> makeZigzag() {
    std::array<std::uint8_t, 64> order{};
    std::size_t k = 0;
    for (int sum = 0; sum <= 14; ++sum) {
        const int low = std::max(0, sum - 7);
        const int high = std::min(sum, 7);
        for (int i = 0; i <= high - low; ++i) {
            const int row = sum % 2 == 1 ? low + i : high - i;  // odd diagonals run down-left
            order[k++] = static_cast<std::uint8_t>(row * 8 + (sum - row));
        }
    }
    return order;
}
constexpr std::array<std::uint8_t, 64> kZigzag = makeZigzag();

/// 8x8 DCT-II basis with the JPEG normalisation folded in: basis[u][x] = C(u)/2 · cos((2x+1)uπ/16).
std::array<std::array<double, 8>, 8> makeBasis() {
    std::array<std::array<double, 8>, 8> basis{};
    for (std::size_t u = 0; u < 8; ++u) {
        const double scale = u == 0 ? 0.5 / std::numbers::sqrt2 : 0.5;
        for (std::size_t x = 0; x < 8; ++x) {
            basis[u][x] = scale * std::cos(static_cast<double>((2 * x + 1) * u) * std::numbers::pi / 16.0);
        }
    }
    return basis;
}

/// One plane of samples with its size; reads outside are clamped to the edge.
struct Plane {
    unsigned width = 0;
    unsigned height = 0;
    std::vector<float> values;
    float at(unsigned x, unsigned y) const {
        return values[static_cast<std::size_t>(std::min(y, height - 1)) * width + std::min(x, width - 1)];
    }
};

/// Quantised coefficients of one block, zigzag order, and which table set (0 luma, 1 chroma) and
/// component (for the DC predictor) it belongs to.
struct CodedBlock {
    std::array<std::int16_t, 64> coefficients;
    std::uint8_t tables;
    std::uint8_t component;
};

CodedBlock transform(const Plane& plane, unsigned bx, unsigned by, const std::vector<std::uint16_t>& quant,
                     std::uint8_t tables, std::uint8_t component) {
    static const auto basis = makeBasis();
    std::array<std::array<double, 8>, 8> block{};
    for (unsigned y = 0; y < 8; ++y) {
        for (unsigned x = 0; x < 8; ++x) block[y][x] = plane.at(bx * 8 + x, by * 8 + y) - 128.0;
    }
    std::array<std::array<double, 8>, 8> rows{};  // rows[y][v]: horizontal transform
    for (std::size_t y = 0; y < 8; ++y) {
        for (std::size_t v = 0; v < 8; ++v) {
            double sum = 0.0;
            for (std::size_t x = 0; x < 8; ++x) sum += basis[v][x] * block[y][x];
            rows[y][v] = sum;
        }
    }
    CodedBlock coded{};
    coded.tables = tables;
    coded.component = component;
    for (std::size_t k = 0; k < 64; ++k) {
        const std::size_t natural = kZigzag[k];
        const std::size_t u = natural / 8;
        const std::size_t v = natural % 8;
        double sum = 0.0;
        for (std::size_t y = 0; y < 8; ++y) sum += basis[u][y] * rows[y][v];
        coded.coefficients[k] = static_cast<std::int16_t>(std::lround(sum / quant[natural]));
    }
    return coded;
}

unsigned magnitudeBits(int value) {
    unsigned magnitude = static_cast<unsigned>(value < 0 ? -value : value);
    unsigned bits = 0;
    while (magnitude != 0) {
        ++bits;
        magnitude >>= 1;
    }
    return bits;
}

/// Calls emit(symbol, extra_bits, extra_count) for each Huffman symbol of a block.
template <typename Emit>
void symbolsOf(const CodedBlock& block, int& predictor, Emit&& emit) {
    const int diff = block.coefficients[0] - predictor;
    predictor = block.coefficients[0];
    const unsigned dc_bits = magnitudeBits(diff);
    emit(false, dc_bits, diff, dc_bits);
    unsigned run = 0;
    for (std::size_t k = 1; k < 64; ++k) {
        const int value = block.coefficients[k];
        if (value == 0) {
            ++run;
            continue;
        }
        while (run > 15) {
            emit(true, 0xF0U, 0, 0U);
            run -= 16;
        }
        const unsigned bits = magnitudeBits(value);
        emit(true, (run << 4) | bits, value, bits);
        run = 0;
    }
    if (run > 0) emit(true, 0x00U, 0, 0U);
}

class BitWriter {
public:
    explicit BitWriter(std::vector<std::uint8_t>& out) : out_(out) {}
    void put(std::uint32_t bits, unsigned count) {
        for (unsigned i = count; i-- > 0;) {
            buffer_ = static_cast<std::uint8_t>((static_cast<unsigned>(buffer_) << 1U) | ((bits >> i) & 1U));
            if (++filled_ == 8) flushByte();
        }
    }
    void finish() {
        while (filled_ != 0) put(1, 1);  // pad with ones
    }

private:
    void flushByte() {
        out_.push_back(buffer_);
        if (buffer_ == 0xFF) out_.push_back(0x00);  // byte stuffing
        buffer_ = 0;
        filled_ = 0;
    }
    std::vector<std::uint8_t>& out_;
    std::uint8_t buffer_ = 0;
    unsigned filled_ = 0;
};

void put16(std::vector<std::uint8_t>& out, unsigned v) {
    out.push_back(static_cast<std::uint8_t>(v >> 8));
    out.push_back(static_cast<std::uint8_t>(v));
}

void marker(std::vector<std::uint8_t>& out, std::uint8_t code, std::size_t payload) {
    out.push_back(0xFF);
    out.push_back(code);
    put16(out, static_cast<unsigned>(payload + 2));
}

}  // namespace

std::vector<std::uint16_t> JpegWriter::quantisationTable(int quality, bool chroma) {
    if (quality < 1 || quality > 100) {
        throw std::invalid_argument("JPEG quality " + std::to_string(quality) + " must be 1 to 100");
    }
    const int scale = quality < 50 ? 5000 / quality : 200 - 2 * quality;
    const auto& base = chroma ? kChromaTable : kLumaTable;
    std::vector<std::uint16_t> table(64);
    for (std::size_t i = 0; i < 64; ++i) {
        table[i] = static_cast<std::uint16_t>(std::clamp((base[i] * scale + 50) / 100, 1, 255));
    }
    return table;
}

std::vector<std::uint8_t> JpegWriter::encode(const JpegImage& image, int quality) {
    if (image.width == 0 || image.height == 0 || image.width > 65535 || image.height > 65535) {
        throw std::invalid_argument("JPEG image size " + std::to_string(image.width) + "x" +
                                    std::to_string(image.height) + " must be 1 to 65535 on each side");
    }
    if (image.components != 1 && image.components != 3) {
        throw std::invalid_argument("JPEG images have 1 or 3 components, not " + std::to_string(image.components));
    }
    const std::size_t pixels = static_cast<std::size_t>(image.width) * image.height;
    if (image.samples.size() != pixels * image.components) {
        throw std::invalid_argument("JPEG image has " + std::to_string(image.samples.size()) + " samples, expected " +
                                    std::to_string(pixels * image.components));
    }
    const bool colour = image.components == 3;
    const std::vector<std::uint16_t> luma_quant = quantisationTable(quality, false);
    const std::vector<std::uint16_t> chroma_quant = quantisationTable(quality, true);

    // Planes: Y at full size, Cb and Cr averaged over 2x2.
    std::array<Plane, 3> planes;
    planes[0] = {image.width, image.height, std::vector<float>(pixels)};
    if (!colour) {
        for (std::size_t i = 0; i < pixels; ++i) planes[0].values[i] = image.samples[i];
    } else {
        Plane cb{image.width, image.height, std::vector<float>(pixels)};
        Plane cr = cb;
        for (std::size_t i = 0; i < pixels; ++i) {
            const float r = image.samples[3 * i];
            const float g = image.samples[3 * i + 1];
            const float b = image.samples[3 * i + 2];
            planes[0].values[i] = 0.299F * r + 0.587F * g + 0.114F * b;
            cb.values[i] = -0.168736F * r - 0.331264F * g + 0.5F * b + 128.0F;
            cr.values[i] = 0.5F * r - 0.418688F * g - 0.081312F * b + 128.0F;
        }
        const unsigned cw = (image.width + 1) / 2;
        const unsigned ch = (image.height + 1) / 2;
        for (std::size_t p = 1; p < 3; ++p) {
            const Plane& full = p == 1 ? cb : cr;
            planes[p] = {cw, ch, std::vector<float>(static_cast<std::size_t>(cw) * ch)};
            for (unsigned y = 0; y < ch; ++y) {
                for (unsigned x = 0; x < cw; ++x) {
                    planes[p].values[static_cast<std::size_t>(y) * cw + x] =
                        0.25F * (full.at(2 * x, 2 * y) + full.at(2 * x + 1, 2 * y) + full.at(2 * x, 2 * y + 1) +
                                 full.at(2 * x + 1, 2 * y + 1));
                }
            }
        }
    }

    // Blocks in scan order.
    std::vector<CodedBlock> blocks;
    if (!colour) {
        for (unsigned by = 0; by < (image.height + 7) / 8; ++by) {
            for (unsigned bx = 0; bx < (image.width + 7) / 8; ++bx) {
                blocks.push_back(transform(planes[0], bx, by, luma_quant, 0, 0));
            }
        }
    } else {
        for (unsigned my = 0; my < (image.height + 15) / 16; ++my) {
            for (unsigned mx = 0; mx < (image.width + 15) / 16; ++mx) {
                for (unsigned i = 0; i < 4; ++i) {
                    blocks.push_back(transform(planes[0], 2 * mx + i % 2, 2 * my + i / 2, luma_quant, 0, 0));
                }
                blocks.push_back(transform(planes[1], mx, my, chroma_quant, 1, 1));
                blocks.push_back(transform(planes[2], mx, my, chroma_quant, 1, 2));
            }
        }
    }

    // Symbol statistics, then the tables: [tables][0 = DC, 1 = AC].
    std::array<std::array<std::array<std::uint32_t, 256>, 2>, 2> frequency{};
    {
        std::array<int, 3> predictor{};
        for (const CodedBlock& block : blocks) {
            symbolsOf(block, predictor[block.component],
                      [&](bool ac, unsigned symbol, int, unsigned) { ++frequency[block.tables][ac ? 1 : 0][symbol]; });
        }
    }
    const std::size_t table_sets = colour ? 2 : 1;
    std::vector<std::array<JpegHuffmanTable, 2>> huffman;
    for (std::size_t t = 0; t < table_sets; ++t) {
        huffman.push_back({JpegHuffmanTable(frequency[t][0]), JpegHuffmanTable(frequency[t][1])});
    }

    std::vector<std::uint8_t> out{0xFF, 0xD8};
    // JFIF APP0: version 1.01, no density unit, 1:1 aspect, no thumbnail.
    marker(out, 0xE0, 14);
    constexpr std::array<std::uint8_t, 14> kJfif{'J', 'F', 'I', 'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0};
    out.insert(out.end(), kJfif.begin(), kJfif.end());
    // Quantisation tables, zigzag order.
    marker(out, 0xDB, 65 * table_sets);
    for (std::size_t t = 0; t < table_sets; ++t) {
        out.push_back(static_cast<std::uint8_t>(t));
        const auto& quant = t == 0 ? luma_quant : chroma_quant;
        for (std::size_t k = 0; k < 64; ++k) out.push_back(static_cast<std::uint8_t>(quant[kZigzag[k]]));
    }
    // Frame header.
    marker(out, 0xC0, 6 + 3 * image.components);
    out.push_back(8);
    put16(out, image.height);
    put16(out, image.width);
    out.push_back(static_cast<std::uint8_t>(image.components));
    for (unsigned c = 0; c < image.components; ++c) {
        out.push_back(static_cast<std::uint8_t>(c + 1));
        out.push_back(colour && c == 0 ? 0x22 : 0x11);
        out.push_back(c == 0 ? 0 : 1);
    }
    // Huffman tables.
    for (std::size_t t = 0; t < table_sets; ++t) {
        for (std::size_t ac = 0; ac < 2; ++ac) {
            const JpegHuffmanTable& table = huffman[t][ac];
            marker(out, 0xC4, 17 + table.symbols.size());
            out.push_back(static_cast<std::uint8_t>((ac << 4) | t));
            out.insert(out.end(), table.counts.begin(), table.counts.end());
            out.insert(out.end(), table.symbols.begin(), table.symbols.end());
        }
    }
    // Scan.
    marker(out, 0xDA, 4 + 2 * image.components);
    out.push_back(static_cast<std::uint8_t>(image.components));
    for (unsigned c = 0; c < image.components; ++c) {
        out.push_back(static_cast<std::uint8_t>(c + 1));
        out.push_back(c == 0 ? 0x00 : 0x11);
    }
    constexpr std::array<std::uint8_t, 3> kSpectral{0, 63, 0};
    out.insert(out.end(), kSpectral.begin(), kSpectral.end());
    {
        BitWriter writer(out);
        std::array<int, 3> predictor{};
        for (const CodedBlock& block : blocks) {
            const auto& tables = huffman[block.tables];
            symbolsOf(block, predictor[block.component], [&](bool ac, unsigned symbol, int value, unsigned bits) {
                const JpegHuffmanTable& table = tables[ac ? 1 : 0];
                writer.put(table.code[symbol], table.length[symbol]);
                if (bits > 0) {
                    const int extra = value < 0 ? value + (1 << bits) - 1 : value;
                    writer.put(static_cast<std::uint32_t>(extra), bits);
                }
            });
        }
        writer.finish();
    }
    out.push_back(0xFF);
    out.push_back(0xD9);
    return out;
}

}  // namespace sonyalpaca::ptp::sim
