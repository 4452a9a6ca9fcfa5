// SPDX-License-Identifier: GPL-3.0-or-later
// What an exposure costs the daemon in memory, for a 24 MP (ILCE-7M3) and a 61 MP (ILCE-7RM4) body:
// the real `sonyalpaca serve` against a virtual body in a process of its own (`simulate-body`, so
// that the simulator's frames are not counted), driven through Alpaca on loopback. For each body:
//   idle    resident memory after connecting, before any exposure;
//   peak    the highest resident memory from StartExposure until the image is ready (the kernel's
//           high-water mark, VmHWM, reset through /proc/PID/clear_refs before the exposure);
//   steady  resident memory once the image has been downloaded (ImageBytes) and the daemon is idle.
// Both are given above idle, as a ratio of the served frame (NumX x NumY x 2 bytes). Goals (issue 14,
// a Raspberry Pi with 1-2 GB): peak <= 2.2x and steady <= 1.2x the frame. Also the same after a
// second exposure, so that growth from frame to frame shows.
//   bench_memory [--check] [--raw-type TYPE]   --check: exit 1 when a goal is missed
#include "DaemonProcess.hpp"
#include "RawHttp.hpp"
#include "SimulatorProcess.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

using namespace sonyalpaca::test;
using namespace std::chrono_literals;

namespace {

/// Resets the process's resident high-water mark (Linux 4.0 and later) to its resident set now.
void resetPeak(pid_t pid) {
    std::ofstream clear("/proc/" + std::to_string(pid) + "/clear_refs");
    clear << "5";
    if (!clear.flush()) throw std::runtime_error("cannot reset the peak RSS through /proc/PID/clear_refs");
}

/// GET ImageArray as ImageBytes on 127.0.0.1:port, reading the body and dropping it as it comes (so
/// that this process does not hold a frame); the body's length. Bounded to 60 s.
std::size_t downloadImageBytes(std::uint16_t port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) throw std::runtime_error("socket failed");
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const timeval limit{60, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
    const std::string request = "GET /api/v1/camera/0/imagearray HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                "Accept: application/imagebytes\r\nConnection: close\r\n\r\n";
    std::size_t body = 0;
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0 &&
        ::send(fd, request.data(), request.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(request.size())) {
        std::string head;
        std::vector<char> buffer(1 << 16);
        bool in_body = false;
        while (true) {
            const ssize_t n = ::recv(fd, buffer.data(), buffer.size(), 0);
            if (n <= 0) break;
            if (in_body) {
                body += static_cast<std::size_t>(n);
                continue;
            }
            head.append(buffer.data(), static_cast<std::size_t>(n));
            if (const auto end = head.find("\r\n\r\n"); end != std::string::npos) {
                if (head.rfind("HTTP/1.1 200", 0) != 0) break;
                body = head.size() - end - 4;
                in_body = true;
            }
        }
    }
    ::close(fd);
    return body;
}

void require(const nlohmann::json& reply, const std::string& what) {
    if (reply.value("ErrorNumber", -1) != 0) throw std::runtime_error(what + ": " + reply.dump());
}

struct Sample {
    double peak_mib = 0;    ///< above idle
    double steady_mib = 0;  ///< above idle
    double frame_mib = 0;   ///< the served frame
};

/// One exposure of `duration` s: StartExposure, wait for ImageReady (bounded), download ImageBytes.
Sample expose(const DaemonProcess& daemon, long idle_kib, std::size_t& frame_bytes) {
    const pid_t pid = daemon.pid();
    resetPeak(pid);
    require(alpacaPut(daemon.port(), "camera/0", "startexposure", "Duration=0.01&Light=true"), "StartExposure");
    const auto deadline = std::chrono::steady_clock::now() + 120s;
    while (true) {
        const auto ready = alpacaGet(daemon.port(), "camera/0", "imageready");
        require(ready, "ImageReady");
        if (ready["Value"] == true) break;
        if (std::chrono::steady_clock::now() > deadline) throw std::runtime_error("no image after 120 s");
        std::this_thread::sleep_for(20ms);
    }
    const long peak = processStatusKiB(pid, "VmHWM");
    // NumX x NumY before the first frame come from the body database, which may differ from what
    // LibRaw delivers (issue 15): the served frame is what ImageBytes carries.
    const std::size_t received = downloadImageBytes(daemon.port());
    if (received <= 44 || received > frame_bytes * 2)
        throw std::runtime_error("ImageBytes: " + std::to_string(received) + " bytes for a frame of about " +
                                 std::to_string(frame_bytes));
    frame_bytes = received - 44;
    std::this_thread::sleep_for(300ms);  // the daemon settles: response buffers and threads end
    const long steady = processStatusKiB(pid, "VmRSS");
    return {static_cast<double>(peak - idle_kib) / 1024.0, static_cast<double>(steady - idle_kib) / 1024.0,
            static_cast<double>(frame_bytes) / (1 << 20)};
}

struct BodyResult {
    bool met = true;
};

BodyResult measure(const std::string& body, const std::string& label, const std::string& raw_type) {
    // Protocol 2.00: the ILCE-7RM4 as every libgphoto2 but 2.5.31 drives it (config/GphotoSupport.hpp).
    SimulatorProcess simulator({"--body", body, "--readout", "0.05", "--protocol", "2"});
    TempDir state;
    std::vector<std::string> extra{"--camera", simulator.source()};
    if (!raw_type.empty()) extra.insert(extra.end(), {"--raw-type", raw_type});
    auto daemon = DaemonProcess::serve(state.path(), extra);
    require(alpacaPut(daemon.port(), "camera/0", "connected", "Connected=true"), "connecting the camera");
    const unsigned num_x = alpacaGet(daemon.port(), "camera/0", "numx")["Value"];
    const unsigned num_y = alpacaGet(daemon.port(), "camera/0", "numy")["Value"];
    std::size_t frame_bytes = std::size_t{num_x} * num_y * 2;
    std::this_thread::sleep_for(300ms);
    const long idle = processStatusKiB(daemon.pid(), "VmRSS");

    std::printf("%s (%s), idle daemon %.1f MiB%s%s:\n", label.c_str(), body.c_str(), static_cast<double>(idle) / 1024.0,
                raw_type.empty() ? "" : ", ", raw_type.c_str());
    BodyResult result;
    for (int round = 1; round <= 2; ++round) {
        const Sample s = expose(daemon, idle, frame_bytes);
        const double peak = s.peak_mib / s.frame_mib;
        const double steady = s.steady_mib / s.frame_mib;
        if (round == 1)
            std::printf("  served frame %ux%u = %.1f MiB\n",
                        alpacaGet(daemon.port(), "camera/0", "numx")["Value"].get<unsigned>(),
                        alpacaGet(daemon.port(), "camera/0", "numy")["Value"].get<unsigned>(), s.frame_mib);
        const bool met = peak <= 2.2 && steady <= 1.2;
        result.met = result.met && met;
        std::printf("  exposure %d: peak +%.1f MiB = %.2fx the frame (goal <= 2.2x), steady +%.1f MiB = %.2fx "
                    "(goal <= 1.2x): %s\n",
                    round, s.peak_mib, peak, s.steady_mib, steady, met ? "met" : "MISSED");
    }
    daemon.signal(SIGTERM);
    daemon.wait(10s);
    return result;
}

}  // namespace

int main(int argc, char** argv) {
    bool check = false;
    std::string raw_type;
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--check") == 0) {
            check = true;
        } else if (std::strcmp(argv[i], "--raw-type") == 0 && i + 1 < argc) {
            raw_type = argv[++i];
        } else {
            std::fprintf(stderr, "usage: bench_memory [--check] [--raw-type TYPE]\n");
            return 2;
        }
    }
    try {
        bool met = measure("ILCE-7M3", "24 MP", raw_type).met;
        met = measure("ILCE-7RM4", "61 MP", raw_type).met && met;
        std::printf("goals: %s\n", met ? "met" : "MISSED");
        return check && !met ? 1 : 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_memory: %s\n", e.what());
        return 1;
    }
}
