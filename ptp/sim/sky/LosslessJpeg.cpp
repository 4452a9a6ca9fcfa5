// SPDX-License-Identifier: GPL-3.0-or-later
#include "ptp/sim/sky/LosslessJpeg.hpp"

#include "ptp/sim/sky/JpegHuffmanTable.hpp"

#include <array>
#include <bit>
#include <stdexcept>
#include <string>

namespace sonyalpaca::ptp::sim {

namespace {

void invalid(const std::string& what) { throw std::invalid_argument("lossless JPEG: " + what); }
void corrupt(const std::string& what) { throw std::runtime_error("lossless JPEG stream: " + what); }

/// The prediction of T.81 table H.1 from the left (a), upper (b) and upper-left (c) neighbours, in
/// signed arithmetic with arithmetic right shifts, as decoders (LibRaw's ljpeg_row) compute it.
inline int predict(unsigned predictor, int a, int b, int c) noexcept {
    switch (predictor) {
    case 1: return a;
    case 2: return b;
    case 3: return c;
    case 4: return a + b - c;
    case 5: return a + ((b - c) >> 1);
    case 6: return b + ((a - c) >> 1);
    default: return (a + b) >> 1;
    }
}

/// The prediction of sample `i` (at column x, row y, component k) of an interleaved image.
int predictionOf(const std::uint16_t* samples, std::size_t i, unsigned x, unsigned y, const LosslessJpegImage& image,
                 std::size_t stride) noexcept {
    const unsigned n = image.components;
    if (y == 0) return x == 0 ? 1 << (image.precision - 1) : samples[i - n];
    if (x == 0) return samples[i - stride];
    return predict(image.predictor, samples[i - n], samples[i - stride], samples[i - stride - n]);
}

/// The difference coded for a sample: (value − prediction) modulo 2^16, taken in −32768..32767.
int differenceOf(int value, int prediction) noexcept {
    int d = (value - prediction) & 0xFFFF;
    return d >= 0x8000 ? d - 0x10000 : d;
}

/// SSSS of T.81 table H.2: the bit length of |d|; −32768 is category 16 (no extra bits).
unsigned categoryOf(int d) noexcept {
    return d == -32768 ? 16U : static_cast<unsigned>(std::bit_width(static_cast<unsigned>(d < 0 ? -d : d)));
}

class BitWriter {
public:
    explicit BitWriter(std::vector<std::uint8_t>& out) : out_(out) {}
    /// Appends the low `count` bits of `bits` (count <= 32; higher bits must be 0).
    void put(std::uint32_t bits, unsigned count) {
        acc_ = (acc_ << count) | bits;
        used_ += count;
        while (used_ >= 8) {
            used_ -= 8;
            const auto byte = static_cast<std::uint8_t>(acc_ >> used_);
            out_.push_back(byte);
            if (byte == 0xFF) out_.push_back(0x00);  // byte stuffing
        }
    }
    /// Pads the last byte with 1 bits (T.81 F.1.2.3).
    void flush() {
        if (used_ > 0) put((1U << (8 - used_)) - 1, 8 - used_);
    }

private:
    std::vector<std::uint8_t>& out_;
    std::uint64_t acc_ = 0;
    unsigned used_ = 0;
};

void put16(std::vector<std::uint8_t>& out, unsigned v) {
    out.push_back(static_cast<std::uint8_t>(v >> 8));
    out.push_back(static_cast<std::uint8_t>(v));
}

void checkImage(const LosslessJpegImage& image) {
    if (image.width < 1 || image.width > 65535) invalid("width " + std::to_string(image.width) + " must be 1 to 65535");
    if (image.height < 1 || image.height > 65535) {
        invalid("height " + std::to_string(image.height) + " must be 1 to 65535");
    }
    if (image.components < 1 || image.components > 4) {
        invalid("components " + std::to_string(image.components) + " must be 1 to 4");
    }
    if (image.precision < 2 || image.precision > 16) {
        invalid("precision " + std::to_string(image.precision) + " must be 2 to 16");
    }
    if (image.predictor < 1 || image.predictor > 7) {
        invalid("predictor " + std::to_string(image.predictor) + " must be 1 to 7");
    }
    const std::size_t expected = std::size_t{image.width} * image.height * image.components;
    if (image.samples.size() != expected) {
        invalid(std::to_string(image.samples.size()) + " samples for " + std::to_string(expected) + " places");
    }
}

}  // namespace

std::vector<std::uint8_t> encodeLosslessJpeg(const LosslessJpegImage& image) {
    checkImage(image);
    const std::size_t stride = std::size_t{image.width} * image.components;
    const std::uint32_t limit = image.precision == 16 ? 0x10000U : 1U << image.precision;
    const std::uint16_t* s = image.samples.data();

    // First pass: the differences and how often each category occurs. The predictor is a template
    // argument so that the loop over a line has no branches but the prediction's own.
    for (std::size_t i = 0; i < image.samples.size(); ++i) {
        if (s[i] >= limit) {
            const std::size_t place = i / image.components;
            invalid("sample " + std::to_string(s[i]) + " at (" + std::to_string(place % image.width) + "," +
                    std::to_string(place / image.width) + ") component " + std::to_string(i % image.components) +
                    " needs more than " + std::to_string(image.precision) + " bits");
        }
    }
    std::vector<std::int32_t> differences(image.samples.size());
    std::array<std::uint32_t, 256> frequency{};
    const std::size_t n = image.components;
    auto code = [&]<unsigned P>() {
        for (unsigned y = 0; y < image.height; ++y) {
            const std::uint16_t* row = s + y * stride;
            const std::uint16_t* up = y > 0 ? row - stride : row;  // row 0 predicts from the left only
            std::int32_t* d = differences.data() + y * stride;
            for (std::size_t i = 0; i < n; ++i) {
                d[i] = differenceOf(row[i], y == 0 ? 1 << (image.precision - 1) : up[i]);
            }
            if (y == 0) {
                for (std::size_t i = n; i < stride; ++i) d[i] = differenceOf(row[i], row[i - n]);
            } else {
                for (std::size_t i = n; i < stride; ++i)
                    d[i] = differenceOf(row[i], predict(P, row[i - n], up[i], up[i - n]));
            }
            for (std::size_t i = 0; i < stride; ++i) ++frequency[categoryOf(d[i])];
        }
    };
    switch (image.predictor) {
    case 1: code.template operator()<1>(); break;
    case 2: code.template operator()<2>(); break;
    case 3: code.template operator()<3>(); break;
    case 4: code.template operator()<4>(); break;
    case 5: code.template operator()<5>(); break;
    case 6: code.template operator()<6>(); break;
    default: code.template operator()<7>(); break;
    }
    const JpegHuffmanTable table(frequency);

    std::vector<std::uint8_t> out{0xFF, 0xD8};  // SOI
    // SOF3: precision, lines, samples per line, components (id k + 1, sampling 1x1, no quantisation).
    out.insert(out.end(), {0xFF, 0xC3});
    put16(out, 8 + 3 * image.components);
    out.push_back(static_cast<std::uint8_t>(image.precision));
    put16(out, image.height);
    put16(out, image.width);
    out.push_back(static_cast<std::uint8_t>(image.components));
    for (unsigned k = 0; k < image.components; ++k) out.insert(out.end(), {static_cast<std::uint8_t>(k + 1), 0x11, 0});
    // DHT: one DC table, id 0.
    out.insert(out.end(), {0xFF, 0xC4});
    put16(out, 2 + 1 + 16 + static_cast<unsigned>(table.symbols.size()));
    out.push_back(0x00);
    out.insert(out.end(), table.counts.begin(), table.counts.end());
    out.insert(out.end(), table.symbols.begin(), table.symbols.end());
    // SOS: all components on table 0; Ss = predictor, Se = 0, Ah/Al = 0.
    out.insert(out.end(), {0xFF, 0xDA});
    put16(out, 6 + 2 * image.components);
    out.push_back(static_cast<std::uint8_t>(image.components));
    for (unsigned k = 0; k < image.components; ++k) out.insert(out.end(), {static_cast<std::uint8_t>(k + 1), 0x00});
    out.insert(out.end(), {static_cast<std::uint8_t>(image.predictor), 0, 0});

    out.reserve(out.size() + image.samples.size());
    BitWriter bits(out);
    // Each difference as its category's code followed by `category` extra bits (none for 16).
    std::array<std::uint8_t, 17> extra_bits{};
    for (unsigned c = 1; c < 16; ++c) extra_bits[c] = static_cast<std::uint8_t>(c);
    for (const std::int32_t d : differences) {
        const unsigned category = categoryOf(d);
        const unsigned extra = extra_bits[category];
        const auto value = static_cast<std::uint32_t>(d < 0 ? d + (1 << category) - 1 : d) & ((1U << extra) - 1);
        bits.put(std::uint32_t{table.code[category]} << extra | value, table.length[category] + extra);
    }
    bits.flush();
    out.insert(out.end(), {0xFF, 0xD9});  // EOI
    return out;
}

namespace {

/// A Huffman table for decoding (T.81 F.2.2.3): the largest code of each length and where its
/// symbols start.
struct DecodeTable {
    std::array<std::int32_t, 17> max_code{};
    std::array<std::int32_t, 17> first_index{};
    std::array<std::int32_t, 17> first_code{};
    std::vector<std::uint8_t> symbols;
    bool defined = false;
};

class BitReader {
public:
    explicit BitReader(std::span<const std::uint8_t> data) : data_(data) {}
    unsigned bit() {
        if (left_ == 0) {
            if (at_ >= data_.size()) corrupt("the entropy-coded data ends early");
            byte_ = data_[at_++];
            if (byte_ == 0xFF) {
                if (at_ >= data_.size() || data_[at_] != 0x00) corrupt("a marker inside the entropy-coded data");
                ++at_;
            }
            left_ = 8;
        }
        --left_;
        return (byte_ >> left_) & 1U;
    }
    std::uint32_t bits(unsigned count) {
        std::uint32_t v = 0;
        for (unsigned i = 0; i < count; ++i) v = (v << 1) | bit();
        return v;
    }

private:
    std::span<const std::uint8_t> data_;
    std::size_t at_ = 0;
    unsigned byte_ = 0;
    unsigned left_ = 0;
};

unsigned decodeSymbol(BitReader& reader, const DecodeTable& table) {
    std::int32_t code = 0;
    for (unsigned length = 1; length <= 16; ++length) {
        code = (code << 1) | static_cast<std::int32_t>(reader.bit());
        if (code <= table.max_code[length]) {
            return table.symbols[static_cast<std::size_t>(table.first_index[length] + code - table.first_code[length])];
        }
    }
    corrupt("an invalid Huffman code");
    return 0;
}

}  // namespace

LosslessJpegImage decodeLosslessJpeg(std::span<const std::uint8_t> stream) {
    auto byteAt = [&](std::size_t at) -> unsigned {
        if (at >= stream.size()) corrupt("the stream ends inside its header");
        return stream[at];
    };
    if (byteAt(0) != 0xFF || byteAt(1) != 0xD8) corrupt("no SOI marker");
    LosslessJpegImage image;
    std::array<DecodeTable, 4> tables;
    std::array<unsigned, 4> table_of{};
    bool have_frame = false;
    std::size_t at = 2;
    for (;;) {
        if (byteAt(at) != 0xFF) corrupt("a marker was expected at byte " + std::to_string(at));
        const unsigned marker = byteAt(at + 1);
        const unsigned length = byteAt(at + 2) << 8 | byteAt(at + 3);
        const std::size_t body = at + 4;
        if (length < 2 || body + length - 2 > stream.size()) corrupt("a segment leaves the stream");
        if (marker == 0xC3) {
            image.precision = byteAt(body);
            image.height = byteAt(body + 1) << 8 | byteAt(body + 2);
            image.width = byteAt(body + 3) << 8 | byteAt(body + 4);
            image.components = byteAt(body + 5);
            if (image.components < 1 || image.components > 4 || length != 8 + 3 * image.components) {
                corrupt("an unsupported frame header");
            }
            have_frame = true;
        } else if (marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC) {
            corrupt("not a lossless (SOF3) frame");
        } else if (marker == 0xC4) {
            std::size_t p = body;
            while (p < body + length - 2) {
                const unsigned id = byteAt(p);
                if (id > 3) corrupt("an unsupported Huffman table id");
                DecodeTable& t = tables[id];
                t = DecodeTable{};
                std::size_t count = 0;
                std::int32_t code = 0;
                for (unsigned len = 1; len <= 16; ++len) {
                    const unsigned n = byteAt(p + len);
                    t.first_index[len] = static_cast<std::int32_t>(count);
                    t.first_code[len] = code;
                    code += static_cast<std::int32_t>(n);
                    t.max_code[len] = n > 0 ? code - 1 : -1;
                    count += n;
                    code <<= 1;
                }
                for (std::size_t k = 0; k < count; ++k)
                    t.symbols.push_back(static_cast<std::uint8_t>(byteAt(p + 17 + k)));
                t.defined = true;
                p += 17 + count;
            }
        } else if (marker == 0xDA) {
            if (!have_frame) corrupt("SOS before the frame header");
            const unsigned ns = byteAt(body);
            if (ns != image.components) corrupt("a scan that does not hold every component");
            for (unsigned k = 0; k < ns; ++k) table_of[k] = byteAt(body + 2 + 2 * k) >> 4;
            image.predictor = byteAt(body + 1 + 2 * ns);
            if (image.predictor < 1 || image.predictor > 7) corrupt("predictor " + std::to_string(image.predictor));
            if ((byteAt(body + 3 + 2 * ns) & 15U) != 0) corrupt("a point transform");
            at = body + length - 2;
            break;
        } else if (marker == 0xDD) {
            corrupt("restart intervals");
        }
        at = body + length - 2;
    }
    for (unsigned k = 0; k < image.components; ++k) {
        if (table_of[k] > 3 || !tables[table_of[k]].defined) corrupt("a component without a Huffman table");
    }

    const std::size_t stride = std::size_t{image.width} * image.components;
    image.samples.resize(stride * image.height);
    std::uint16_t* s = image.samples.data();
    BitReader reader(stream.subspan(at));
    std::size_t i = 0;
    for (unsigned y = 0; y < image.height; ++y) {
        for (unsigned x = 0; x < image.width; ++x) {
            for (unsigned k = 0; k < image.components; ++k, ++i) {
                const unsigned category = decodeSymbol(reader, tables[table_of[k]]);
                int d = 0;
                if (category == 16) {
                    d = -32768;
                } else if (category > 16) {
                    corrupt("difference category " + std::to_string(category));
                } else if (category > 0) {
                    const auto v = static_cast<std::int32_t>(reader.bits(category));
                    d = v < (1 << (category - 1)) ? v - (1 << category) + 1 : v;
                }
                s[i] = static_cast<std::uint16_t>(predictionOf(s, i, x, y, image, stride) + d);
            }
        }
    }
    return image;
}

}  // namespace sonyalpaca::ptp::sim
