// SPDX-License-Identifier: GPL-3.0-or-later
#include "imaging/FitsWriter.hpp"

#include <fcntl.h>
#include <fitsio.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <stdexcept>
#include <string_view>
#include <system_error>
#include <utility>

namespace sonyalpaca::imaging {
namespace {

constexpr std::size_t kFitsBlock = 2880;
constexpr std::size_t kCardBytes = 80;
constexpr std::size_t kMaxStringValue = 68;  // what fits on one card between the quotes

constexpr std::array<std::string_view, 8> kReservedKeys = {"SIMPLE", "BITPIX",   "EXTEND", "BZERO",
                                                           "BSCALE", "ROWORDER", "END",    "PCOUNT"};

std::string printable(std::string_view text, std::size_t limit) {
    std::string out;
    out.reserve(std::min(text.size(), limit));
    for (std::size_t i = 0; i < text.size() && out.size() < limit; ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        out.push_back(c >= 0x20 && c < 0x7F ? static_cast<char>(c) : '?');
    }
    return out;
}

void checkCard(const FitsCard& card) {
    const auto invalid = [&card](const std::string& what) {
        throw std::invalid_argument("FITS card \"" + card.key + "\": " + what);
    };
    if (card.key.empty() || card.key.size() > 8) invalid("a keyword has 1 to 8 characters");
    for (char c : card.key) {
        if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) {
            invalid("a keyword holds only A-Z, 0-9, '-' and '_'");
        }
    }
    const bool reserved = std::find(kReservedKeys.begin(), kReservedKeys.end(), card.key) != kReservedKeys.end() ||
                          card.key.rfind("NAXIS", 0) == 0;
    if (reserved) invalid("the writer sets this keyword itself");
    if (const double* d = std::get_if<double>(&card.value); d != nullptr && !std::isfinite(*d)) {
        invalid("the value must be a finite number");
    }
    if ((card.key == "COMMENT" || card.key == "HISTORY") && !std::holds_alternative<std::string>(card.value)) {
        invalid("takes a string value");
    }
}

/// Size of the finished file: the header (the cards plus the writer's own, rounded up to whole
/// blocks) and the data (rounded up to whole blocks).
std::size_t expectedFileSize(const Frame& frame, std::size_t cards) {
    const std::size_t header_cards = cards + 12;  // SIMPLE … BSCALE, ROWORDER, cfitsio's comments, END
    const std::size_t header = (header_cards * kCardBytes + kFitsBlock - 1) / kFitsBlock * kFitsBlock;
    const std::size_t data = (frame.pixelCount() * 2 + kFitsBlock - 1) / kFitsBlock * kFitsBlock;
    return header + data;
}

std::string errnoText(int error) { return std::system_category().message(error); }

/// A failure while writing the temporary file, in the terms of `path` (the file the user knows).
[[noreturn]] void failWrite(const std::filesystem::path& path, const std::string& doing, int error, int fits_status) {
    std::string message = "cannot write the FITS file " + path.string() + ": " + doing;
    if (error != 0) message += ": " + errnoText(error);
    if (fits_status != 0) {
        char status_text[FLEN_STATUS] = {};
        fits_get_errstatus(fits_status, status_text);
        message += std::string(" (cfitsio: ") + status_text;
        char detail[FLEN_ERRMSG] = {};
        if (fits_read_errmsg(detail) != 0) {
            std::string text = detail;
            while (!text.empty() && (text.back() == ':' || text.back() == ' ')) text.pop_back();
            if (!text.empty()) message += ": " + text;
        }
        message += ")";
        fits_clear_errmsg();
    }
    throw std::runtime_error(message);
}

/// The temporary file: removed on destruction unless it was renamed into place.
class TemporaryFile {
public:
    explicit TemporaryFile(std::filesystem::path path) : path_(std::move(path)) {}
    ~TemporaryFile() {
        if (!committed_) ::unlink(path_.c_str());
    }
    TemporaryFile(const TemporaryFile&) = delete;
    TemporaryFile& operator=(const TemporaryFile&) = delete;
    const std::filesystem::path& path() const { return path_; }
    void committed() { committed_ = true; }

private:
    std::filesystem::path path_;
    bool committed_ = false;
};

/// Closes a cfitsio file still open when writing fails.
class FitsHandle {
public:
    FitsHandle() = default;
    ~FitsHandle() {
        if (file_ != nullptr) {
            int ignored = 0;
            fits_close_file(file_, &ignored);
        }
    }
    FitsHandle(const FitsHandle&) = delete;
    FitsHandle& operator=(const FitsHandle&) = delete;
    fitsfile** out() { return &file_; }
    fitsfile* get() const { return file_; }
    /// Closes the file; returns cfitsio's status.
    int close() {
        int status = 0;
        fits_close_file(std::exchange(file_, nullptr), &status);
        return status;
    }

private:
    fitsfile* file_ = nullptr;
};

void writeCard(fitsfile* file, const FitsCard& card, int& status) {
    const std::string comment = printable(card.comment, kCardBytes);
    const char* comment_text = comment.empty() ? nullptr : comment.c_str();
    // cfitsio's API takes char* and void* for values it only reads.
    std::string key = card.key;
    if (const auto* text = std::get_if<std::string>(&card.value)) {
        std::string value = printable(*text, kMaxStringValue);
        if (card.key == "COMMENT") {
            fits_write_comment(file, value.c_str(), &status);
        } else if (card.key == "HISTORY") {
            fits_write_history(file, value.c_str(), &status);
        } else {
            fits_write_key(file, TSTRING, key.c_str(), value.data(), comment_text, &status);
        }
    } else if (const auto* number = std::get_if<double>(&card.value)) {
        double value = *number;
        fits_write_key(file, TDOUBLE, key.c_str(), &value, comment_text, &status);
    } else if (const auto* integer = std::get_if<std::int64_t>(&card.value)) {
        LONGLONG value = *integer;
        fits_write_key(file, TLONGLONG, key.c_str(), &value, comment_text, &status);
    } else if (const auto* flag = std::get_if<bool>(&card.value)) {
        int value = *flag ? 1 : 0;
        fits_write_key(file, TLOGICAL, key.c_str(), &value, comment_text, &status);
    }
}

std::string temporaryName(const std::filesystem::path& path) {
    static std::atomic<unsigned> counter{0};
    return "." + path.filename().string() + ".tmp-" + std::to_string(::getpid()) + "-" +
           std::to_string(counter.fetch_add(1));
}

}  // namespace

void writeFits(const std::filesystem::path& path, const Frame& frame, std::span<const FitsCard> cards) {
    if (frame.width == 0 || frame.height == 0 || frame.pixels.size() != frame.pixelCount()) {
        throw std::invalid_argument("FITS file " + path.string() + ": the frame of " + std::to_string(frame.width) +
                                    "x" + std::to_string(frame.height) + " holds " +
                                    std::to_string(frame.pixels.size()) + " pixels");
    }
    if (!path.has_filename()) throw std::invalid_argument("FITS file \"" + path.string() + "\" names no file");
    for (const FitsCard& card : cards) checkCard(card);

    const std::filesystem::path folder = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
    std::error_code error;
    std::filesystem::create_directories(folder, error);
    if (error) {
        throw std::runtime_error("cannot write the FITS file " + path.string() + ": cannot create the folder " +
                                 folder.string() + ": " + error.message());
    }
    struct statvfs space = {};
    // Pseudo file systems (/proc, /sys) report no blocks at all: nothing to check there.
    if (::statvfs(folder.c_str(), &space) == 0 && space.f_blocks > 0) {
        const std::size_t needed = expectedFileSize(frame, cards.size());
        const auto free_bytes = static_cast<unsigned long long>(space.f_bavail) * space.f_frsize;
        if (free_bytes < needed) {
            throw std::runtime_error("cannot write the FITS file " + path.string() + ": " + errnoText(ENOSPC) +
                                     " (it needs " + std::to_string(needed / 1000000 + 1) + " MB, " +
                                     std::to_string(free_bytes / 1000000) + " MB are free in " + folder.string() + ")");
        }
    }

    TemporaryFile temporary(folder / temporaryName(path));
    {
        FitsHandle file;
        int status = 0;
        errno = 0;
        // The disk-file variant takes the name literally (no cfitsio filename syntax such as "[…]").
        if (fits_create_diskfile(file.out(), temporary.path().c_str(), &status) != 0) {
            failWrite(path, "cannot create " + temporary.path().string(), errno, status);
        }
        long axes[2] = {static_cast<long>(frame.width), static_cast<long>(frame.height)};
        fits_create_img(file.get(), USHORT_IMG, 2, axes, &status);
        char row_order[] = "TOP-DOWN";
        fits_write_key(file.get(), TSTRING, "ROWORDER", row_order, "the first row is the top of the image", &status);
        for (const FitsCard& card : cards) writeCard(file.get(), card, status);
        if (status != 0) failWrite(path, "cannot write the header", 0, status);
        errno = 0;
        auto* pixels = const_cast<std::uint16_t*>(frame.pixels.data());  // only read
        fits_write_img(file.get(), TUSHORT, 1, static_cast<LONGLONG>(frame.pixelCount()), pixels, &status);
        if (status != 0) failWrite(path, "cannot write the pixels", errno, status);
        errno = 0;
        if (const int closed = file.close(); closed != 0) failWrite(path, "cannot finish the file", errno, closed);
    }

    // Flush the data to disk before the rename makes it visible under `path`.
    const int fd = ::open(temporary.path().c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) failWrite(path, "cannot reopen " + temporary.path().string(), errno, 0);
    const int synced = ::fsync(fd);
    const int sync_error = errno;
    ::close(fd);
    if (synced != 0) failWrite(path, "cannot flush it to disk", sync_error, 0);
    if (::rename(temporary.path().c_str(), path.c_str()) != 0) {
        failWrite(path, "cannot rename " + temporary.path().string() + " to it", errno, 0);
    }
    temporary.committed();
    const int folder_fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (folder_fd >= 0) {
        ::fsync(folder_fd);
        ::close(folder_fd);
    }
}

}  // namespace sonyalpaca::imaging
