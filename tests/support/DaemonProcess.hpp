// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace sonyalpaca::test {

/// Path of the built executable.
std::string sonyalpacaPath();

/// A temporary directory, removed with its contents when the object goes.
class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(TempDir&& other) noexcept : path_(std::exchange(other.path_, {})) {}
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

/// The real `sonyalpaca` executable run as a child process, its stderr kept in a file.
class DaemonProcess {
public:
    /// An environment value replaced by "DEVICE:INODE" of the child's stderr (for JOURNAL_STREAM).
    static constexpr const char* kStderrIdentity = "@stderr-identity";

    /// Starts `program` (the sonyalpaca executable by default) with `arguments` (argv[1...]) and
    /// extra `environment` entries.
    DaemonProcess(std::vector<std::string> arguments, std::map<std::string, std::string> environment = {},
                  std::string program = sonyalpacaPath());
    /// Kills the process (SIGKILL) if it still runs.
    ~DaemonProcess();
    DaemonProcess(DaemonProcess&& other) noexcept;
    DaemonProcess(const DaemonProcess&) = delete;
    DaemonProcess& operator=(const DaemonProcess&) = delete;

    /// Starts `sonyalpaca serve` on 127.0.0.1 with ephemeral HTTP and discovery ports and the given
    /// state directory, plus `extra` arguments; waits until it listens. Throws on failure.
    static DaemonProcess serve(const std::filesystem::path& state_dir, std::vector<std::string> extra = {});

    /// Waits until the log matches `pattern`; its first group, or nullopt when the process ended or
    /// `timeout` passed.
    std::optional<std::string> waitForLog(const std::string& pattern,
                                          std::chrono::milliseconds timeout = std::chrono::seconds(10));

    /// Waits until the log says the API listens (and discovery, unless off); fills port() and
    /// discoveryPort(). Returns false if the process ended or `timeout` passed.
    bool waitUntilListening(std::chrono::milliseconds timeout = std::chrono::seconds(10));

    std::uint16_t port() const { return port_; }
    std::uint16_t discoveryPort() const { return discovery_port_; }
    pid_t pid() const { return pid_; }

    /// Sends `signal` to the process.
    void signal(int signal) const;
    /// Waits up to `timeout` for the process to end; its exit code, or nullopt if it still runs.
    /// A death by signal gives 128 + signal.
    std::optional<int> wait(std::chrono::milliseconds timeout);

    /// Everything the process wrote to stderr so far.
    std::string log() const;

private:
    pid_t pid_ = -1;
    std::optional<int> exit_code_;
    TempDir log_dir_;
    std::filesystem::path log_file_;
    std::uint16_t port_ = 0;
    std::uint16_t discovery_port_ = 0;
};

/// Runs `sonyalpaca` with `arguments` to completion (bounded by `timeout`): exit code and stderr+stdout.
struct RunResult {
    int exit_code;
    std::string output;
};
RunResult runSonyalpaca(std::vector<std::string> arguments,
                        std::chrono::milliseconds timeout = std::chrono::seconds(10));

/// Runs `program` with `arguments` and extra `environment` to completion (bounded by `timeout`).
RunResult runProgram(const std::string& program, std::vector<std::string> arguments,
                     std::map<std::string, std::string> environment, std::chrono::milliseconds timeout);

/// A field of /proc/PID/status in KiB ("VmRSS", "VmHWM"); throws std::runtime_error when absent.
long processStatusKiB(pid_t pid, const std::string& field);

/// The libgphoto2 version the daemon runs with, from `sonyalpaca --version` (e.g. "2.5.31");
/// throws std::runtime_error when it does not say.
std::string daemonGphotoVersion();

}  // namespace sonyalpaca::test
