// SPDX-License-Identifier: GPL-3.0-or-later
#include "ptp/sim/sky/TiffIfd.hpp"

#include <algorithm>
#include <stdexcept>

namespace sonyalpaca::ptp::sim {

namespace {

void put16(std::vector<std::uint8_t>& out, std::uint16_t v) {
    out.push_back(static_cast<std::uint8_t>(v));
    out.push_back(static_cast<std::uint8_t>(v >> 8));
}

void put32(std::vector<std::uint8_t>& out, std::uint32_t v) {
    for (unsigned i = 0; i < 4; ++i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

std::uint32_t typeSize(TiffIfd::Type type) {
    switch (type) {
    case TiffIfd::Short: return 2;
    case TiffIfd::Long: return 4;
    case TiffIfd::Rational: return 8;
    default: return 1;
    }
}

}  // namespace

void TiffIfd::insert(Entry entry) {
    if (order_ == Order::AsAdded) {
        for (const Entry& e : entries_) {
            if (e.tag == entry.tag) throw std::logic_error("TIFF tag added twice");
        }
        entries_.push_back(std::move(entry));
        return;
    }
    auto at = std::lower_bound(entries_.begin(), entries_.end(), entry.tag,
                               [](const Entry& e, std::uint16_t tag) { return e.tag < tag; });
    if (at != entries_.end() && at->tag == entry.tag) throw std::logic_error("TIFF tag added twice");
    entries_.insert(at, std::move(entry));
}

void TiffIfd::addShorts(std::uint16_t tag, const std::vector<std::uint16_t>& values) {
    std::vector<std::uint8_t> bytes;
    for (std::uint16_t v : values) put16(bytes, v);
    insert({tag, Short, static_cast<std::uint32_t>(values.size()), std::move(bytes), 0});
}

void TiffIfd::addLong(std::uint16_t tag, std::uint32_t value) {
    std::vector<std::uint8_t> bytes;
    put32(bytes, value);
    insert({tag, Long, 1, std::move(bytes), 0});
}

void TiffIfd::addLongs(std::uint16_t tag, const std::vector<std::uint32_t>& values) {
    std::vector<std::uint8_t> bytes;
    for (std::uint32_t v : values) put32(bytes, v);
    insert({tag, Long, static_cast<std::uint32_t>(values.size()), std::move(bytes), 0});
}

void TiffIfd::addBytes(std::uint16_t tag, Type type, std::vector<std::uint8_t> bytes) {
    const auto count = static_cast<std::uint32_t>(bytes.size());
    insert({tag, type, count, std::move(bytes), 0});
}

void TiffIfd::addAscii(std::uint16_t tag, const std::string& text) {
    std::vector<std::uint8_t> bytes(text.begin(), text.end());
    bytes.push_back(0);
    addBytes(tag, Ascii, std::move(bytes));
}

void TiffIfd::addRational(std::uint16_t tag, std::uint32_t numerator, std::uint32_t denominator) {
    std::vector<std::uint8_t> bytes;
    put32(bytes, numerator);
    put32(bytes, denominator);
    insert({tag, Rational, 1, std::move(bytes), 0});
}

void TiffIfd::addExternal(std::uint16_t tag, Type type, std::uint32_t count, std::uint32_t offset) {
    insert({tag, type, count, {}, offset});
}

void TiffIfd::setOffset(std::uint16_t tag, std::uint32_t offset) {
    for (Entry& e : entries_) {
        if (e.tag != tag) continue;
        if (e.bytes.empty()) {
            e.field = offset;
        } else if (e.type == Long && e.count == 1) {
            e.bytes.clear();
            put32(e.bytes, offset);
        } else {
            break;
        }
        return;
    }
    throw std::logic_error("TIFF tag to receive an offset is missing or not a LONG");
}

std::size_t TiffIfd::size() const {
    std::size_t size = 2 + 12 * entries_.size() + 4;
    for (const Entry& e : entries_) {
        if (e.bytes.size() > 4) size += padded(e.bytes.size());
    }
    return padded(size);
}

void TiffIfd::serialise(std::uint32_t at, std::vector<std::uint8_t>& out, std::uint32_t next) const {
    const std::size_t start = out.size();
    auto data_offset = static_cast<std::uint32_t>(at + 2 + 12 * entries_.size() + 4);
    put16(out, static_cast<std::uint16_t>(entries_.size()));
    for (const Entry& e : entries_) {
        put16(out, e.tag);
        put16(out, e.type);
        put32(out, e.bytes.empty() ? e.count : static_cast<std::uint32_t>(e.bytes.size()) / typeSize(e.type));
        if (e.bytes.empty()) {
            put32(out, e.field);
        } else if (e.bytes.size() <= 4) {
            out.insert(out.end(), e.bytes.begin(), e.bytes.end());
            out.resize(out.size() + 4 - e.bytes.size(), 0);
        } else {
            put32(out, data_offset);
            data_offset += static_cast<std::uint32_t>(padded(e.bytes.size()));
        }
    }
    put32(out, next);
    for (const Entry& e : entries_) {
        if (e.bytes.size() <= 4) continue;
        out.insert(out.end(), e.bytes.begin(), e.bytes.end());
        out.resize(out.size() + padded(e.bytes.size()) - e.bytes.size(), 0);
    }
    out.resize(start + size(), 0);
}

}  // namespace sonyalpaca::ptp::sim
