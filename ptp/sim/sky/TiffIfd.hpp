// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace sonyalpaca::ptp::sim {

/// One little-endian TIFF image file directory being assembled. Entries are kept in ascending tag
/// order, as TIFF asks, or in the order they were added, as Sony writes the raw directory of its
/// lossless files (readers such as LibRaw act on the tags in file order); values of more than 4 bytes
/// go into a data area that follows the directory directly. Offsets in a TIFF are absolute, so the
/// directory is serialised for a known file offset.
class TiffIfd {
public:
    enum Type : std::uint16_t { Byte = 1, Ascii = 2, Short = 3, Long = 4, Rational = 5, Undefined = 7 };
    enum class Order { Ascending, AsAdded };

    explicit TiffIfd(Order order = Order::Ascending) : order_(order) {}

    void addShorts(std::uint16_t tag, const std::vector<std::uint16_t>& values);
    void addLong(std::uint16_t tag, std::uint32_t value);
    /// LONG values; inline when there is one.
    void addLongs(std::uint16_t tag, const std::vector<std::uint32_t>& values);
    void addBytes(std::uint16_t tag, Type type, std::vector<std::uint8_t> bytes);
    /// NUL-terminated.
    void addAscii(std::uint16_t tag, const std::string& text);
    void addRational(std::uint16_t tag, std::uint32_t numerator, std::uint32_t denominator);
    /// An entry whose value lives elsewhere in the file: the 4-byte field holds `offset` itself
    /// (e.g. the maker note, or a sub-directory whose offset is set later with setOffset).
    void addExternal(std::uint16_t tag, Type type, std::uint32_t count, std::uint32_t offset);
    /// Changes the 4-byte field of an existing LONG or external entry. Throws std::logic_error if absent.
    void setOffset(std::uint16_t tag, std::uint32_t offset);

    /// Bytes the directory and its data area take: 2 + 12·n + 4 + data, a multiple of 4.
    std::size_t size() const;
    /// Appends the directory as placed at absolute file offset `at` (== out.size() usually).
    /// `next` is the offset of the next directory, 0 for none.
    void serialise(std::uint32_t at, std::vector<std::uint8_t>& out, std::uint32_t next = 0) const;

private:
    struct Entry {
        std::uint16_t tag;
        Type type;
        std::uint32_t count;
        std::vector<std::uint8_t> bytes;  // the value; empty for external entries
        std::uint32_t field;              // external entries: the 4-byte field
    };
    void insert(Entry entry);
    static std::size_t padded(std::size_t n) { return (n + 3) & ~std::size_t{3}; }

    Order order_;
    std::vector<Entry> entries_;
};

}  // namespace sonyalpaca::ptp::sim
