// SPDX-License-Identifier: GPL-3.0-or-later
#include "imaging/ArwProbe.hpp"

#include <algorithm>
#include <cctype>
#include <string_view>
#include <vector>

namespace sonyalpaca::imaging {
namespace {

constexpr std::uint16_t kTagCompression = 0x0103;
constexpr std::uint16_t kTagMake = 0x010F;
constexpr std::uint16_t kTagPhotometric = 0x0106;
constexpr std::uint16_t kTagSubIfds = 0x014A;
constexpr unsigned kPhotometricCfa = 32803;
constexpr std::size_t kMaxEntries = 1000;  // real IFDs hold a few dozen
constexpr std::size_t kMaxSubIfds = 8;

/// Bounds-checked reads in the file's byte order.
class TiffReader {
public:
    TiffReader(std::span<const std::uint8_t> file, bool big_endian) : file_(file), big_endian_(big_endian) {}

    std::optional<std::uint32_t> read(std::size_t at, std::size_t bytes) const {
        if (at > file_.size() || bytes > file_.size() - at) return std::nullopt;
        std::uint32_t value = 0;
        for (std::size_t i = 0; i < bytes; ++i) {
            const std::size_t index = big_endian_ ? at + i : at + bytes - 1 - i;
            value = value << 8 | file_[index];
        }
        return value;
    }
    std::span<const std::uint8_t> file() const { return file_; }

private:
    std::span<const std::uint8_t> file_;
    bool big_endian_;
};

/// One IFD entry's value(s) as unsigned numbers (SHORT or LONG), at most `limit` of them.
std::vector<std::uint32_t> numbers(const TiffReader& r, std::size_t entry, std::size_t limit) {
    const auto type = r.read(entry + 2, 2);
    const auto count = r.read(entry + 4, 4);
    if (!type || !count) return {};
    const std::size_t size = *type == 3 ? 2 : *type == 4 || *type == 13 ? 4 : 0;  // SHORT, LONG, IFD
    if (size == 0) return {};
    const std::size_t n = std::min<std::size_t>(*count, limit);
    std::size_t at = entry + 8;
    if (size * *count > 4) {
        const auto offset = r.read(entry + 8, 4);
        if (!offset) return {};
        at = *offset;
    }
    std::vector<std::uint32_t> out;
    for (std::size_t i = 0; i < n; ++i) {
        const auto v = r.read(at + i * size, size);
        if (!v) break;
        out.push_back(*v);
    }
    return out;
}

struct IfdFacts {
    std::optional<unsigned> compression;
    std::optional<unsigned> photometric;
    std::vector<std::uint32_t> sub_ifds;
    std::string make;
};

IfdFacts readIfd(const TiffReader& r, std::size_t at) {
    IfdFacts facts;
    const auto count = r.read(at, 2);
    if (!count) return facts;
    const std::size_t n = std::min<std::size_t>(*count, kMaxEntries);
    for (std::size_t i = 0; i < n; ++i) {
        const std::size_t entry = at + 2 + 12 * i;
        const auto tag = r.read(entry, 2);
        if (!tag) break;
        if (*tag == kTagCompression || *tag == kTagPhotometric) {
            const auto v = numbers(r, entry, 1);
            if (v.empty()) continue;
            (*tag == kTagCompression ? facts.compression : facts.photometric) = v.front();
        } else if (*tag == kTagSubIfds) {
            facts.sub_ifds = numbers(r, entry, kMaxSubIfds);
        } else if (*tag == kTagMake) {
            const auto type = r.read(entry + 2, 2);
            const auto length = r.read(entry + 4, 4);
            if (!type || *type != 2 || !length) continue;  // ASCII
            const std::size_t size = std::min<std::size_t>(*length, 64);
            std::size_t from = entry + 8;
            if (*length > 4) {
                const auto offset = r.read(entry + 8, 4);
                if (!offset) continue;
                from = *offset;
            }
            for (std::size_t k = 0; k < size; ++k) {
                const auto c = r.read(from + k, 1);
                if (!c || *c == 0) break;
                facts.make.push_back(static_cast<char>(*c));
            }
        }
    }
    return facts;
}

}  // namespace

ArwProbe ArwProbe::inspect(std::span<const std::uint8_t> file) noexcept {
    ArwProbe probe;
    try {
        if (file.size() >= 2 && file[0] == 0xFF && file[1] == 0xD8) {
            probe.jpeg = true;
            return probe;
        }
        if (file.size() < 8) return probe;
        const bool little = file[0] == 'I' && file[1] == 'I' && file[2] == 42 && file[3] == 0;
        const bool big = file[0] == 'M' && file[1] == 'M' && file[2] == 0 && file[3] == 42;
        if (!little && !big) return probe;
        probe.tiff = true;
        const TiffReader reader(file, big);
        const auto ifd0_at = reader.read(4, 4);
        if (!ifd0_at) return probe;
        const IfdFacts ifd0 = readIfd(reader, *ifd0_at);
        probe.make = ifd0.make;
        std::optional<unsigned> first_sub;
        if (ifd0.photometric == kPhotometricCfa) probe.raw_compression = ifd0.compression;
        for (std::size_t i = 0; i < ifd0.sub_ifds.size() && !probe.raw_compression; ++i) {
            const IfdFacts sub = readIfd(reader, ifd0.sub_ifds[i]);
            if (i == 0) first_sub = sub.compression;
            if (sub.photometric == kPhotometricCfa) probe.raw_compression = sub.compression;
        }
        if (!probe.raw_compression) probe.raw_compression = first_sub;
    } catch (...) {
        // std::bad_alloc from a vector or string: report what was read so far.
    }
    return probe;
}

bool ArwProbe::sonyLossless() const noexcept {
    constexpr std::string_view kSony = "SONY";
    if (make.size() < kSony.size()) return false;
    for (std::size_t i = 0; i < kSony.size(); ++i) {
        if (std::toupper(static_cast<unsigned char>(make[i])) != kSony[i]) return false;
    }
    return raw_compression == 7U;
}

}  // namespace sonyalpaca::imaging
