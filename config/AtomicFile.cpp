// SPDX-License-Identifier: GPL-3.0-or-later
#include "config/AtomicFile.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <system_error>
#include <utility>

namespace sonyalpaca::config {
namespace {
[[noreturn]] void fail(const std::string& what, const std::filesystem::path& path) {
    throw std::system_error(errno, std::generic_category(), what + " " + path.string());
}

class FileDescriptor {
public:
    explicit FileDescriptor(int fd) : fd_(fd) {}
    ~FileDescriptor() {
        if (fd_ >= 0) ::close(fd_);
    }
    FileDescriptor(const FileDescriptor&) = delete;
    FileDescriptor& operator=(const FileDescriptor&) = delete;
    int get() const { return fd_; }
    int release() { return std::exchange(fd_, -1); }

private:
    int fd_;
};
}  // namespace

void writeFileAtomically(const std::filesystem::path& path, std::string_view content) {
    const auto directory = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
    std::filesystem::create_directories(directory);
    std::string temporary = (directory / ("." + path.filename().string() + ".XXXXXX")).string();
    FileDescriptor fd(::mkostemp(temporary.data(), O_CLOEXEC));
    if (fd.get() < 0) fail("cannot create a temporary file for", path);
    try {
        ::fchmod(fd.get(), 0644);
        std::size_t written = 0;
        while (written < content.size()) {
            const ssize_t n = ::write(fd.get(), content.data() + written, content.size() - written);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) fail("cannot write", path);
            written += static_cast<std::size_t>(n);
        }
        if (::fsync(fd.get()) != 0) fail("cannot flush", path);
        if (::close(fd.release()) != 0) fail("cannot close", path);
        if (::rename(temporary.c_str(), path.c_str()) != 0) fail("cannot replace", path);
    } catch (...) {
        ::unlink(temporary.c_str());
        throw;
    }
    // Make the rename itself durable.
    FileDescriptor dir(::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (dir.get() >= 0) ::fsync(dir.get());
}

}  // namespace sonyalpaca::config
