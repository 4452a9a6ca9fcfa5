// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "ptp/sim/sky/RawImage.hpp"
#include "ptp/sim/sky/SonyLosslessCodec.hpp"

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace sonyalpaca::ptp::sim {

/// Sony raw file variants the simulated body writes.
enum class ArwKind {
    Uncompressed,  ///< 14-bit values in 16-bit little-endian words, 2 bytes per pixel
    Compressed,    ///< Sony's lossy cRAW, 1 byte per pixel (CrawCodec)
    Lossless,      ///< Sony's lossless-compressed RAW (ARW 4.0): lossless-JPEG tiles (SonyLosslessCodec);
                   ///< LibRaw decodes it from 0.21 on (Debian 13), 0.20.2 does not
};

/// What a file records about its exposure besides the pixels.
struct ArwInfo {
    std::string model = "ILCE-7M3";                 ///< IFD0 Model; printable ASCII, 1–63 characters
    std::optional<std::uint16_t> camera_id;         ///< maker-note 0xB001; default: the model's id
    double exposure_s = 1.0;                        ///< > 0
    unsigned iso = 100;                             ///< 1..65535
    double f_number = 2.8;                          ///< >= 0 (0: unknown)
    double sensor_temperature_c = 20.0;             ///< whole degrees, −128..127
    double ambient_temperature_c = 15.0;            ///< whole degrees, −128..127
    double battery_temperature_c = 20.0;            ///< whole °F 0..255, i.e. −17.8..123.9 °C
    std::string date_time = "2024:01:01 00:00:00";  ///< "YYYY:MM:DD HH:MM:SS"
    std::string lens_model;                         ///< EXIF LensModel (0xA434); empty: none written
};

/// A Sony ARW file made to the recipe of arw.md §3, which Debian 12's LibRaw 0.20.2 decodes:
/// a little-endian TIFF with IFD0 (Make SONY, Model, DateTime, a SubIFD and the EXIF IFD), the EXIF
/// IFD (exposure, f-number, ISO, DateTimeOriginal, MakerNote), a Sony maker note (temperatures and
/// camera id, SonyMakerNote), and the raw IFD (CFA RGGB, black 0x7310, white 0xC61D, Sony's
/// DefaultCrop 0xC61F/0xC620, the cRAW tone curve 0x7010), followed by one strip of pixel data.
///
/// A lossless file's raw IFD is written as Sony writes it (a real ILCE-7M4 file's tags, in file
/// order): Compression 7, its tags in Sony's order rather than ascending, StripOffsets/StripByteCounts
/// spanning all tiles and listed before BitsPerSample 14, then TileWidth/TileLength 512 and the
/// TileOffsets/TileByteCounts of the lossless-JPEG tiles (256x256 tiles where 512 would make
/// exactly four: LibRaw reads four TileOffsets as a Sinar 4-shot file). LibRaw 0.21 picks its Sony lossless
/// decoder from that order: it probes the JPEG at StripOffsets while BitsPerSample is still unset.
/// The raw size is the image's: padding the frame to whole tiles, as bodies do (an ILCE-7M4 writes
/// 7168x5120), is the caller's choice of layout.
///
/// The file is kept as its header plus the pixel data, and serialised on demand, so that holding a
/// file ready for download costs no second copy of the frame: an uncompressed file keeps the image's
/// pixel vector (moved in), a compressed one only its 1-byte-per-pixel strip, a lossless one only
/// its coded tiles. Immutable once made; const members are thread-safe.
class ArwFile {
public:
    /// Throws std::invalid_argument naming the field when the image or the info is invalid, the
    /// model has no known camera id and none is given, (Compressed) raw_width is not a multiple of
    /// 32, or (Lossless) a raw side is odd or a value exceeds 16383. An uncompressed file takes over
    /// the pixels of an image passed as an rvalue and copies those of an lvalue; a compressed or
    /// lossless one keeps only its coded data either way.
    ArwFile(RawImage&& image, const ArwInfo& info, ArwKind kind);
    ArwFile(const RawImage& image, const ArwInfo& info, ArwKind kind);

    /// The bytes before the pixel strip (TIFF header, IFDs, maker note), for `image`'s layout and
    /// levels; the strip follows at header().size(). Throws as the constructor does. (Lossless: the
    /// header lists the tiles, so this codes the image.)
    static std::vector<std::uint8_t> header(const RawImage& image, const ArwInfo& info, ArwKind kind);

    ArwKind kind() const noexcept { return kind_; }
    /// Bytes in the file.
    std::size_t size() const noexcept { return header_.size() + stripSize(); }
    /// Where the pixel strip starts (Lossless: the first tile; the tiles follow back to back).
    std::size_t stripOffset() const noexcept { return header_.size(); }

    /// Copies file bytes [offset, offset + out.size()) into `out` (e.g. one transfer chunk).
    /// Throws std::out_of_range when the range leaves the file.
    void read(std::size_t offset, std::span<std::uint8_t> out) const;
    /// The whole file in one buffer.
    std::vector<std::uint8_t> bytes() const;
    /// Writes the whole file; throws std::runtime_error when the stream fails.
    void writeTo(std::ostream& out) const;

    /// The raw values a decoder reads back from this file: the written pixels when uncompressed or
    /// lossless (decoded from the tiles), what the cRAW coding keeps when compressed (CrawCodec::decode).
    std::vector<std::uint16_t> decodedValues() const;

private:
    static void check(const RawImage& image, const ArwInfo& info, ArwKind kind);
    static std::vector<std::uint8_t> makeHeader(const RawImage& image, const ArwInfo& info, ArwKind kind,
                                                const SonyLosslessCodec::Tiles* tiles);
    void code(const RawImage& image, const ArwInfo& info);
    std::size_t stripSize() const noexcept;

    ArwKind kind_;
    SensorLayout layout_;
    std::vector<std::uint8_t> header_;
    std::vector<std::uint16_t> pixels_;  // Uncompressed
    std::vector<std::uint8_t> strip_;    // Compressed
    SonyLosslessCodec::Tiles tiles_;     // Lossless
};

/// The file in one buffer, as ArwFile(image, info, kind).bytes() (without copying the frame twice).
std::vector<std::uint8_t> writeArw(const RawImage& image, const ArwInfo& info, ArwKind kind);

}  // namespace sonyalpaca::ptp::sim
