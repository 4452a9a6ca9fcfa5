// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace sonyalpaca::ptp::sim {

/// Appends little-endian PTP values to a byte buffer.
class ByteWriter {
public:
    void u8(std::uint8_t v) { bytes_.push_back(v); }
    void u16(std::uint16_t v) { put(v, 2); }
    void u32(std::uint32_t v) { put(v, 4); }
    void u64(std::uint64_t v) { put(v, 8); }
    void i8(std::int8_t v) { u8(static_cast<std::uint8_t>(v)); }
    void i16(std::int16_t v) { u16(static_cast<std::uint16_t>(v)); }
    /// A PTP string: u8 character count including the terminating NUL, then UTF-16LE (ASCII here).
    /// The empty string is the single byte 0.
    void string(std::string_view text);
    /// A PTP array of u16: u32 count, then the values.
    void u16Array(std::span<const std::uint16_t> values);
    /// UTF-16LE text with a NUL terminator and no count (PTP/IP names).
    void utf16z(std::string_view text);
    void raw(std::span<const std::uint8_t> data) { bytes_.insert(bytes_.end(), data.begin(), data.end()); }
    /// A value of `size` bytes (1, 2, 4 or 8).
    void put(std::uint64_t v, std::size_t size) {
        for (std::size_t i = 0; i < size; ++i) bytes_.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
    }

    std::vector<std::uint8_t>& bytes() { return bytes_; }
    std::vector<std::uint8_t> take() { return std::move(bytes_); }

private:
    std::vector<std::uint8_t> bytes_;
};

/// Reads little-endian values from a byte span; throws std::out_of_range past the end.
class ByteReader {
public:
    explicit ByteReader(std::span<const std::uint8_t> data) : data_(data) {}
    std::uint8_t u8() { return static_cast<std::uint8_t>(get(1)); }
    std::uint16_t u16() { return static_cast<std::uint16_t>(get(2)); }
    std::uint32_t u32() { return static_cast<std::uint32_t>(get(4)); }
    std::uint64_t u64() { return get(8); }
    /// A value of `size` bytes.
    std::uint64_t get(std::size_t size) {
        if (position_ + size > data_.size()) throw std::out_of_range("PTP data too short");
        std::uint64_t value = 0;
        for (std::size_t i = 0; i < size; ++i) value |= std::uint64_t{data_[position_ + i]} << (8 * i);
        position_ += size;
        return value;
    }
    std::size_t remaining() const { return data_.size() - position_; }
    void skip(std::size_t n) {
        if (position_ + n > data_.size()) throw std::out_of_range("PTP data too short");
        position_ += n;
    }

private:
    std::span<const std::uint8_t> data_;
    std::size_t position_ = 0;
};

inline void ByteWriter::string(std::string_view text) {
    if (text.empty()) {
        u8(0);
        return;
    }
    const std::size_t length = std::min<std::size_t>(text.size(), 254);
    u8(static_cast<std::uint8_t>(length + 1));
    for (std::size_t i = 0; i < length; ++i) u16(static_cast<std::uint8_t>(text[i]));
    u16(0);
}

inline void ByteWriter::u16Array(std::span<const std::uint16_t> values) {
    u32(static_cast<std::uint32_t>(values.size()));
    for (auto v : values) u16(v);
}

inline void ByteWriter::utf16z(std::string_view text) {
    for (char c : text) u16(static_cast<std::uint8_t>(c));
    u16(0);
}

}  // namespace sonyalpaca::ptp::sim
