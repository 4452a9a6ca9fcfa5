// SPDX-License-Identifier: GPL-3.0-or-later
#include "imaging/RawDecoder.hpp"

#include "config/RawTypes.hpp"
#include "imaging/ArwProbe.hpp"

#include <libraw/libraw.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cctype>
#include <cstdio>
#include <cstring>
#include <memory>
#include <mutex>
#include <new>
#include <string_view>
#include <vector>

namespace sonyalpaca::imaging {
namespace {

/// Serialises every use of LibRaw: Debian's plain libraw is its non-thread-safe build.
std::mutex& libRawMutex() {
    static std::mutex mutex;
    return mutex;
}

constexpr std::string_view kRawFileTypeHint =
    "set the camera's RAW file type to Uncompressed (MENU → Shooting → File Format → RAW File Type; "
    "on newer bodies MENU → Shooting → Image Quality → RAW File Type)";

using config::decodesSonyLossless;
using config::libRawVersion;

[[noreturn]] void fail(const std::string& what) { throw DecodeError(what); }

/// No callbacks that print to stderr: every failure comes back as a status code. LibRaw 0.21
/// (Debian 13) dropped the memory-error callback and its option; 0.20 (Debian 12) still has both.
#if LIBRAW_COMPILE_CHECK_VERSION_NOTLESS(0, 21)
constexpr unsigned kLibRawOptions = LIBRAW_OPIONS_NO_DATAERR_CALLBACK;
#else
constexpr unsigned kLibRawOptions = LIBRAW_OPIONS_NO_MEMERR_CALLBACK | LIBRAW_OPIONS_NO_DATAERR_CALLBACK;
#endif

std::string sizeText(std::size_t bytes) { return std::to_string(bytes) + " bytes"; }

/// A failure of open or unpack, explained.
[[noreturn]] void failLibRaw(int code, std::string_view step, std::size_t bytes) {
    std::string message = "cannot decode the raw file (" + sizeText(bytes) + "): LibRaw " + libRawVersion() + " " +
                          std::string(step) + " failed: " + LibRaw::strerror(code);
    switch (code) {
    case LIBRAW_FILE_UNSUPPORTED:
        message += ". The file is not a raw format this LibRaw knows (a camera newer than the library, or not a "
                   "raw file at all); " +
                   std::string(kRawFileTypeHint) + ", or install a newer libraw";
        break;
    case LIBRAW_IO_ERROR:
    case LIBRAW_DATA_ERROR:
        message += ". The file is damaged or truncated: take the picture again, and check the USB cable if it "
                   "happens again";
        break;
    case LIBRAW_UNSUFFICIENT_MEMORY:
    case LIBRAW_TOO_BIG:
    case LIBRAW_MEMPOOL_OVERFLOW:
        message += ". Free memory on this computer, or choose a smaller image size on the camera";
        break;
    default: break;
    }
    throw DecodeError(message);
}

/// LibRaw's "no value" for a temperature is −1000.
std::optional<double> temperature(float value) {
    if (!(value > -999.0F) || value > 1000.0F) return std::nullopt;
    return static_cast<double>(value);
}

/// Sony stores whole °C as a signed byte; LibRaw 0.20.2 reads it unsigned (−5 → 251).
std::optional<double> sonySignedByte(std::optional<double> value) {
    if (value && *value > 127.0 && *value <= 255.0) return *value - 256.0;
    return value;
}

std::string trimmed(const char* text, std::size_t capacity) {
    std::string s(text, ::strnlen(text, capacity));
    const auto space = [](unsigned char c) { return std::isspace(c) != 0; };
    while (!s.empty() && space(static_cast<unsigned char>(s.back()))) s.pop_back();
    std::size_t start = 0;
    while (start < s.size() && space(static_cast<unsigned char>(s[start]))) ++start;
    return s.substr(start);
}

/// Where the RGGB cell starts in LibRaw's visible area: (dx, dy) in {0,1}², or nothing when the
/// colour filter array is not a 2x2 Bayer pattern with one red, two greens and one blue.
std::optional<std::array<unsigned, 2>> rggbOrigin(LibRaw& raw) {
    const unsigned filters = raw.imgdata.idata.filters;
    if (filters < 1000) return std::nullopt;  // none (0), Leaf (1), X-Trans (9), other fcol tables
    auto colour = [&raw](unsigned row, unsigned col) {
        return raw.COLOR(static_cast<int>(row), static_cast<int>(col));
    };
    auto green = [](int c) { return c == 1 || c == 3; };
    // filters describes 8 rows x 2 columns; a Bayer array repeats every 2.
    for (unsigned row = 0; row < 8; ++row) {
        for (unsigned col = 0; col < 2; ++col) {
            if (colour(row, col) != colour(row % 2, col)) return std::nullopt;
        }
    }
    for (unsigned dy = 0; dy < 2; ++dy) {
        for (unsigned dx = 0; dx < 2; ++dx) {
            if (colour(dy, dx) == 0 && green(colour(dy, dx + 1)) && green(colour(dy + 1, dx)) &&
                colour(dy + 1, dx + 1) == 2) {
                return std::array<unsigned, 2>{dx, dy};
            }
        }
    }
    return std::nullopt;
}

RawMetadata readMetadata(const libraw_data_t& d) {
    RawMetadata m;
    m.make = trimmed(d.idata.make, sizeof d.idata.make);
    m.model = trimmed(d.idata.model, sizeof d.idata.model);
    m.iso = static_cast<double>(d.other.iso_speed);
    m.exposure_s = static_cast<double>(d.other.shutter);
    m.f_number = static_cast<double>(d.other.aperture);
    m.focal_length_mm = static_cast<double>(d.other.focal_len);
    if (d.other.timestamp > 0) m.timestamp = std::chrono::system_clock::from_time_t(d.other.timestamp);
    std::string lens = trimmed(d.lens.Lens, sizeof d.lens.Lens);
    if (lens.empty()) lens = trimmed(d.lens.makernotes.Lens, sizeof d.lens.makernotes.Lens);
    if (!lens.empty()) m.lens = lens;

    const auto& notes = d.makernotes.common;
    m.sensor_temperature_c = temperature(notes.SensorTemperature);
    m.ambient_temperature_c = temperature(notes.AmbientTemperature);
    m.battery_temperature_c = temperature(notes.BatteryTemperature);
    if (m.make == "Sony") {
        m.sensor_temperature_c = sonySignedByte(m.sensor_temperature_c);
        m.ambient_temperature_c = sonySignedByte(m.ambient_temperature_c);
    }
    return m;
}

}  // namespace

namespace {

/// The file's RAW type in the camera's words, from the probe, for messages.
std::string rawKind(const ArwProbe& probe) {
    if (!probe.raw_compression) return "raw file";
    switch (*probe.raw_compression) {
    case 1: return "uncompressed raw file";
    case 7: return "lossless-compressed raw file";
    case 32767: return "compressed (cRAW) raw file";
    default: return "raw file (TIFF compression " + std::to_string(*probe.raw_compression) + ")";
    }
}

/// What the copy of the visible area saw, for the check that LibRaw really decoded the file.
struct PixelCensus {
    std::size_t zeros = 0;
    std::uint16_t lowest = 0xFFFF;
    std::uint16_t highest = 0;
};

/// LibRaw 0.21 returns success and an all-zero mosaic for a file it could not really decode (its
/// lossless loader on data that is not lossless JPEG, a tile it skips): a black frame served as a
/// picture. A Sony sensor never reads 0 above a black level of 512, and no exposure is one flat
/// value, so either is a decoding failure. Throws DecodeError saying what to do.
void requireRealPixels(LibRaw& raw, const PixelCensus& census, std::size_t pixels, const RawMetadata& m,
                       const ArwProbe& probe) {
    const bool flat = census.lowest == census.highest;
    const bool holes = m.black_level > 0 && census.zeros * 1000 > pixels;  // more than 0.1 % at 0
    if (!flat && !holes) return;
    libraw_decoder_info_t info{};
    raw.get_decoder_info(&info);
    const std::string decoder = info.decoder_name != nullptr ? info.decoder_name : "none";
    std::string seen;
    if (flat) {
        seen = "every pixel at " + std::to_string(census.lowest);
    } else {
        char share[32];
        std::snprintf(share, sizeof share, "%.1f %%",
                      100.0 * static_cast<double>(census.zeros) / static_cast<double>(pixels));
        seen = std::string(share) + " of the pixels at 0, below the black level " + std::to_string(m.black_level);
    }
    std::string message = "LibRaw " + libRawVersion() + " did not really decode the " + rawKind(probe) + " from the " +
                          m.make + " " + m.model + ": its decoder (" + decoder + ") reported success but left " + seen +
                          "; the daemon does not serve such a frame. " + std::string(kRawFileTypeHint);
    if (probe.sonyLossless()) message += " (this file is lossless-compressed)";
    message += "; if Uncompressed RAW fails too, the file is damaged: take the picture again";
    fail(message);
}

/// decodeArw's work; `owner`, when given, holds `file` and is emptied once LibRaw has unpacked it.
RawFrame decode(std::span<const std::uint8_t> file, std::vector<std::uint8_t>* owner) {
    const std::size_t bytes = file.size();
    if (bytes == 0) fail("cannot decode the raw file: it is empty (the download returned no data)");
    const ArwProbe probe = ArwProbe::inspect(file);
    if (probe.jpeg) {
        fail("the camera sent a JPEG image, not a raw file: set the camera's file format to RAW "
             "(MENU → Shooting → File Format, or Image Quality → File Format)");
    }
    if (probe.sonyLossless() && !decodesSonyLossless()) {
        fail("the camera saved a lossless-compressed ARW, which LibRaw " + libRawVersion() + " cannot decode (" +
             std::string(config::kLosslessLibRawHint) + "): " + std::string(kRawFileTypeHint) +
             "; Compressed also works, but is lossy");
    }

    const std::lock_guard lock(libRawMutex());
    try {
        auto raw = std::make_unique<LibRaw>(kLibRawOptions);
        // LibRaw 0.20's open_buffer takes void* but only reads through it.
        void* buffer = const_cast<std::uint8_t*>(file.data());
        if (const int status = raw->open_buffer(buffer, bytes); status != LIBRAW_SUCCESS) {
            failLibRaw(status, "open", bytes);
        }
        if (const int status = raw->unpack(); status != LIBRAW_SUCCESS) failLibRaw(status, "unpack", bytes);
        // The mosaic is in LibRaw's own buffer now: the file is not read again. Giving it back here
        // keeps the file and the decoded frame from being held at once (a Pi's memory).
        if (owner != nullptr) std::vector<std::uint8_t>().swap(*owner);

        const libraw_data_t& d = raw->imgdata;
        RawFrame out;
        out.metadata = readMetadata(d);
        const std::string camera = out.metadata.make + " " + out.metadata.model;
        if (d.rawdata.raw_image == nullptr || d.idata.filters == 0) {
            fail("the raw file from the " + camera +
                 " holds no Bayer mosaic (Sony's M and S sizes of lossless RAW are colour images, not "
                 "sensor data): set the image size to L and " +
                 std::string(kRawFileTypeHint));
        }
        const auto origin = rggbOrigin(*raw);
        if (!origin) {
            fail("the " + camera + " has a colour filter array that is not an RGGB Bayer pattern (LibRaw filters 0x" +
                 [&] {
                     char hex[9];
                     std::snprintf(hex, sizeof hex, "%08X", d.idata.filters);
                     return std::string(hex);
                 }() +
                 "); this daemon serves Bayer sensors only");
        }

        const libraw_image_sizes_t& s = d.sizes;
        const unsigned dx = (*origin)[0];
        const unsigned dy = (*origin)[1];
        const std::size_t pitch = s.raw_pitch / sizeof(std::uint16_t);  // in pixels
        if (s.width <= dx + 1 || s.height <= dy + 1 || s.left_margin + s.width > s.raw_width ||
            s.top_margin + s.height > s.raw_height || pitch < s.raw_width) {
            fail("the raw file from the " + camera + " has an inconsistent geometry (visible " +
                 std::to_string(s.width) + "x" + std::to_string(s.height) + " at (" + std::to_string(s.left_margin) +
                 "," + std::to_string(s.top_margin) + ") in " + std::to_string(s.raw_width) + "x" +
                 std::to_string(s.raw_height) + "); the file is probably damaged");
        }

        RawMetadata& m = out.metadata;
        m.raw_width = s.raw_width;
        m.raw_height = s.raw_height;
        m.crop_left = s.left_margin + dx;
        m.crop_top = s.top_margin + dy;
        m.black_level = d.color.black + *std::min_element(d.color.cblack, d.color.cblack + 4);
        m.white_level = d.color.maximum;
        if (m.white_level == 0 || m.white_level > 0xFFFF) m.white_level = 0xFFFF;
        m.bit_depth = static_cast<unsigned>(std::bit_width(m.white_level));
        m.max_adu = static_cast<unsigned>((std::uint32_t{1} << m.bit_depth) - 1);

        Frame& frame = out.image;
        frame.width = (s.width - dx) & ~1U;
        frame.height = (s.height - dy) & ~1U;
        frame.pixels.resize(frame.pixelCount());
        // The one copy: raw_image, cropped row by row, clipped to max_adu.
        const auto max_adu = static_cast<std::uint16_t>(m.max_adu);
        std::size_t clipped = 0;
        PixelCensus census;
        for (unsigned y = 0; y < frame.height; ++y) {
            const std::uint16_t* source = d.rawdata.raw_image + (m.crop_top + y) * pitch + m.crop_left;
            std::uint16_t* target = frame.pixels.data() + static_cast<std::size_t>(y) * frame.width;
            std::size_t row_clipped = 0;
            std::size_t row_zeros = 0;
            std::uint16_t row_low = 0xFFFF;
            std::uint16_t row_high = 0;
            for (unsigned x = 0; x < frame.width; ++x) {
                const std::uint16_t v = source[x];
                row_clipped += v > max_adu ? 1U : 0U;
                row_zeros += v == 0 ? 1U : 0U;
                row_low = std::min(row_low, v);
                row_high = std::max(row_high, v);
                target[x] = std::min(v, max_adu);
            }
            clipped += row_clipped;
            census.zeros += row_zeros;
            census.lowest = std::min(census.lowest, row_low);
            census.highest = std::max(census.highest, row_high);
        }
        m.clipped_pixels = clipped;
        requireRealPixels(*raw, census, frame.pixelCount(), m, probe);
        return out;
    } catch (const std::bad_alloc&) {
        fail("not enough memory to decode the raw file (" + sizeText(bytes) +
             "): free memory on this computer, or choose a smaller image size on the camera");
    }
}

}  // namespace

RawFrame decodeArw(std::span<const std::uint8_t> file) { return decode(file, nullptr); }

RawFrame decodeArw(std::vector<std::uint8_t>&& file) { return decode(file, &file); }

}  // namespace sonyalpaca::imaging
