// SPDX-License-Identifier: GPL-3.0-or-later
#include "imaging/ImageArrayJson.hpp"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <stdexcept>

namespace sonyalpaca::imaging {
namespace {

/// Element text is at most '[' + 5 digits + ']' + ','.
constexpr std::size_t kMaxElement = 8;

constexpr unsigned decimalDigits(std::uint16_t v) noexcept {
    return 1U + static_cast<unsigned>(v >= 10) + static_cast<unsigned>(v >= 100) + static_cast<unsigned>(v >= 1000) +
           static_cast<unsigned>(v >= 10000);
}

}  // namespace

ImageArrayJson::ImageArrayJson(std::span<const std::uint16_t> columns, unsigned num_x, unsigned num_y,
                               std::uint32_t client_transaction_id, std::uint32_t server_transaction_id)
    : values_(columns), num_x_(num_x), num_y_(num_y) {
    if (num_x == 0 || num_y == 0 || columns.size() != static_cast<std::size_t>(num_x) * num_y) {
        throw std::invalid_argument("ImageArray JSON of " + std::to_string(num_x) + "x" + std::to_string(num_y) +
                                    " needs that many values (at least 1x1), got " + std::to_string(columns.size()));
    }
    prefix_ = R"({"Type":2,"Rank":2,"Value":[)";
    suffix_ = R"(],"ClientTransactionID":)" + std::to_string(client_transaction_id) + R"(,"ServerTransactionID":)" +
              std::to_string(server_transaction_id) + R"(,"ErrorNumber":0,"ErrorMessage":""})";
    column_start_.resize(std::size_t{num_x} + 1);
    std::size_t offset = prefix_.size();
    for (unsigned x = 0; x < num_x; ++x) {
        column_start_[x] = offset;
        const std::uint16_t* column = values_.data() + static_cast<std::size_t>(x) * num_y;
        std::size_t digits = 0;
        for (unsigned y = 0; y < num_y; ++y) digits += decimalDigits(column[y]);
        // "[" values, commas between them, "]", and a comma before the next column.
        offset += digits + (num_y - 1) + 2 + (x + 1 < num_x ? 1 : 0);
    }
    column_start_[num_x] = offset;
    total_size_ = offset + suffix_.size();
}

std::size_t ImageArrayJson::formatElement(char* out) const noexcept {
    char* p = out;
    if (y_ == 0) *p++ = '[';
    p = std::to_chars(p, out + kMaxElement, values_[static_cast<std::size_t>(x_) * num_y_ + y_]).ptr;
    if (y_ + 1 < num_y_) {
        *p++ = ',';
    } else {
        *p++ = ']';
        if (x_ + 1 < num_x_) *p++ = ',';
    }
    return static_cast<std::size_t>(p - out);
}

void ImageArrayJson::advanceElement() noexcept {
    if (++y_ < num_y_) return;
    y_ = 0;
    if (++x_ == num_x_) part_ = Part::Suffix;
}

std::size_t ImageArrayJson::writeValues(char* out, std::size_t capacity) noexcept {
    char* p = out;
    char* const end = out + capacity;
    while (part_ == Part::Values && end - p >= static_cast<std::ptrdiff_t>(kMaxElement)) {
        if (y_ == 0 || y_ + 1 == num_y_) {
            p += formatElement(p);
            advanceElement();
            continue;
        }
        // The middle of a column, the hot loop: value and comma.
        const std::uint16_t* column = values_.data() + static_cast<std::size_t>(x_) * num_y_;
        const unsigned last = num_y_ - 1;
        unsigned y = y_;
        while (y < last && end - p >= static_cast<std::ptrdiff_t>(kMaxElement)) {
            p = std::to_chars(p, p + 5, column[y]).ptr;
            *p++ = ',';
            ++y;
        }
        y_ = y;
    }
    return static_cast<std::size_t>(p - out);
}

void ImageArrayJson::seek(std::size_t offset) {
    position_ = offset;
    pending_size_ = 0;
    pending_at_ = 0;
    x_ = 0;
    y_ = 0;
    if (offset >= total_size_) {
        part_ = Part::End;
        return;
    }
    if (offset < prefix_.size()) {
        part_ = Part::Prefix;
        return;
    }
    if (offset >= column_start_[num_x_]) {
        part_ = Part::Suffix;
        return;
    }
    part_ = Part::Values;
    const auto first = column_start_.begin();
    const auto after = std::upper_bound(first, first + num_x_, offset);
    x_ = static_cast<unsigned>(after - first - 1);
    std::size_t at = column_start_[x_];
    for (unsigned i = 0; i < num_y_; ++i) {
        char text[kMaxElement];
        const std::size_t n = formatElement(text);
        if (offset < at + n) {
            std::memcpy(pending_, text, n);
            pending_size_ = n;
            pending_at_ = offset - at;
            advanceElement();
            return;
        }
        at += n;
        advanceElement();
    }
}

std::size_t ImageArrayJson::write(std::size_t offset, char* out, std::size_t capacity) {
    if (offset >= total_size_ || capacity == 0) return 0;
    if (offset != position_) seek(offset);
    const std::size_t n = std::min(capacity, total_size_ - offset);
    std::size_t done = 0;
    // A pass writes bytes or formats one element (at least 2 bytes) to be written by the next one.
    const std::size_t max_passes = 2 * n + 4;
    for (std::size_t pass = 0; done < n && pass < max_passes; ++pass) {
        const std::size_t at = offset + done;
        if (pending_at_ < pending_size_) {
            const std::size_t k = std::min(pending_size_ - pending_at_, n - done);
            std::memcpy(out + done, pending_ + pending_at_, k);
            pending_at_ += k;
            done += k;
            continue;
        }
        switch (part_) {
        case Part::Prefix: {
            const std::size_t k = std::min(prefix_.size() - at, n - done);
            std::memcpy(out + done, prefix_.data() + at, k);
            done += k;
            if (at + k == prefix_.size()) part_ = Part::Values;
            break;
        }
        case Part::Values:
            if (n - done >= kMaxElement) {
                done += writeValues(out + done, n - done);
            } else {
                pending_size_ = formatElement(pending_);
                pending_at_ = 0;
                advanceElement();
            }
            break;
        case Part::Suffix: {
            const std::size_t from = at - column_start_[num_x_];
            const std::size_t k = std::min(suffix_.size() - from, n - done);
            std::memcpy(out + done, suffix_.data() + from, k);
            done += k;
            if (from + k == suffix_.size()) part_ = Part::End;
            break;
        }
        case Part::End:  // cannot happen: n stops at the end
            position_ = offset + done;
            return done;
        }
    }
    position_ = offset + done;
    return done;
}

}  // namespace sonyalpaca::imaging
