// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace sonyalpaca::imaging {

/// Alpaca's JSON ImageArray response, written piece by piece into a caller's buffer, never whole
/// in memory (a 24 MP frame makes about 140 MB of text):
///
///     {"Type":2,"Rank":2,"Value":[[v(0,0),v(0,1),…],[v(1,0),…],…],"ClientTransactionID":c,
///      "ServerTransactionID":s,"ErrorNumber":0,"ErrorMessage":""}
///
/// Type 2 (Int32) and Rank 2 come first, unspaced, for clients that pick them out with a regular
/// expression; Value[x][y] is NumX lists of NumY values (alpaca.md §3.4).
///
/// The length is known before the first byte (totalSize(), from the values' digit counts), so an
/// HTTP server can send it with a Content-Length through a content provider. write() takes any
/// offset, as such a provider asks with (offset, length): the object keeps a cursor, so sequential
/// offsets continue at once; any other offset (a restart from 0, a retry) seeks through a table of
/// per-column offsets in O(log NumX + NumY).
///
/// Holds a view of the values: they must outlive the writer. One writer per response: write() moves
/// the cursor, so it is not thread-safe; the const members are.
class ImageArrayJson {
public:
    /// `columns` holds the values in Alpaca's order, (x, y) at x * num_y + y (ImageBytes::columns()).
    /// Throws std::invalid_argument when num_x or num_y is 0 or columns.size() != num_x * num_y.
    ImageArrayJson(std::span<const std::uint16_t> columns, unsigned num_x, unsigned num_y,
                   std::uint32_t client_transaction_id, std::uint32_t server_transaction_id);

    /// Bytes in the whole document.
    std::size_t totalSize() const noexcept { return total_size_; }

    /// Writes document bytes [offset, offset + n) to `out`, n = min(capacity, totalSize() − offset),
    /// and returns n (0 at or past the end).
    std::size_t write(std::size_t offset, char* out, std::size_t capacity);

private:
    enum class Part { Prefix, Values, Suffix, End };

    void seek(std::size_t offset);
    /// The text of element (x_, y_): '[' before y = 0, the value, then ',' or ']' (and ',' between
    /// columns). At most 8 characters.
    std::size_t formatElement(char* out) const noexcept;
    void advanceElement() noexcept;
    /// Writes whole elements while at least 8 bytes are free; returns the bytes written.
    std::size_t writeValues(char* out, std::size_t capacity) noexcept;

    std::span<const std::uint16_t> values_;
    unsigned num_x_;
    unsigned num_y_;
    std::string prefix_;
    std::string suffix_;
    std::vector<std::size_t> column_start_;  // document offset of column x; [num_x] = start of the suffix
    std::size_t total_size_ = 0;

    // The cursor: the next byte to write is document offset position_.
    std::size_t position_ = 0;
    Part part_ = Part::Prefix;
    unsigned x_ = 0;
    unsigned y_ = 0;
    char pending_[8] = {};  // the rest of an element cut by the end of a buffer
    std::size_t pending_size_ = 0;
    std::size_t pending_at_ = 0;
};

}  // namespace sonyalpaca::imaging
