// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "imaging/Frame.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace sonyalpaca::imaging {

/// A raw file that cannot become a Bayer frame. The message says what is wrong in the camera's
/// terms and, where there is one, which camera setting to change.
class DecodeError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// What a raw file says about itself besides the pixels, as LibRaw reports it.
struct RawMetadata {
    // Geometry.
    unsigned raw_width = 0;  ///< the whole readout, margins included
    unsigned raw_height = 0;
    unsigned crop_left = 0;  ///< where the frame's (0, 0) lies in the readout
    unsigned crop_top = 0;
    /// Colour of the frame's (0, 0): the frame is cropped so that the mosaic is always RGGB from
    /// the origin, so both offsets are 0 (Alpaca's BayerOffsetX/Y for SensorType RGGB).
    unsigned bayer_offset_x = 0;
    unsigned bayer_offset_y = 0;

    // Levels, on the scale of the pixel values.
    unsigned black_level = 0;  ///< LibRaw's black plus the smallest per-channel black (cblack)
    unsigned white_level = 0;  ///< LibRaw's maximum: where the sensor clips (Sony: 15360 on 14 bits)
    unsigned bit_depth = 0;    ///< bits needed for white_level: 14 for Sony's 15360, 12 for 4095
    unsigned max_adu = 0;      ///< 2^bit_depth − 1 (16383 for 14 bits): Alpaca's MaxADU
    /// Values above max_adu (possible in cRAW files, whose tone curve ends above it, and only in
    /// pixels past white_level, i.e. saturated ones) were clipped to max_adu.
    std::size_t clipped_pixels = 0;

    // Exposure.
    std::string make;            ///< as LibRaw normalises it ("Sony")
    std::string model;           ///< "ILCE-7M3"
    double iso = 0;              ///< 0: unknown
    double exposure_s = 0;       ///< shutter time; 0: unknown
    double f_number = 0;         ///< 0: unknown (manual lenses, adapters)
    double focal_length_mm = 0;  ///< 0: unknown
    /// The camera's clock at capture (EXIF DateTimeOriginal). Cameras do not record their time
    /// zone; LibRaw reads the clock as the host's local time.
    std::optional<std::chrono::system_clock::time_point> timestamp;
    std::optional<std::string> lens;  ///< lens name, when the file names one

    // Sony maker-note temperatures, °C; unset when the file does not carry them.
    std::optional<double> sensor_temperature_c;   ///< 0x9403 (ExifTool: CameraTemperature)
    std::optional<double> ambient_temperature_c;  ///< 0x9402; not recorded by SLT/ILCA bodies
    std::optional<double> battery_temperature_c;  ///< 0x9406, whole °F converted
};

/// A decoded raw file: the Bayer mosaic of LibRaw's visible area (no demosaicing, no black
/// subtraction, no scaling: the sensor's values), cropped so that (0, 0) is a red photosite.
struct RawFrame {
    Frame image;
    RawMetadata metadata;
};

/// Decodes a raw file held in memory (Sony ARW, uncompressed or cRAW; any Bayer raw LibRaw knows)
/// with LibRaw: open, unpack, then one pass that copies LibRaw's visible area (sizes.width x
/// sizes.height at the top/left margins) into the frame. When the mosaic does not start with red
/// there, the crop moves by one column and/or row, so that the frame is RGGB from (0, 0); both
/// sides are then rounded down to even numbers, so the frame is whole 2x2 cells.
///
/// LibRaw's visible area is not Sony's DefaultCrop (arw.md §2.3): for a 6048-wide readout
/// LibRaw 0.20.2 keeps 6024x4024 at (0, 0), Sony's crop is 6000x4000 at (12, 12). The frame is
/// LibRaw's, which is what other LibRaw-based astronomy software shows.
///
/// Temperatures: LibRaw 0.20.2 reads Sony's signed temperature bytes as unsigned, so −5 °C comes
/// back as 251; values above 127 are mapped back to T − 256 (arw.md §2.4).
///
/// LibRaw's word that it decoded the file is not taken alone: LibRaw 0.21 returns success and an
/// all-zero mosaic for some files it cannot decode. A frame of one flat value, or with more than
/// 0.1 % of its pixels at 0 while the black level is above 0 (Sony: 512), is refused.
///
/// Throws DecodeError with a message a person can act on: a JPEG instead of a raw file, a
/// lossless-compressed ARW with a LibRaw older than 0.21 (the message names the camera setting and
/// the release that decodes it), a file that holds no Bayer mosaic, a file LibRaw did not really
/// decode (the decoder it chose, what it left), a damaged or truncated file, too little memory.
/// Thread-safe: calls are serialised, because Debian's libraw build is not thread-safe.
RawFrame decodeArw(std::span<const std::uint8_t> file);

/// The same, taking the file: it is freed as soon as LibRaw has unpacked it, so that the file and
/// the frame are never held at once (on a Pi, a 61 MP uncompressed file is 122 MB). `file` is empty
/// afterwards, also when decoding failed after the unpack.
RawFrame decodeArw(std::vector<std::uint8_t>&& file);

}  // namespace sonyalpaca::imaging
