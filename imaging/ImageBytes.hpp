// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "imaging/Frame.hpp"

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

namespace sonyalpaca::imaging {

/// Element type codes of Alpaca's ImageBytes metadata (API Reference §8.7.2; alpaca.md §4).
enum class ImageElementType : std::int32_t {
    Unknown = 0,
    Int16 = 1,
    Int32 = 2,
    Double = 3,
    Single = 4,
    UInt64 = 5,
    Byte = 6,
    Int64 = 7,
    UInt16 = 8,
    UInt32 = 9,
};

/// The metadata at the start of every ImageBytes response (version 1): eleven little-endian 32-bit
/// fields, MetadataVersion, ErrorNumber, ClientTransactionID, ServerTransactionID, DataStart,
/// ImageElementType, TransmissionElementType, Rank, Dimension1, Dimension2, Dimension3, in that order.
struct ImageBytesHeader {
    static constexpr std::size_t kSize = 44;
    static constexpr std::int32_t kMetadataVersion = 1;
    static constexpr std::int32_t kDataStart = 44;  ///< the data follows the header directly

    std::int32_t error_number = 0;
    std::uint32_t client_transaction_id = 0;
    std::uint32_t server_transaction_id = 0;
    ImageElementType image_element_type = ImageElementType::Unknown;
    ImageElementType transmission_element_type = ImageElementType::Unknown;
    std::int32_t rank = 0;
    std::int32_t dimension1 = 0;  ///< NumX
    std::int32_t dimension2 = 0;  ///< NumY
    std::int32_t dimension3 = 0;  ///< planes; 0 for a 2-D array

    /// Writes the 44 bytes to `out`.
    void encodeTo(std::span<std::uint8_t, kSize> out) const noexcept;
    std::array<std::uint8_t, kSize> encode() const noexcept;
};

/// A frame in Alpaca's ImageBytes form, built once per frame: the pixels transposed into Alpaca's
/// order (x the slowest index, y the fastest; alpaca.md §4) as little-endian UInt16, behind a
/// 44-byte slot for the header, in one contiguous buffer. Sent as ImageElementType Int32 (what
/// ImageArray is) with TransmissionElementType UInt16, Rank 2, Dimension1 NumX, Dimension2 NumY.
///
/// The transaction ids differ per response while the pixels do not: header() makes the 44 bytes
/// for one response, so a server sends them followed by pixelBytes(), shared by every request of
/// the same frame. The x-major values also feed ImageArrayJson (columns()).
///
/// The const members are thread-safe; stamp() is not.
class ImageBytes {
public:
    static_assert(std::endian::native == std::endian::little,
                  "ImageBytes keeps the pixels in the host's order, which must be Alpaca's little-endian");

    /// Transposes `frame` (blocked, see transposeToColumns). Throws std::invalid_argument when the
    /// frame is empty, its pixel count does not match its size, or a side exceeds INT32_MAX.
    explicit ImageBytes(const Frame& frame);

    unsigned numX() const noexcept { return num_x_; }
    unsigned numY() const noexcept { return num_y_; }

    /// The pixels in Alpaca's order: element (x, y) at x * numY() + y.
    std::span<const std::uint16_t> columns() const noexcept;
    /// The data that follows the header: numX * numY * 2 bytes, UInt16 little-endian.
    std::span<const std::uint8_t> pixelBytes() const noexcept;
    /// Bytes of a whole response, header included (the Content-Length).
    std::size_t size() const noexcept { return ImageBytesHeader::kSize + pixelBytes().size(); }

    /// The header fields of a successful response with these transaction ids.
    ImageBytesHeader headerFields(std::uint32_t client_transaction_id,
                                  std::uint32_t server_transaction_id) const noexcept;
    /// The 44 header bytes of a successful response with these transaction ids.
    std::array<std::uint8_t, ImageBytesHeader::kSize> header(std::uint32_t client_transaction_id,
                                                             std::uint32_t server_transaction_id) const noexcept;

    /// The whole response in the one buffer, after writing the header with these ids into the
    /// slot in front of the pixels. For a caller that owns this object alone: the slot is shared,
    /// so concurrent responses must use header() + pixelBytes() instead.
    std::span<const std::uint8_t> stamp(std::uint32_t client_transaction_id,
                                        std::uint32_t server_transaction_id) noexcept;

private:
    static constexpr std::size_t kHeaderWords = ImageBytesHeader::kSize / sizeof(std::uint16_t);

    unsigned num_x_ = 0;
    unsigned num_y_ = 0;
    std::size_t words_ = 0;                    // header slot + pixels, in 16-bit words
    std::unique_ptr<std::uint16_t[]> buffer_;  // not value-initialised: written once by the transpose
};

/// An ImageBytes error response (API Reference §8.6.2, §8.9): the header with the error number,
/// element types Unknown, rank and dimensions 0, then the message as UTF-8 with no terminator.
/// (alpaca.md §4 recommends sending errors as JSON even when ImageBytes was accepted, because the
/// .NET client and alpyca do not read this form; it is here for clients that do.) Throws
/// std::invalid_argument when error_number is not positive.
std::vector<std::uint8_t> imageBytesError(std::int32_t error_number, std::string_view message,
                                          std::uint32_t client_transaction_id, std::uint32_t server_transaction_id);

}  // namespace sonyalpaca::imaging
