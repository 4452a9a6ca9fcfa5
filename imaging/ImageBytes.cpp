// SPDX-License-Identifier: GPL-3.0-or-later
#include "imaging/ImageBytes.hpp"

#include "imaging/Transpose.hpp"

#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>

namespace sonyalpaca::imaging {
namespace {

void put32(std::uint8_t* at, std::uint32_t value) noexcept {
    for (unsigned i = 0; i < 4; ++i) at[i] = static_cast<std::uint8_t>(value >> (8 * i));
}

void put32(std::uint8_t* at, std::int32_t value) noexcept { put32(at, static_cast<std::uint32_t>(value)); }

}  // namespace

void ImageBytesHeader::encodeTo(std::span<std::uint8_t, kSize> out) const noexcept {
    std::uint8_t* p = out.data();
    put32(p + 0, kMetadataVersion);
    put32(p + 4, error_number);
    put32(p + 8, client_transaction_id);
    put32(p + 12, server_transaction_id);
    put32(p + 16, kDataStart);
    put32(p + 20, static_cast<std::int32_t>(image_element_type));
    put32(p + 24, static_cast<std::int32_t>(transmission_element_type));
    put32(p + 28, rank);
    put32(p + 32, dimension1);
    put32(p + 36, dimension2);
    put32(p + 40, dimension3);
}

std::array<std::uint8_t, ImageBytesHeader::kSize> ImageBytesHeader::encode() const noexcept {
    std::array<std::uint8_t, kSize> out{};
    encodeTo(out);
    return out;
}

ImageBytes::ImageBytes(const Frame& frame) : num_x_(frame.width), num_y_(frame.height) {
    constexpr auto kMaxSide = static_cast<unsigned>(std::numeric_limits<std::int32_t>::max());
    if (frame.width == 0 || frame.height == 0 || frame.width > kMaxSide || frame.height > kMaxSide) {
        throw std::invalid_argument("ImageBytes of a " + std::to_string(frame.width) + "x" +
                                    std::to_string(frame.height) + " frame: both sides must be 1 to 2147483647");
    }
    if (frame.pixels.size() != frame.pixelCount()) {
        throw std::invalid_argument("ImageBytes: a " + std::to_string(frame.width) + "x" +
                                    std::to_string(frame.height) + " frame holds " +
                                    std::to_string(frame.pixels.size()) + " pixels");
    }
    words_ = kHeaderWords + frame.pixelCount();
    buffer_ = std::make_unique_for_overwrite<std::uint16_t[]>(words_);
    std::memset(buffer_.get(), 0, ImageBytesHeader::kSize);
    transposeToColumns(frame.pixels, frame.width, frame.height,
                       std::span<std::uint16_t>(buffer_.get() + kHeaderWords, frame.pixelCount()));
}

std::span<const std::uint16_t> ImageBytes::columns() const noexcept {
    return {buffer_.get() + kHeaderWords, words_ - kHeaderWords};
}

std::span<const std::uint8_t> ImageBytes::pixelBytes() const noexcept {
    const auto* bytes = reinterpret_cast<const std::uint8_t*>(buffer_.get());
    return {bytes + ImageBytesHeader::kSize, (words_ - kHeaderWords) * sizeof(std::uint16_t)};
}

ImageBytesHeader ImageBytes::headerFields(std::uint32_t client_transaction_id,
                                          std::uint32_t server_transaction_id) const noexcept {
    ImageBytesHeader h;
    h.client_transaction_id = client_transaction_id;
    h.server_transaction_id = server_transaction_id;
    h.image_element_type = ImageElementType::Int32;
    h.transmission_element_type = ImageElementType::UInt16;
    h.rank = 2;
    h.dimension1 = static_cast<std::int32_t>(num_x_);
    h.dimension2 = static_cast<std::int32_t>(num_y_);
    h.dimension3 = 0;
    return h;
}

std::array<std::uint8_t, ImageBytesHeader::kSize> ImageBytes::header(
    std::uint32_t client_transaction_id, std::uint32_t server_transaction_id) const noexcept {
    return headerFields(client_transaction_id, server_transaction_id).encode();
}

std::span<const std::uint8_t> ImageBytes::stamp(std::uint32_t client_transaction_id,
                                                std::uint32_t server_transaction_id) noexcept {
    const auto bytes = header(client_transaction_id, server_transaction_id);
    std::memcpy(buffer_.get(), bytes.data(), bytes.size());
    return {reinterpret_cast<const std::uint8_t*>(buffer_.get()), words_ * sizeof(std::uint16_t)};
}

std::vector<std::uint8_t> imageBytesError(std::int32_t error_number, std::string_view message,
                                          std::uint32_t client_transaction_id, std::uint32_t server_transaction_id) {
    if (error_number <= 0) {
        throw std::invalid_argument("an ImageBytes error needs a positive ErrorNumber, got " +
                                    std::to_string(error_number));
    }
    ImageBytesHeader h;
    h.error_number = error_number;
    h.client_transaction_id = client_transaction_id;
    h.server_transaction_id = server_transaction_id;
    std::vector<std::uint8_t> out(ImageBytesHeader::kSize + message.size());
    h.encodeTo(std::span<std::uint8_t, ImageBytesHeader::kSize>(out.data(), ImageBytesHeader::kSize));
    std::memcpy(out.data() + ImageBytesHeader::kSize, message.data(), message.size());
    return out;
}

}  // namespace sonyalpaca::imaging
