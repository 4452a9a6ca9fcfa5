// SPDX-License-Identifier: GPL-3.0-or-later
// Does the daemon's memory stay flat over a night (issue 16, item 3)? The real `sonyalpaca serve`
// driven through Alpaca on loopback, its resident memory (VmRSS) read at fixed points of:
//   cycles     Connect/Disconnect of the camera against simulate-body (goal: within 2 MiB from the
//              10th to the last);
//   reopens    Connect attempts against a port that accepts and closes at once (a body that
//              cannot be opened): 150 attempts are an hour of the daemon's own reconnect schedule
//              (at once, every 500 ms for 5 s, every second to 30 s, then backing off to every 30 s: about
//              155 in the first hour; GPhotoBody::reconnect);
//              goal: within 2 MiB over them;
//   exposures  exposures on a 1/16 sensor, each downloaded (goal: within 5 MiB from the 10th to the
//              last: a leak per exposure shows, not drowned by the frames).
//   bench_soak [--check] [--quick]   --quick: 100 cycles, 150 reopens, 60 exposures (CI);
//                                    default 500, 150, 500. --check: exit 1 when a goal is missed.
#include "DaemonProcess.hpp"
#include "RawHttp.hpp"
#include "SimulatorProcess.hpp"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>
#include <thread>

using namespace sonyalpaca::test;
using namespace std::chrono_literals;

namespace {

double mib(long kib) { return static_cast<double>(kib) / 1024.0; }

/// Prints one measurement's line and says whether its goal was met.
bool report(const char* what, int count, long first_kib, long last_kib, double goal_mib) {
    const double grew = mib(last_kib - first_kib);
    const bool met = grew <= goal_mib;
    std::printf("  %-10s %4d: RSS %.1f -> %.1f MiB, %+.2f MiB (%+.1f KiB each; goal within %.0f MiB): %s\n", what,
                count, mib(first_kib), mib(last_kib), grew, static_cast<double>(last_kib - first_kib) / count, goal_mib,
                met ? "met" : "MISSED");
    return met;
}

void require(const nlohmann::json& reply, const std::string& what) {
    if (reply["ErrorNumber"] != 0) throw std::runtime_error(what + ": " + reply.dump());
}

/// A TCP port on 127.0.0.1 that accepts every connection and closes it at once.
class ClosingPort {
public:
    ClosingPort() {
        fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t length = sizeof address;
        if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&address), length) != 0 || ::listen(fd_, 16) != 0 ||
            ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0)
            throw std::runtime_error("cannot listen on 127.0.0.1");
        port_ = ntohs(address.sin_port);
        thread_ = std::jthread([this](std::stop_token stop) {
            while (!stop.stop_requested()) {
                timeval wait{0, 100000};
                fd_set set;
                FD_ZERO(&set);
                FD_SET(fd_, &set);
                if (::select(fd_ + 1, &set, nullptr, nullptr, &wait) > 0) {
                    const int client = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
                    if (client >= 0) ::close(client);
                }
            }
        });
    }
    ~ClosingPort() {
        thread_.request_stop();
        thread_.join();
        ::close(fd_);
    }
    std::uint16_t port() const { return port_; }

private:
    int fd_ = -1;
    std::uint16_t port_ = 0;
    std::jthread thread_;
};

bool cycles(int count) {
    SimulatorProcess simulator({"--sensor-scale", "16", "--readout", "0.02"});
    TempDir state;
    auto daemon = DaemonProcess::serve(state.path(), {"--camera", simulator.source(), "--no-discovery"});
    long first = 0;
    for (int i = 1; i <= count; ++i) {
        require(alpacaPut(daemon.port(), "camera/0", "connected", "Connected=true"), "Connect");
        require(alpacaPut(daemon.port(), "camera/0", "connected", "Connected=false"), "Disconnect");
        if (i == 10) first = processStatusKiB(daemon.pid(), "VmRSS");
    }
    return report("cycles", count - 10, first, processStatusKiB(daemon.pid(), "VmRSS"), 2.0);
}

bool reopens(int count) {
    ClosingPort body;
    TempDir state;
    auto daemon = DaemonProcess::serve(state.path(), {"--camera", "ptpip:127.0.0.1:" + std::to_string(body.port()),
                                                      "--no-discovery"});
    long first = 0;
    for (int i = 0; i <= count; ++i) {
        const auto reply = alpacaPut(daemon.port(), "camera/0", "connected", "Connected=true");
        if (reply["ErrorNumber"] == 0) throw std::runtime_error("a port that closes at once opened as a body");
        if (i == 0) first = processStatusKiB(daemon.pid(), "VmRSS");  // after the first: drivers loaded
    }
    return report("reopens", count, first, processStatusKiB(daemon.pid(), "VmRSS"), 2.0);
}

bool exposures(int count) {
    SimulatorProcess simulator({"--sensor-scale", "16", "--readout", "0.02"});
    TempDir state;
    auto daemon = DaemonProcess::serve(state.path(), {"--camera", simulator.source(), "--no-discovery"});
    require(alpacaPut(daemon.port(), "camera/0", "connected", "Connected=true"), "Connect");
    long first = 0;
    for (int i = 1; i <= count; ++i) {
        require(alpacaPut(daemon.port(), "camera/0", "startexposure", "Duration=0.01&Light=true"), "StartExposure");
        const auto deadline = std::chrono::steady_clock::now() + 30s;
        while (!alpacaGet(daemon.port(), "camera/0", "imageready")["Value"].get<bool>()) {
            if (std::chrono::steady_clock::now() > deadline) throw std::runtime_error("no image within 30 s");
            std::this_thread::sleep_for(20ms);
        }
        const auto image = httpGet(daemon.port(), "/api/v1/camera/0/imagearray");  // JSON: a small frame
        if (image.status != 200) throw std::runtime_error("ImageArray: HTTP " + std::to_string(image.status));
        if (i == 10) first = processStatusKiB(daemon.pid(), "VmRSS");
    }
    return report("exposures", count - 10, first, processStatusKiB(daemon.pid(), "VmRSS"), 5.0);
}

}  // namespace

int main(int argc, char** argv) {
    bool check = false, quick = false;
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--check") == 0) {
            check = true;
        } else if (std::strcmp(argv[i], "--quick") == 0) {
            quick = true;
        } else {
            std::fprintf(stderr, "usage: bench_soak [--check] [--quick]\n");
            return 2;
        }
    }
    try {
        std::printf("daemon memory over a night's events (VmRSS):\n");
        bool met = cycles(quick ? 100 : 500);
        met = reopens(150) && met;
        met = exposures(quick ? 60 : 500) && met;
        std::printf("goals: %s\n", met ? "met" : "MISSED");
        return check && !met ? 1 : 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_soak: %s\n", e.what());
        return 1;
    }
}
