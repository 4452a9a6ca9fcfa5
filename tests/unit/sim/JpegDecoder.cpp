// SPDX-License-Identifier: GPL-3.0-or-later
#include "JpegDecoder.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <numbers>

namespace sonyalpaca::test {

namespace {

[[noreturn]] void fail(const char* what) { throw std::runtime_error(std::string("JPEG: ") + what); }

struct Huffman {
    // (length, code) -> symbol
    std::map<std::pair<unsigned, unsigned>, std::uint8_t> codes;
};

struct Component {
    unsigned id = 0;
    unsigned h = 1;
    unsigned v = 1;
    unsigned quant = 0;
    unsigned dc_table = 0;
    unsigned ac_table = 0;
    int predictor = 0;
    unsigned plane_width = 0;
    unsigned plane_height = 0;
    std::vector<float> plane;
};

class BitReader {
public:
    BitReader(const std::vector<std::uint8_t>& data, std::size_t at) : data_(data), at_(at) {}
    unsigned bit() {
        if (left_ == 0) {
            if (at_ >= data_.size()) fail("scan runs past the end");
            current_ = data_[at_++];
            if (current_ == 0xFF) {
                if (at_ >= data_.size() || data_[at_] != 0x00) fail("marker inside the scan");
                ++at_;
            }
            left_ = 8;
        }
        --left_;
        return (static_cast<unsigned>(current_) >> left_) & 1U;
    }
    unsigned bits(unsigned n) {
        unsigned v = 0;
        for (unsigned i = 0; i < n; ++i) v = (v << 1) | bit();
        return v;
    }
    std::uint8_t decode(const Huffman& table) {
        unsigned code = 0;
        for (unsigned length = 1; length <= 16; ++length) {
            code = (code << 1) | bit();
            auto it = table.codes.find({length, code});
            if (it != table.codes.end()) return it->second;
        }
        fail("bad Huffman code");
    }
    std::size_t position() const { return at_; }

private:
    const std::vector<std::uint8_t>& data_;
    std::size_t at_;
    std::uint8_t current_ = 0;
    unsigned left_ = 0;
};

int extend(unsigned value, unsigned bits) {
    if (bits == 0) return 0;
    const int v = static_cast<int>(value);
    return v < (1 << (bits - 1)) ? v - (1 << bits) + 1 : v;
}

std::array<std::uint8_t, 64> zigzagOrder() {
    // Walk the anti-diagonals, alternating direction, starting to the right.
    std::array<std::uint8_t, 64> order{};
    unsigned row = 0;
    unsigned col = 0;
    for (unsigned k = 0; k < 64; ++k) {
        order[k] = static_cast<std::uint8_t>(row * 8 + col);
        if ((row + col) % 2 == 0) {  // moving up-right
            if (col == 7)
                ++row;
            else if (row == 0)
                ++col;
            else {
                --row;
                ++col;
            }
        } else {  // moving down-left
            if (row == 7)
                ++col;
            else if (col == 0)
                ++row;
            else {
                ++row;
                --col;
            }
        }
    }
    return order;
}

}  // namespace

DecodedJpeg decodeJpeg(const std::vector<std::uint8_t>& data) {
    if (data.size() < 4 || data[0] != 0xFF || data[1] != 0xD8) fail("no SOI");
    if (data[data.size() - 2] != 0xFF || data.back() != 0xD9) fail("no EOI at the end");
    const auto zigzag = zigzagOrder();
    std::array<std::array<unsigned, 64>, 4> quant{};
    std::array<Huffman, 8> huffman;  // class * 4 + id
    std::vector<Component> components;
    DecodedJpeg image;
    std::size_t at = 2;
    auto u16 = [&](std::size_t i) { return static_cast<unsigned>(data.at(i) << 8 | data.at(i + 1)); };
    while (true) {
        if (at + 4 > data.size() || data[at] != 0xFF) fail("expected a marker");
        const unsigned code = data[at + 1];
        const unsigned length = u16(at + 2);
        const std::size_t body = at + 4;
        const std::size_t end = at + 2 + length;
        if (end > data.size()) fail("segment runs past the end");
        if (code == 0xDB) {
            for (std::size_t p = body; p < end; p += 65) {
                if ((data[p] >> 4) != 0) fail("16-bit tables are not baseline");
                for (unsigned k = 0; k < 64; ++k) quant.at(data[p] & 3U)[zigzag[k]] = data[p + 1 + k];
            }
        } else if (code == 0xC4) {
            for (std::size_t p = body; p < end;) {
                Huffman& table = huffman.at((data[p] >> 4) * 4U + (data[p] & 3U));
                table.codes.clear();
                std::size_t symbol = p + 17;
                unsigned value = 0;
                for (unsigned len = 1; len <= 16; ++len) {
                    for (unsigned i = 0; i < data[p + len]; ++i) table.codes[{len, value++}] = data.at(symbol++);
                    value <<= 1;
                }
                p = symbol;
            }
        } else if (code == 0xC0) {
            if (data[body] != 8) fail("not 8-bit");
            image.height = u16(body + 1);
            image.width = u16(body + 3);
            image.components = data[body + 5];
            for (unsigned c = 0; c < image.components; ++c) {
                Component comp;
                comp.id = data[body + 6 + 3 * c];
                comp.h = data[body + 7 + 3 * c] >> 4;
                comp.v = data[body + 7 + 3 * c] & 15U;
                comp.quant = data[body + 8 + 3 * c];
                components.push_back(comp);
            }
        } else if (code == 0xC1 || code == 0xC2 || code == 0xC3) {
            fail("not baseline");
        } else if (code == 0xDA) {
            break;
        }
        at = end;
    }
    if (components.empty()) fail("no frame header");
    // Scan header.
    const std::size_t body = at + 4;
    const unsigned scan_components = data[body];
    if (scan_components != components.size()) fail("only single interleaved scans are supported");
    for (unsigned i = 0; i < scan_components; ++i) {
        auto it = std::find_if(components.begin(), components.end(),
                               [&](const Component& c) { return c.id == data[body + 1 + 2 * i]; });
        if (it == components.end()) fail("scan names an unknown component");
        it->dc_table = data[body + 2 + 2 * i] >> 4;
        it->ac_table = data[body + 2 + 2 * i] & 15U;
    }
    unsigned hmax = 1;
    unsigned vmax = 1;
    for (const auto& c : components) {
        hmax = std::max(hmax, c.h);
        vmax = std::max(vmax, c.v);
    }
    const bool single = components.size() == 1;
    const unsigned mcu_w = single ? 8 : 8 * hmax;
    const unsigned mcu_h = single ? 8 : 8 * vmax;
    const unsigned mcus_x = (image.width + mcu_w - 1) / mcu_w;
    const unsigned mcus_y = (image.height + mcu_h - 1) / mcu_h;
    for (auto& c : components) {
        const unsigned bh = single ? 1 : c.h;
        const unsigned bv = single ? 1 : c.v;
        c.plane_width = mcus_x * bh * 8;
        c.plane_height = mcus_y * bv * 8;
        c.plane.assign(static_cast<std::size_t>(c.plane_width) * c.plane_height, 0.0F);
    }
    BitReader reader(data, at + 2 + u16(at + 2));
    for (unsigned my = 0; my < mcus_y; ++my) {
        for (unsigned mx = 0; mx < mcus_x; ++mx) {
            for (auto& c : components) {
                const unsigned bh = single ? 1 : c.h;
                const unsigned bv = single ? 1 : c.v;
                for (unsigned by = 0; by < bv; ++by) {
                    for (unsigned bx = 0; bx < bh; ++bx) {
                        std::array<double, 64> coef{};
                        const unsigned dc_bits = reader.decode(huffman.at(c.dc_table));
                        c.predictor += extend(reader.bits(dc_bits), dc_bits);
                        coef[0] = c.predictor * static_cast<double>(quant.at(c.quant)[0]);
                        for (unsigned k = 1; k < 64;) {
                            const unsigned rs = reader.decode(huffman.at(4 + c.ac_table));
                            if (rs == 0x00) break;
                            k += rs >> 4;
                            const unsigned size = rs & 15U;
                            if (k > 63) fail("coefficient index past 63");
                            coef[zigzag[k]] = extend(reader.bits(size), size) *
                                              static_cast<double>(quant.at(c.quant)[zigzag[k]]);
                            ++k;
                        }
                        // Direct inverse DCT.
                        static const auto basis = [] {
                            std::array<std::array<double, 8>, 8> b{};
                            for (unsigned u = 0; u < 8; ++u) {
                                for (unsigned x = 0; x < 8; ++x) {
                                    b[u][x] = (u == 0 ? std::numbers::sqrt2 / 2 : 1.0) *
                                              std::cos((2 * x + 1) * u * std::numbers::pi / 16);
                                }
                            }
                            return b;
                        }();
                        for (unsigned y = 0; y < 8; ++y) {
                            for (unsigned x = 0; x < 8; ++x) {
                                double sum = 0.0;
                                for (unsigned u = 0; u < 8; ++u) {
                                    for (unsigned v = 0; v < 8; ++v) {
                                        sum += coef[u * 8 + v] * basis[u][y] * basis[v][x];
                                    }
                                }
                                const unsigned px = (mx * bh + bx) * 8 + x;
                                const unsigned py = (my * bv + by) * 8 + y;
                                c.plane[static_cast<std::size_t>(py) * c.plane_width + px] =
                                    static_cast<float>(sum / 4.0 + 128.0);
                            }
                        }
                    }
                }
            }
        }
    }
    std::size_t after = reader.position();
    if (after + 2 != data.size()) fail("bytes between the scan and EOI");

    image.samples.resize(static_cast<std::size_t>(image.width) * image.height * image.components);
    auto sample = [&](const Component& c, unsigned x, unsigned y) {
        const unsigned sx = single ? x : x * c.h / hmax;
        const unsigned sy = single ? y : y * c.v / vmax;
        return c.plane[static_cast<std::size_t>(sy) * c.plane_width + sx];
    };
    auto clamp8 = [](double v) { return static_cast<std::uint8_t>(std::clamp(std::lround(v), 0L, 255L)); };
    for (unsigned y = 0; y < image.height; ++y) {
        for (unsigned x = 0; x < image.width; ++x) {
            const std::size_t i = (static_cast<std::size_t>(y) * image.width + x) * image.components;
            if (single) {
                image.samples[i] = clamp8(sample(components[0], x, y));
                continue;
            }
            const double luma = sample(components[0], x, y);
            const double cb = sample(components[1], x, y) - 128.0;
            const double cr = sample(components[2], x, y) - 128.0;
            image.samples[i] = clamp8(luma + 1.402 * cr);
            image.samples[i + 1] = clamp8(luma - 0.344136 * cb - 0.714136 * cr);
            image.samples[i + 2] = clamp8(luma + 1.772 * cb);
        }
    }
    return image;
}

}  // namespace sonyalpaca::test
