// SPDX-License-Identifier: GPL-3.0-or-later
// What the Camera's black-box tests share: a simulate-body process with the daemon driving it
// (CameraRig), images as clients receive them, and independent readers of the ARW and FITS files.
#pragma once

#include "DaemonProcess.hpp"
#include "LibRawDecode.hpp"
#include "RawHttp.hpp"
#include <doctest/doctest.h>
#include <fitsio.h>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <set>
#include <thread>
#include <vector>

namespace sonyalpaca::test::camera {
using Json = nlohmann::json;
using namespace std::chrono_literals;

inline constexpr int kNotImplemented = 0x400;
inline constexpr int kInvalidValue = 0x401;
inline constexpr int kInvalidOperation = 0x40B;
inline constexpr int kIdle = 0, kWaiting = 1, kExposing = 2, kReading = 3, kDownload = 4, kError = 5;
// The simulated ILCE-7M3 at --sensor-scale 8: a 768x502 readout, all of it LibRaw's visible area.
inline constexpr unsigned kWidth = 768, kHeight = 502;

/// An image as a client receives it: value(x, y) at x * num_y + y.
struct Image {
    unsigned num_x = 0, num_y = 0;
    std::vector<std::uint32_t> values;
    std::uint32_t at(unsigned x, unsigned y) const { return values[static_cast<std::size_t>(x) * num_y + y]; }
};

inline std::uint32_t le32(const std::string& bytes, std::size_t at) {
    std::uint32_t value = 0;
    for (int i = 3; i >= 0; --i)
        value = value << 8 | static_cast<unsigned char>(bytes[at + static_cast<std::size_t>(i)]);
    return value;
}

/// The simulator and the daemon, the daemon talking to the simulator over PTP/IP.
class CameraRig {
public:
    explicit CameraRig(std::vector<std::string> body_options = {}, std::vector<std::string> daemon_options = {})
        : body_(simulatorArguments(std::move(body_options))) {
        const auto port = body_.waitForLog(R"(serving PTP/IP on 127\.0\.0\.1:(\d+))");
        REQUIRE_MESSAGE(port, body_.log());
        const auto control = body_.waitForLog(R"(simulator control on http://127\.0\.0\.1:(\d+))");
        REQUIRE(control);
        control_port_ = static_cast<std::uint16_t>(std::stoi(*control));
        daemon_options.insert(daemon_options.begin(), {"--camera", "ptpip:127.0.0.1:" + *port});
        daemon_options_ = daemon_options;
        daemon_.emplace(DaemonProcess::serve(state_.path(), daemon_options));
    }

    /// Stops the daemon and starts a new one with the same options and state directory.
    void restartDaemon() {
        daemon_.reset();
        daemon_.emplace(DaemonProcess::serve(state_.path(), daemon_options_));
    }

    const std::filesystem::path& stateDir() const { return state_.path(); }
    std::uint16_t port() const { return daemon_->port(); }
    DaemonProcess& daemon() { return *daemon_; }
    std::string logs() const { return "daemon log:\n" + daemon_->log() + "\nsimulator log:\n" + body_.log(); }

    /// The JSON reply of GET camera member (HTTP 200 required).
    Json get(const std::string& member) {
        const auto reply = httpGet(port(), "/api/v1/camera/0/" + member + "?ClientTransactionID=7");
        INFO("GET " << member << " -> " << reply.status << " " << reply.body.substr(0, 300));
        REQUIRE(reply.status == 200);
        return reply.json();
    }
    /// The Value of a GET that must succeed.
    Json value(const std::string& member) {
        const Json reply = get(member);
        INFO(member << ": " << reply.dump().substr(0, 300));
        CHECK(reply["ErrorNumber"] == 0);
        CHECK(reply["ErrorMessage"] == "");
        return reply["Value"];
    }
    int getError(const std::string& member) { return get(member)["ErrorNumber"].get<int>(); }
    Json put(const std::string& member, const std::string& form = "") {
        const auto reply = httpForm(port(), "PUT", "/api/v1/camera/0/" + member, form);
        INFO("PUT " << member << " " << form << " -> " << reply.status << " " << reply.body);
        REQUIRE(reply.status == 200);
        return reply.json();
    }
    int putError(const std::string& member, const std::string& form = "") {
        return put(member, form)["ErrorNumber"].get<int>();
    }
    void putOk(const std::string& member, const std::string& form = "") {
        const Json reply = put(member, form);
        INFO("PUT " << member << " " << form << ": " << reply.dump());
        CHECK(reply["ErrorNumber"] == 0);
    }

    /// Bins `bin` × `bin` and selects the whole (binned) frame.
    void wholeFrame(unsigned bin) {
        putOk("binx", "BinX=" + std::to_string(bin));
        putOk("biny", "BinY=" + std::to_string(bin));
        putOk("startx", "StartX=0");
        putOk("starty", "StartY=0");
        putOk("numx", "NumX=" + std::to_string(kWidth / bin));
        putOk("numy", "NumY=" + std::to_string(kHeight / bin));
    }

    /// Sends a fault to the simulator (form fields of PUT /fault).
    /// The simulator's GET /status (lens position, exposures the body has made ...).
    Json bodyStatus() {
        const auto reply = httpGet(control_port_, "/status");
        REQUIRE(reply.status == 200);
        return reply.json();
    }
    void fault(const std::string& form) { CHECK(httpForm(control_port_, "PUT", "/fault", form).status == 200); }

    int state() { return value("camerastate").get<int>(); }

    /// Polls until `done` (every 50 ms, at most `timeout`); true if it happened.
    bool waitUntil(const std::function<bool()>& done, std::chrono::milliseconds timeout = 30s) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (std::chrono::steady_clock::now() < deadline) {
            if (done()) return true;
            std::this_thread::sleep_for(50ms);
        }
        return done();
    }
    bool waitForImage(std::chrono::milliseconds timeout = 30s) {
        return waitUntil(
            [&] {
                const Json reply = get("imageready");
                return reply["ErrorNumber"] == 0 && reply["Value"] == true;
            },
            timeout);
    }

    /// Connects; after the first image the camera reports the real frame size (the body database
    /// knows the full-size ILCE-7M3).
    void connect() {
        putOk("connected", "Connected=true");
        REQUIRE(value("connected") == true);
    }
    /// One exposure, waited for.
    void expose(double seconds, bool light = true) {
        putOk("startexposure", "Duration=" + std::to_string(seconds) + "&Light=" + (light ? "true" : "false"));
        REQUIRE_MESSAGE(waitForImage(), logs());
    }
    void connectAndLearnSize() {
        connect();
        expose(0.01);
        REQUIRE(value("cameraxsize") == kWidth);
        REQUIRE(value("cameraysize") == kHeight);
    }

    /// GET imagearray (or imagearrayvariant) as a raw request with these headers.
    HttpReply download(const std::string& member, const std::string& headers) {
        return sendRaw("127.0.0.1", port(),
                       "GET /api/v1/camera/0/" + member + "?ClientTransactionID=4321 HTTP/1.1\r\nHost: 127.0.0.1\r\n" +
                           headers + "Connection: close\r\n\r\n",
                       30s);
    }
    Image imageBytes(const std::string& member = "imagearray") {
        const auto reply = download(member, "Accept: application/imagebytes, application/json\r\n");
        REQUIRE(reply.status == 200);
        REQUIRE(reply.header("content-type") == "application/imagebytes");
        REQUIRE(reply.body.size() >= 44);
        const std::string& b = reply.body;
        CHECK(le32(b, 0) == 1);     // MetadataVersion
        CHECK(le32(b, 4) == 0);     // ErrorNumber
        CHECK(le32(b, 8) == 4321);  // ClientTransactionID
        CHECK(le32(b, 12) >= 1);    // ServerTransactionID
        CHECK(le32(b, 16) == 44);   // DataStart
        CHECK(le32(b, 20) == 2);    // ImageElementType Int32
        CHECK(le32(b, 24) == 8);    // TransmissionElementType UInt16
        CHECK(le32(b, 28) == 2);    // Rank
        CHECK(le32(b, 40) == 0);    // Dimension3
        Image image{le32(b, 32), le32(b, 36), {}};
        REQUIRE(b.size() == 44 + std::size_t{image.num_x} * image.num_y * 2);
        image.values.resize(std::size_t{image.num_x} * image.num_y);
        for (std::size_t i = 0; i < image.values.size(); ++i)
            image.values[i] = static_cast<unsigned char>(b[44 + 2 * i]) |
                              static_cast<std::uint32_t>(static_cast<unsigned char>(b[45 + 2 * i])) << 8;
        return image;
    }
    Image imageJson(const std::string& member = "imagearray",
                    const std::string& headers = "Accept: application/json\r\n") {
        const auto reply = download(member, headers);
        REQUIRE(reply.status == 200);
        CHECK(reply.header("content-type").find("application/json") != std::string::npos);
        CHECK(reply.header("content-encoding").empty());
        CHECK(reply.header("transfer-encoding").empty());
        CHECK(reply.header("content-length") == std::to_string(reply.body.size()));
        REQUIRE(reply.body.rfind(R"({"Type":2,"Rank":2,"Value":[[)", 0) == 0);
        const Json json = Json::parse(reply.body);
        CHECK(json["ErrorNumber"] == 0);
        CHECK(json["ClientTransactionID"] == 4321);
        const Json& columns = json["Value"];
        Image image{
            static_cast<unsigned>(columns.size()), columns.empty() ? 0U : static_cast<unsigned>(columns[0].size()), {}};
        for (const auto& column : columns) {
            REQUIRE(column.size() == image.num_y);
            for (const auto& v : column) image.values.push_back(v.get<std::uint32_t>());
        }
        return image;
    }

private:
    static std::vector<std::string> simulatorArguments(std::vector<std::string> extra) {
        std::vector<std::string> args{"simulate-body", "--port",         "0", "--sensor-scale", "8", "--readout",
                                      "0.2",           "--control-port", "0"};
        args.insert(args.end(), extra.begin(), extra.end());
        return args;
    }

    TempDir state_;
    DaemonProcess body_;
    std::uint16_t control_port_ = 0;
    std::vector<std::string> daemon_options_;
    std::optional<DaemonProcess> daemon_;
};

/// "2026-11-26T21:53:01.123" (UTC) as a time point.
inline std::optional<std::chrono::system_clock::time_point> parseUtc(const std::string& text) {
    std::tm tm{};
    int millis = 0;
    if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d.%3d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
                    &tm.tm_min, &tm.tm_sec, &millis) < 6)
        return std::nullopt;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return std::chrono::system_clock::from_time_t(::timegm(&tm)) + std::chrono::milliseconds(millis);
}

inline std::vector<std::uint8_t> readFile(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// How many ARW and FITS files `dir` holds (recursively); temporary files do not count.
inline std::size_t savedFiles(const std::filesystem::path& dir) {
    std::size_t count = 0;
    std::error_code ec;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(dir, ec))
        count += entry.path().extension() == ".arw" || entry.path().extension() == ".fits" ? 1U : 0U;
    return count;
}

/// The one file with `extension` under `dir` (recursively).
inline std::filesystem::path onlyFile(const std::filesystem::path& dir, const std::string& extension) {
    std::vector<std::filesystem::path> found;
    std::error_code ec;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(dir, ec))
        if (entry.path().extension() == extension) found.push_back(entry.path());
    REQUIRE_MESSAGE(found.size() == 1, "files " << extension << " in " << dir << ": " << found.size());
    return found.front();
}

/// The frame LibRaw reads from `arw`: its visible area, RGGB from (0, 0), even sides; row-major.
struct Reference {
    unsigned width = 0, height = 0;
    std::vector<std::uint16_t> pixels;
    std::uint16_t at(unsigned x, unsigned y) const { return pixels[static_cast<std::size_t>(y) * width + x]; }
};

inline Reference referenceFrame(const std::vector<std::uint8_t>& arw) {
    const LibRawResult decoded = decodeWithLibRaw(arw);
    REQUIRE(decoded.open_status == 0);
    REQUIRE(decoded.unpack_status == 0);
    REQUIRE(decoded.colour_at_origin == 0);  // red at the visible area's origin: no shift needed
    Reference frame{decoded.width & ~1U, decoded.height & ~1U, {}};
    for (unsigned y = 0; y < frame.height; ++y)
        for (unsigned x = 0; x < frame.width; ++x)
            frame.pixels.push_back(decoded.raw[static_cast<std::size_t>(decoded.top_margin + y) * decoded.raw_width +
                                               decoded.left_margin + x]);
    return frame;
}

/// What a client must receive for a region of `frame` (binned pixels; bin 2 is the rounded mean).
inline std::uint32_t expected(const Reference& frame, unsigned start_x, unsigned start_y, unsigned bin, unsigned x,
                              unsigned y) {
    const unsigned fx = (start_x + x) * bin, fy = (start_y + y) * bin;
    if (bin == 1) return frame.at(fx, fy);
    const unsigned sum = unsigned{frame.at(fx, fy)} + frame.at(fx + 1, fy) + frame.at(fx, fy + 1) +
                         frame.at(fx + 1, fy + 1);
    return (sum + 2) / 4;
}

/// The pixels and a few header cards of a FITS file.
struct Fits {
    long width = 0, height = 0;
    std::vector<std::uint16_t> pixels;  // row-major
    std::map<std::string, std::string> cards;
};

inline Fits readFits(const std::filesystem::path& path) {
    Fits out;
    fitsfile* file = nullptr;
    int status = 0;
    REQUIRE(fits_open_file(&file, path.c_str(), READONLY, &status) == 0);
    long size[2] = {0, 0};
    int naxis = 0;
    fits_get_img_dim(file, &naxis, &status);
    fits_get_img_size(file, 2, size, &status);
    out.width = size[0];
    out.height = size[1];
    out.pixels.resize(static_cast<std::size_t>(out.width * out.height));
    long first[2] = {1, 1};
    fits_read_pix(file, TUSHORT, first, out.width * out.height, nullptr, out.pixels.data(), nullptr, &status);
    int cards = 0;
    fits_get_hdrspace(file, &cards, nullptr, &status);
    for (int i = 1; i <= cards; ++i) {
        char key[FLEN_KEYWORD], value[FLEN_VALUE], comment[FLEN_COMMENT];
        fits_read_keyn(file, i, key, value, comment, &status);
        out.cards[key] = value;
    }
    fits_close_file(file, &status);
    CHECK(status == 0);
    return out;
}

}  // namespace sonyalpaca::test::camera
