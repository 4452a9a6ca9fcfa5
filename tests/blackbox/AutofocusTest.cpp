// SPDX-License-Identifier: GPL-3.0-or-later
// An autofocus run as N.I.N.A. makes it, through Alpaca only: move the Focuser to points across
// focus, take a frame at each with the Camera, measure the stars' half-flux radius, fit the V-curve
// and move to its minimum. Against the virtual body, whose best focus is known: the focuser's
// Positions must mean the same focus all along, and the fit must find the body's best focus.
#include "DaemonProcess.hpp"
#include "RawHttp.hpp"
#include "SimulatorProcess.hpp"
#include "StarMeasure.hpp"

#include <doctest/doctest.h>

#include <array>
#include <cstring>
#include <optional>
#include <thread>

using namespace sonyalpaca;
using namespace sonyalpaca::test;
using namespace std::chrono_literals;

namespace {
struct Rig {
    TempDir state;
    SimulatorProcess simulator{{"--sensor-scale", "4", "--iso", "1600", "--readout", "0.1", "--lens", "SEL20F18G",
                                "--profile-error", "0", "--jitter", "0.002", "--backlash", "2", "--move-time-scale",
                                "0.2", "--seed", "3"}};
    std::optional<DaemonProcess> daemon;

    Rig() {
        writeTestLensProfile(state.path());
        daemon.emplace(DaemonProcess::serve(state.path(), {"--camera", simulator.source(), "--lens", "SEL20F18G"}));
        for (const char* device : {"camera", "focuser"}) {
            const auto reply =
                httpForm(daemon->port(), "PUT", std::string("/api/v1/") + device + "/0/connected", "Connected=true");
            REQUIRE_MESSAGE(reply.json()["ErrorNumber"] == 0, reply.body << "\n" << daemon->log());
        }
    }

    nlohmann::json get(const std::string& path) { return httpGet(daemon->port(), "/api/v1/" + path).json(); }

    void moveFocuser(long position) {
        REQUIRE(httpForm(daemon->port(), "PUT", "/api/v1/focuser/0/move", "Position=" + std::to_string(position))
                    .json()["ErrorNumber"] == 0);
        for (int i = 0; i < 3000 && get("focuser/0/ismoving")["Value"] == true; ++i) std::this_thread::sleep_for(20ms);
        REQUIRE(get("focuser/0/position")["Value"] == position);
    }

    /// One 1 s frame through Alpaca (ImageBytes), as the raw mosaic the star measure reads.
    ptp::sim::RawImage expose() {
        const auto start = httpForm(daemon->port(), "PUT", "/api/v1/camera/0/startexposure", "Duration=1&Light=true");
        REQUIRE_MESSAGE(start.json()["ErrorNumber"] == 0, start.body);
        bool ready = false;
        for (int i = 0; i < 600 && !ready; ++i) {
            ready = get("camera/0/imageready")["Value"] == true;
            if (!ready) std::this_thread::sleep_for(50ms);
        }
        REQUIRE(ready);
        const auto reply = sendRaw("127.0.0.1", daemon->port(),
                                   "GET /api/v1/camera/0/imagearray HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                   "Accept: application/imagebytes, application/json\r\nConnection: close\r\n\r\n");
        REQUIRE(reply.status == 200);
        REQUIRE(reply.body.size() > 44);
        std::array<std::int32_t, 11> header{};
        std::memcpy(header.data(), reply.body.data(), sizeof header);
        REQUIRE(header[1] == 0);  // ErrorNumber
        const auto width = static_cast<unsigned>(header[8]);
        const auto height = static_cast<unsigned>(header[9]);
        REQUIRE(reply.body.size() == 44 + std::size_t{2} * width * height);
        ptp::sim::RawImage raw;
        raw.layout = {width, height, 0, 0, width, height};
        raw.pixels.resize(std::size_t{width} * height);
        const auto* data = reinterpret_cast<const unsigned char*>(reply.body.data()) + 44;
        for (unsigned x = 0; x < width; ++x)  // ImageBytes is x-major: y runs fastest
            for (unsigned y = 0; y < height; ++y) {
                const std::size_t at = 2 * (std::size_t{x} * height + y);
                raw.pixels[std::size_t{y} * width + x] = static_cast<std::uint16_t>(data[at] | data[at + 1] << 8);
            }
        return raw;
    }

    /// A 9-point autofocus run centred on `centre`, `spacing` units apart: the vertex of the
    /// parabola fitted to HFR² (star size grows hyperbolically with the focus error).
    double autofocus(long centre, long spacing) {
        std::array<double, 5> sums{};  // Σx^0..x^4 of the centred position
        std::array<double, 3> right{};
        for (int k = -4; k <= 4; ++k) {
            const long position = centre + k * spacing;
            moveFocuser(position);
            const auto hfr = measureHfr(expose());
            REQUIRE(hfr.stars >= 5);
            const double x = static_cast<double>(k * spacing);
            const double y = hfr.median_hfr_px * hfr.median_hfr_px;
            double power = 1;
            for (std::size_t p = 0; p < 5; ++p, power *= x) sums[p] += power;
            right[0] += y;
            right[1] += x * y;
            right[2] += x * x * y;
        }
        // Normal equations for y = a + b x + c x², solved by Cramer's rule.
        const double m[3][3] = {{sums[0], sums[1], sums[2]}, {sums[1], sums[2], sums[3]}, {sums[2], sums[3], sums[4]}};
        auto det = [](const double a[3][3]) {
            return a[0][0] * (a[1][1] * a[2][2] - a[1][2] * a[2][1]) -
                   a[0][1] * (a[1][0] * a[2][2] - a[1][2] * a[2][0]) +
                   a[0][2] * (a[1][0] * a[2][1] - a[1][1] * a[2][0]);
        };
        const double d = det(m);
        double mb[3][3], mc[3][3];
        for (int r = 0; r < 3; ++r)
            for (int c = 0; c < 3; ++c) {
                mb[r][c] = c == 1 ? right[static_cast<std::size_t>(r)] : m[r][c];
                mc[r][c] = c == 2 ? right[static_cast<std::size_t>(r)] : m[r][c];
            }
        const double b = det(mb) / d;
        const double c = det(mc) / d;
        REQUIRE(c > 0);  // a V, not a hill
        return static_cast<double>(centre) - b / (2 * c);
    }
};
}  // namespace

TEST_CASE("autofocus through Alpaca finds the body's best focus, and finds it again at the same Position") {
    Rig rig;
    // Best focus where a 9-point run fits either side (at 96 % of the travel it would not).
    REQUIRE(httpForm(rig.simulator.control_port, "PUT", "/best-focus", "units=400").status == 200);
    const double truth = rig.simulator.status()["best_focus"].get<double>();
    // A first run from a guess 30 units off, as after the evening's first slew; then a second run
    // centred on the first result after the focuser has been elsewhere.
    const double first = rig.autofocus(std::lround(truth) - 30, 20);
    rig.moveFocuser(100);
    rig.moveFocuser(520);
    const double second = rig.autofocus(std::lround(first), 12);
    MESSAGE("best focus: true " << truth << ", first run " << first << ", second run " << second);
    CHECK(std::abs(first - truth) <= 6);
    CHECK(std::abs(second - truth) <= 4);
    CHECK(std::abs(second - first) <= 6);
    // Moving to the result puts the lens there for real.
    rig.moveFocuser(std::lround(second));
    const double lens = rig.simulator.status()["lens_position"].get<double>();
    CHECK(std::abs(lens - std::round(second)) <= 1.5);
}
