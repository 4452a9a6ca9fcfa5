// SPDX-License-Identifier: GPL-3.0-or-later
#include "ptp/sim/sky/ArwFile.hpp"

#include "ptp/sim/sky/CrawCodec.hpp"
#include "ptp/sim/sky/SonyMakerNote.hpp"
#include "ptp/sim/sky/TiffIfd.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <numeric>
#include <ostream>
#include <stdexcept>

namespace sonyalpaca::ptp::sim {

namespace {

constexpr std::size_t kStripAlignment = 16;

void invalid(const std::string& what) { throw std::invalid_argument("ARW file: " + what); }

void checkInfo(const ArwInfo& info) {
    const bool printable =
        std::all_of(info.model.begin(), info.model.end(), [](char c) { return c >= 0x20 && c < 0x7F; });
    if (info.model.empty() || info.model.size() > 63 || !printable) {
        invalid("model \"" + info.model + "\" must be 1 to 63 printable ASCII characters");
    }
    if (!(info.exposure_s > 0.0) || info.exposure_s > 1e6) {
        invalid("exposure_s " + std::to_string(info.exposure_s) + " must be > 0");
    }
    if (info.iso < 1 || info.iso > 65535) invalid("iso " + std::to_string(info.iso) + " must be 1 to 65535");
    if (!(info.f_number >= 0.0) || info.f_number > 1000.0) {
        invalid("f_number " + std::to_string(info.f_number) + " must be 0 to 1000");
    }
    for (const auto& [name, value] : {std::pair{"sensor_temperature_c", info.sensor_temperature_c},
                                      std::pair{"ambient_temperature_c", info.ambient_temperature_c}}) {
        if (!(value >= -128.0 && value <= 127.0)) {
            invalid(std::string(name) + " " + std::to_string(value) + " must be -128 to 127");
        }
    }
    if (!(info.battery_temperature_c >= -17.8 && info.battery_temperature_c <= 123.8)) {
        invalid("battery_temperature_c " + std::to_string(info.battery_temperature_c) + " must be -17.8 to 123.8");
    }
    const std::string& d = info.date_time;
    bool date_ok = d.size() == 19;
    for (std::size_t i = 0; date_ok && i < d.size(); ++i) {
        const char expected = i == 4 || i == 7 ? ':' : i == 10 ? ' ' : i == 13 || i == 16 ? ':' : '0';
        date_ok = expected == '0' ? (d[i] >= '0' && d[i] <= '9') : d[i] == expected;
    }
    if (!date_ok) invalid("date_time \"" + d + "\" must look like \"YYYY:MM:DD HH:MM:SS\"");
}

/// Exposure as a TIFF rational: microseconds over a million, reduced (1/8000 s → 1/8000, 30 s → 30/1).
std::pair<std::uint32_t, std::uint32_t> exposureRational(double seconds) {
    std::uint64_t numerator = static_cast<std::uint64_t>(std::llround(seconds * 1e6));
    std::uint64_t denominator = 1000000;
    if (numerator == 0) numerator = 1;
    const std::uint64_t divisor = std::gcd(numerator, denominator);
    numerator /= divisor;
    denominator /= divisor;
    while (numerator > 0xFFFFFFFFULL) {
        numerator /= 10;
        denominator = std::max<std::uint64_t>(1, denominator / 10);
    }
    return {static_cast<std::uint32_t>(numerator), static_cast<std::uint32_t>(denominator)};
}

/// The tiling of a lossless file: Sony's 512x512, except where that makes exactly four tiles, which
/// LibRaw takes for a Sinar 4-shot file (four TileOffsets pick sinar_4shot_load_raw in its TIFF
/// parser, 0.20 and 0.21 alike); 256x256 tiles then. Real bodies never have four (a7 IV: 140).
SonyLosslessCodec losslessCodecFor(const SensorLayout& layout) {
    const SonyLosslessCodec sony;
    if (sony.tilesAcross(layout) * sony.tilesDown(layout) != 4) return sony;
    return SonyLosslessCodec(1, SonyLosslessCodec::kTileSize / 2, SonyLosslessCodec::kTileSize / 2);
}

std::uint32_t offset32(std::size_t offset) {
    if (offset > 0xFFFFFFFFULL) invalid("the file would exceed 4 GiB");
    return static_cast<std::uint32_t>(offset);
}

}  // namespace

ArwFile::ArwFile(RawImage&& image, const ArwInfo& info, ArwKind kind) : kind_(kind), layout_(image.layout) {
    code(image, info);
    if (kind == ArwKind::Uncompressed) pixels_ = std::move(image.pixels);
}

ArwFile::ArwFile(const RawImage& image, const ArwInfo& info, ArwKind kind) : kind_(kind), layout_(image.layout) {
    code(image, info);
    if (kind == ArwKind::Uncompressed) pixels_ = image.pixels;
}

void ArwFile::code(const RawImage& image, const ArwInfo& info) {
    check(image, info, kind_);
    if (kind_ == ArwKind::Compressed) strip_ = CrawCodec().encode(image);
    if (kind_ == ArwKind::Lossless) tiles_ = losslessCodecFor(image.layout).encode(image);
    header_ = makeHeader(image, info, kind_, kind_ == ArwKind::Lossless ? &tiles_ : nullptr);
}

void ArwFile::check(const RawImage& image, const ArwInfo& info, ArwKind kind) {
    image.validate();
    checkInfo(info);
    if (!info.camera_id && !SonyMakerNote::cameraId(info.model)) {
        invalid("no Sony camera id is known for model \"" + info.model + "\"; set camera_id");
    }
    if (kind == ArwKind::Compressed && image.layout.raw_width % 32 != 0) {
        invalid("cRAW needs raw_width to be a multiple of 32, got " + std::to_string(image.layout.raw_width));
    }
    if (kind == ArwKind::Lossless && (image.layout.raw_width % 2 != 0 || image.layout.raw_height % 2 != 0)) {
        invalid("lossless RAW needs even raw sides, got " + image.layout.describe());
    }
}

std::vector<std::uint8_t> ArwFile::header(const RawImage& image, const ArwInfo& info, ArwKind kind) {
    check(image, info, kind);
    if (kind != ArwKind::Lossless) return makeHeader(image, info, kind, nullptr);
    const SonyLosslessCodec::Tiles tiles = losslessCodecFor(image.layout).encode(image);
    return makeHeader(image, info, kind, &tiles);
}

std::vector<std::uint8_t> ArwFile::makeHeader(const RawImage& image, const ArwInfo& info, ArwKind kind,
                                              const SonyLosslessCodec::Tiles* tiles) {
    const std::uint16_t camera_id = info.camera_id ? *info.camera_id : *SonyMakerNote::cameraId(info.model);
    const CrawCodec codec;
    const std::size_t strip_bytes = kind == ArwKind::Compressed ? CrawCodec::stripSize(image.layout)
                                    : kind == ArwKind::Lossless ? tiles->data.size()
                                                                : image.layout.pixelCount() * 2;

    // IFD0.
    TiffIfd ifd0;
    ifd0.addAscii(0x010F, "SONY");
    ifd0.addAscii(0x0110, info.model);
    ifd0.addAscii(0x0132, info.date_time);
    ifd0.addLong(0x014A, 0);  // SubIFDs: the raw IFD
    ifd0.addLong(0x8769, 0);  // ExifIFD

    // EXIF IFD.
    TiffIfd exif;
    const auto [exposure_num, exposure_den] = exposureRational(info.exposure_s);
    exif.addRational(0x829A, exposure_num, exposure_den);
    exif.addRational(0x829D, static_cast<std::uint32_t>(std::lround(info.f_number * 100.0)), 100);
    exif.addShorts(0x8827, {static_cast<std::uint16_t>(info.iso)});
    exif.addAscii(0x9003, info.date_time);
    const auto maker_note_size = static_cast<std::uint32_t>(SonyMakerNote::size());
    exif.addExternal(0x927C, TiffIfd::Undefined, maker_note_size, 0);
    if (!info.lens_model.empty()) exif.addAscii(0xA434, info.lens_model);  // LensModel, as bodies write it

    // Raw IFD.
    const SensorLayout& l = image.layout;
    const auto black = static_cast<std::uint16_t>(image.black_level);
    const auto white = static_cast<std::uint16_t>(image.white_level);
    auto defaultCrop = [&l](TiffIfd& raw) {
        std::vector<std::uint8_t> origin;
        std::vector<std::uint8_t> size;
        for (unsigned v : {l.crop_left, l.crop_top}) {
            for (unsigned i = 0; i < 4; ++i) origin.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
        }
        for (unsigned v : {l.crop_width, l.crop_height}) {
            for (unsigned i = 0; i < 4; ++i) size.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
        }
        raw.addBytes(0xC61F, TiffIfd::Long, std::move(origin));
        raw.addBytes(0xC620, TiffIfd::Long, std::move(size));
    };
    // The lossless raw IFD for tiles starting at `strip_at`, in the order of a real ILCE-7M4 file
    // (metadata-extractor's dump of one, in drewnoakes/metadata-extractor-images): StripOffsets
    // before BitsPerSample is what makes LibRaw 0.21 probe the first tile and take Sony's decoder.
    auto losslessIfd = [&](std::size_t strip_at) {
        TiffIfd raw(TiffIfd::Order::AsAdded);
        raw.addLong(0x0100, l.raw_width);
        raw.addLong(0x0101, l.raw_height);
        raw.addShorts(0x0103, {7});
        raw.addShorts(0x0106, {32803});
        raw.addShorts(0x0115, {1});
        raw.addShorts(0x011C, {1});
        raw.addShorts(0x828D, {2, 2});
        raw.addBytes(0x828E, TiffIfd::Byte, {0, 1, 1, 2});
        raw.addShorts(0x7310, {black, black, black, black});
        raw.addLong(0x0111, static_cast<std::uint32_t>(strip_at));
        raw.addLong(0x0116, l.raw_height);
        raw.addLong(0x0117, offset32(strip_bytes));
        defaultCrop(raw);
        raw.addShorts(0xC61D, {white, white, white});
        raw.addShorts(0x0102, {SonyLosslessCodec::kPrecision});
        raw.addLong(0x0142, tiles->tile_width);
        raw.addLong(0x0143, tiles->tile_length);
        std::vector<std::uint32_t> offsets;
        std::vector<std::uint32_t> counts;
        for (std::size_t i = 0; i < tiles->count(); ++i) {
            offsets.push_back(offset32(strip_at + tiles->offsets[i]));
            counts.push_back(offset32(tiles->byte_counts[i]));
        }
        raw.addLongs(0x0144, offsets);
        raw.addLongs(0x0145, counts);
        return raw;
    };
    TiffIfd raw;
    if (kind == ArwKind::Lossless) {
        raw = losslessIfd(0);  // for its size; rebuilt below with the offsets
    } else {
        raw.addLong(0x0100, l.raw_width);
        raw.addLong(0x0101, l.raw_height);
        raw.addShorts(0x0102, {static_cast<std::uint16_t>(kind == ArwKind::Compressed ? 8 : 16)});
        raw.addShorts(0x0103, {static_cast<std::uint16_t>(kind == ArwKind::Compressed ? 32767 : 1)});
        raw.addShorts(0x0106, {32803});
        raw.addLong(0x0111, 0);  // StripOffsets, set below
        raw.addShorts(0x0115, {1});
        raw.addLong(0x0116, l.raw_height);
        raw.addLong(0x0117, offset32(strip_bytes));
        raw.addShorts(0x011C, {1});
        if (kind == ArwKind::Compressed) {
            const CrawCodec::Knots& k = codec.knots();
            raw.addShorts(0x7010, {k[0], k[1], k[2], k[3]});
        }
        raw.addShorts(0x7310, {black, black, black, black});
        raw.addShorts(0x828D, {2, 2});
        raw.addBytes(0x828E, TiffIfd::Byte, {0, 1, 1, 2});
        raw.addShorts(0xC61D, {white, white, white});
        defaultCrop(raw);
    }

    // Layout: header, IFD0, EXIF IFD, maker note, raw IFD, then the strip.
    const std::size_t ifd0_at = 8;
    const std::size_t exif_at = ifd0_at + ifd0.size();
    const std::size_t maker_note_at = exif_at + exif.size();
    const std::size_t raw_at = maker_note_at + ((maker_note_size + 3) & ~3U);
    const std::size_t strip_at = (raw_at + raw.size() + kStripAlignment - 1) / kStripAlignment * kStripAlignment;
    offset32(strip_at + strip_bytes);
    ifd0.setOffset(0x014A, offset32(raw_at));
    ifd0.setOffset(0x8769, offset32(exif_at));
    exif.setOffset(0x927C, offset32(maker_note_at));
    if (kind == ArwKind::Lossless) {
        raw = losslessIfd(strip_at);
    } else {
        raw.setOffset(0x0111, offset32(strip_at));
    }

    std::vector<std::uint8_t> out{'I', 'I', 42, 0, 8, 0, 0, 0};
    ifd0.serialise(offset32(ifd0_at), out);
    exif.serialise(offset32(exif_at), out);
    SonyMakerNote::Content note;
    note.camera_id = camera_id;
    note.ambient_temperature_c = info.ambient_temperature_c;
    note.sensor_temperature_c = info.sensor_temperature_c;
    note.battery_temperature_c = info.battery_temperature_c;
    const std::vector<std::uint8_t> maker_note = SonyMakerNote::build(note, offset32(maker_note_at));
    out.insert(out.end(), maker_note.begin(), maker_note.end());
    out.resize(raw_at, 0);
    raw.serialise(offset32(raw_at), out);
    out.resize(strip_at, 0);
    return out;
}

std::size_t ArwFile::stripSize() const noexcept {
    switch (kind_) {
    case ArwKind::Compressed: return strip_.size();
    case ArwKind::Lossless: return tiles_.data.size();
    default: return pixels_.size() * 2;
    }
}

void ArwFile::read(std::size_t offset, std::span<std::uint8_t> out) const {
    if (offset > size() || out.size() > size() - offset) {
        throw std::out_of_range("ARW read of " + std::to_string(out.size()) + " bytes at " + std::to_string(offset) +
                                " leaves the file of " + std::to_string(size()) + " bytes");
    }
    std::size_t done = 0;
    if (offset < header_.size()) {
        done = std::min(out.size(), header_.size() - offset);
        std::memcpy(out.data(), header_.data() + offset, done);
    }
    if (done == out.size()) return;
    const std::size_t from = offset + done - header_.size();  // offset inside the strip
    const std::size_t count = out.size() - done;
    std::uint8_t* target = out.data() + done;
    if (kind_ == ArwKind::Compressed) {
        std::memcpy(target, strip_.data() + from, count);
        return;
    }
    if (kind_ == ArwKind::Lossless) {
        std::memcpy(target, tiles_.data.data() + from, count);
        return;
    }
    // Little-endian 16-bit words: on a little-endian host, the vector's own bytes.
    if constexpr (std::endian::native == std::endian::little) {
        std::memcpy(target, reinterpret_cast<const std::uint8_t*>(pixels_.data()) + from, count);
        return;
    }
    for (std::size_t i = 0; i < count; ++i) {
        const std::size_t byte = from + i;
        target[i] = static_cast<std::uint8_t>(pixels_[byte / 2] >> (8 * (byte % 2)));
    }
}

std::vector<std::uint8_t> ArwFile::bytes() const {
    std::vector<std::uint8_t> out(size());
    read(0, out);
    return out;
}

void ArwFile::writeTo(std::ostream& out) const {
    std::vector<std::uint8_t> chunk(std::min<std::size_t>(size(), std::size_t{1} << 20));
    for (std::size_t offset = 0; offset < size(); offset += chunk.size()) {
        const std::size_t n = std::min(chunk.size(), size() - offset);
        read(offset, std::span(chunk).first(n));
        out.write(reinterpret_cast<const char*>(chunk.data()), static_cast<std::streamsize>(n));
        if (!out) throw std::runtime_error("writing the ARW file failed");
    }
}

std::vector<std::uint16_t> ArwFile::decodedValues() const {
    if (kind_ == ArwKind::Compressed) return CrawCodec().decode(strip_, layout_);
    if (kind_ == ArwKind::Lossless) return SonyLosslessCodec().decode(tiles_, layout_);
    return pixels_;
}

std::vector<std::uint8_t> writeArw(const RawImage& image, const ArwInfo& info, ArwKind kind) {
    if (kind != ArwKind::Uncompressed) return ArwFile(image, info, kind).bytes();
    // Uncompressed: header and pixels straight into the buffer, without a second copy of the frame.
    std::vector<std::uint8_t> out = ArwFile::header(image, info, kind);
    const std::size_t at = out.size();
    out.resize(at + image.pixels.size() * 2);
    for (std::size_t i = 0; i < image.pixels.size(); ++i) {
        out[at + 2 * i] = static_cast<std::uint8_t>(image.pixels[i]);
        out[at + 2 * i + 1] = static_cast<std::uint8_t>(image.pixels[i] >> 8);
    }
    return out;
}

}  // namespace sonyalpaca::ptp::sim
