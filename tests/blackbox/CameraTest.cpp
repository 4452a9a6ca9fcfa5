// SPDX-License-Identifier: GPL-3.0-or-later
// The Alpaca Camera end to end: the real daemon on loopback, driving a `simulate-body` process (a
// virtual ILCE-7M3 on a sensor shrunk 8 times) through libgphoto2 and PTP/IP. Covers ConformU's
// camera checks C1–C55 (conformu-checks.md §4) over HTTP, the pixels against an independent LibRaw
// decode of the ARW the body wrote, ImageBytes against JSON, subframes and binning, abort and stop
// in every state, bulb exposures, two clients polling during a download, a body unplugged during
// an exposure and during its download, uncompressed transfers to clients that accept gzip and br,
// and files kept on a disk that refuses them.
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

using namespace sonyalpaca::test;
using namespace std::chrono_literals;
using Json = nlohmann::json;

namespace {
constexpr int kNotImplemented = 0x400;
constexpr int kInvalidValue = 0x401;
constexpr int kInvalidOperation = 0x40B;
constexpr int kIdle = 0, kWaiting = 1, kExposing = 2, kReading = 3, kDownload = 4, kError = 5;
// The simulated ILCE-7M3 at --sensor-scale 8: a 768x502 readout, all of it LibRaw's visible area.
constexpr unsigned kWidth = 768, kHeight = 502;

/// An image as a client receives it: value(x, y) at x * num_y + y.
struct Image {
    unsigned num_x = 0, num_y = 0;
    std::vector<std::uint32_t> values;
    std::uint32_t at(unsigned x, unsigned y) const { return values[static_cast<std::size_t>(x) * num_y + y]; }
};

std::uint32_t le32(const std::string& bytes, std::size_t at) {
    std::uint32_t value = 0;
    for (int i = 3; i >= 0; --i) value = value << 8 | static_cast<unsigned char>(bytes[at + static_cast<std::size_t>(i)]);
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
        daemon_.emplace(DaemonProcess::serve(state_.path(), daemon_options));
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

    /// Sends a fault to the simulator (form fields of PUT /fault).
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
        return waitUntil([&] {
            const Json reply = get("imageready");
            return reply["ErrorNumber"] == 0 && reply["Value"] == true;
        }, timeout);
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
        CHECK(le32(b, 0) == 1);      // MetadataVersion
        CHECK(le32(b, 4) == 0);      // ErrorNumber
        CHECK(le32(b, 8) == 4321);   // ClientTransactionID
        CHECK(le32(b, 12) >= 1);     // ServerTransactionID
        CHECK(le32(b, 16) == 44);    // DataStart
        CHECK(le32(b, 20) == 2);     // ImageElementType Int32
        CHECK(le32(b, 24) == 8);     // TransmissionElementType UInt16
        CHECK(le32(b, 28) == 2);     // Rank
        CHECK(le32(b, 40) == 0);     // Dimension3
        Image image{le32(b, 32), le32(b, 36), {}};
        REQUIRE(b.size() == 44 + std::size_t{image.num_x} * image.num_y * 2);
        image.values.resize(std::size_t{image.num_x} * image.num_y);
        for (std::size_t i = 0; i < image.values.size(); ++i)
            image.values[i] = static_cast<unsigned char>(b[44 + 2 * i]) |
                              static_cast<std::uint32_t>(static_cast<unsigned char>(b[45 + 2 * i])) << 8;
        return image;
    }
    Image imageJson(const std::string& member = "imagearray", const std::string& headers = "Accept: application/json\r\n") {
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
        Image image{static_cast<unsigned>(columns.size()), columns.empty() ? 0U : static_cast<unsigned>(columns[0].size()), {}};
        for (const auto& column : columns) {
            REQUIRE(column.size() == image.num_y);
            for (const auto& v : column) image.values.push_back(v.get<std::uint32_t>());
        }
        return image;
    }

private:
    static std::vector<std::string> simulatorArguments(std::vector<std::string> extra) {
        std::vector<std::string> args{"simulate-body", "--port", "0", "--sensor-scale", "8", "--readout", "0.2",
                                      "--control-port", "0"};
        args.insert(args.end(), extra.begin(), extra.end());
        return args;
    }

    TempDir state_;
    DaemonProcess body_;
    std::uint16_t control_port_ = 0;
    std::optional<DaemonProcess> daemon_;
};

/// "2026-11-26T21:53:01.123" (UTC) as a time point.
std::optional<std::chrono::system_clock::time_point> parseUtc(const std::string& text) {
    std::tm tm{};
    int millis = 0;
    if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d.%3d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
                    &tm.tm_min, &tm.tm_sec, &millis) < 6)
        return std::nullopt;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return std::chrono::system_clock::from_time_t(::timegm(&tm)) + std::chrono::milliseconds(millis);
}

std::vector<std::uint8_t> readFile(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// How many ARW and FITS files `dir` holds (recursively); temporary files do not count.
std::size_t savedFiles(const std::filesystem::path& dir) {
    std::size_t count = 0;
    std::error_code ec;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(dir, ec))
        count += entry.path().extension() == ".arw" || entry.path().extension() == ".fits" ? 1U : 0U;
    return count;
}

/// The one file with `extension` under `dir` (recursively).
std::filesystem::path onlyFile(const std::filesystem::path& dir, const std::string& extension) {
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

Reference referenceFrame(const std::vector<std::uint8_t>& arw) {
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
std::uint32_t expected(const Reference& frame, unsigned start_x, unsigned start_y, unsigned bin, unsigned x,
                       unsigned y) {
    const unsigned fx = (start_x + x) * bin, fy = (start_y + y) * bin;
    if (bin == 1) return frame.at(fx, fy);
    const unsigned sum = unsigned{frame.at(fx, fy)} + frame.at(fx + 1, fy) + frame.at(fx, fy + 1) + frame.at(fx + 1, fy + 1);
    return (sum + 2) / 4;
}

/// The pixels and a few header cards of a FITS file.
struct Fits {
    long width = 0, height = 0;
    std::vector<std::uint16_t> pixels;  // row-major
    std::map<std::string, std::string> cards;
};

Fits readFits(const std::filesystem::path& path) {
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

}  // namespace

TEST_CASE("camera: ConformU's camera checks C1-C55 over HTTP") {
    CameraRig rig;
    rig.connectAndLearnSize();
    // First use after connecting (C2, C13, C14, C15): the last session's image and exposure are gone.
    rig.putOk("connected", "Connected=false");
    rig.connect();
    CHECK(rig.getError("lastexposureduration") == kInvalidOperation);
    CHECK(rig.getError("lastexposurestarttime") == kInvalidOperation);
    CHECK(rig.value("imageready") == false);
    for (const char* member : {"imagearray", "imagearrayvariant"}) {
        const auto reply = rig.download(member, "Accept: application/imagebytes, application/json\r\n");
        CHECK(reply.header("content-type").find("application/json") != std::string::npos);  // errors as JSON
        CHECK(reply.json()["ErrorNumber"] == kInvalidOperation);
        CHECK_FALSE(reply.json()["ErrorMessage"].get<std::string>().empty());
    }
    // C1: every Can* flag readable; true only for what works.
    CHECK(rig.value("canabortexposure") == true);
    CHECK(rig.value("canstopexposure") == true);
    for (const char* flag : {"canasymmetricbin", "canfastreadout", "cangetcoolerpower", "canpulseguide",
                             "cansetccdtemperature", "hasshutter"})
        CHECK(rig.value(flag) == false);
    // C3-C7: binning 1 and 2, symmetric.
    CHECK(rig.value("maxbinx") == 2);
    CHECK(rig.value("maxbiny") == 2);
    CHECK(rig.value("binx") == 1);
    CHECK(rig.value("biny") == 1);
    for (const char* bad : {"0", "3", "-1"}) {
        CHECK(rig.putError("binx", std::string("BinX=") + bad) == kInvalidValue);
        CHECK(rig.putError("biny", std::string("BinY=") + bad) == kInvalidValue);
    }
    for (const char* bin : {"2", "1"}) {
        rig.putOk("binx", std::string("BinX=") + bin);
        rig.putOk("biny", std::string("BinY=") + bin);
        CHECK(rig.value("binx") == std::stoi(bin));
    }
    // C8-C12, C16, C17, C19, C20, C24-C27, C35: values in range, or NotImplemented where Optional.
    CHECK(rig.value("camerastate") == kIdle);
    CHECK(rig.value("maxadu") == 16383);
    CHECK(rig.value("pixelsizex") == doctest::Approx(5.95));
    CHECK(rig.value("pixelsizey") == doctest::Approx(5.95));
    CHECK(rig.value("sensortype") == 2);
    CHECK(rig.value("bayeroffsetx") == 0);
    CHECK(rig.value("bayeroffsety") == 0);
    CHECK(rig.value("sensorname").is_string());
    CHECK(rig.value("exposuremin").get<double>() == doctest::Approx(1.0 / 8000));
    CHECK(rig.value("exposuremax").get<double>() >= 900);
    CHECK(rig.value("exposureresolution").get<double>() >= 0);
    CHECK(rig.value("ispulseguiding") == false);
    // The sensor temperature comes from an image's maker notes: none since connecting.
    CHECK(rig.getError("ccdtemperature") == kNotImplemented);
    for (const char* absent : {"cooleron", "coolerpower", "heatsinktemperature", "setccdtemperature", "fastreadout",
                               "electronsperadu", "fullwellcapacity", "offset", "offsetmin", "offsetmax", "offsets",
                               "subexposureduration", "gainmin", "gainmax"})
        CHECK_MESSAGE(rig.getError(absent) == kNotImplemented, absent);
    // C11, C21/C22, C28, C36, C37, C39: writes of what is not there fail with NotImplemented.
    CHECK(rig.putError("cooleron", "CoolerOn=true") == kNotImplemented);
    CHECK(rig.putError("setccdtemperature", "SetCCDTemperature=0") == kNotImplemented);
    CHECK(rig.putError("fastreadout", "FastReadout=false") == kNotImplemented);
    CHECK(rig.putError("offset", "Offset=1") == kNotImplemented);
    CHECK(rig.putError("subexposureduration", "SubExposureDuration=1") == kNotImplemented);
    CHECK(rig.putError("pulseguide", "Direction=0&Duration=0") == kNotImplemented);
    // C29-C31: Gain in index mode (the body's numeric ISOs).
    const Json gains = rig.value("gains");
    REQUIRE(gains.is_array());
    REQUIRE(gains.size() > 10);
    for (const auto& gain : gains) CHECK(gain.get<std::string>().rfind("ISO ", 0) == 0);
    CHECK(gains[rig.value("gain").get<std::size_t>()] == "ISO 800");
    CHECK(rig.putError("gain", "Gain=" + std::to_string(gains.size())) == kInvalidValue);
    CHECK(rig.putError("gain", "Gain=-1") == kInvalidValue);
    // C32: no progress figure while Idle.
    CHECK(rig.getError("percentcompleted") == kInvalidOperation);
    // C33, C34: the body's RAW file types.
    CHECK(rig.value("readoutmodes") == Json::array({"Uncompressed RAW", "Compressed RAW"}));
    CHECK(rig.value("readoutmode") == 0);
    CHECK(rig.putError("readoutmode", "ReadoutMode=2") == kInvalidValue);
    // C18, C23: NumX/NumY/StartX/StartY read in range; writes are kept as they are.
    CHECK(rig.value("numx") == kWidth);
    CHECK(rig.value("numy") == kHeight);
    CHECK(rig.value("startx") == 0);
    CHECK(rig.value("starty") == 0);
    rig.putOk("numx", "NumX=" + std::to_string(kWidth / 2));
    rig.putOk("startx", "StartX=" + std::to_string(kWidth / 2));
    CHECK(rig.value("numx") == kWidth / 2);
    rig.putOk("numx", "NumX=" + std::to_string(kWidth));
    rig.putOk("startx", "StartX=0");
    // C38, C40: AbortExposure and StopExposure while Idle succeed.
    rig.putOk("abortexposure");
    rig.putOk("stopexposure");
    CHECK(rig.value("camerastate") == kIdle);

    // C42, C43: the setters take out-of-range values, StartExposure refuses them (0x401 naming them).
    CHECK(rig.putError("startexposure", "Duration=-1.0&Light=true") == kInvalidValue);
    for (unsigned bin : {1U, 2U}) {
        CAPTURE(bin);
        const auto reset = [&] {
            rig.putOk("binx", "BinX=" + std::to_string(bin));
            rig.putOk("biny", "BinY=" + std::to_string(bin));
            rig.putOk("startx", "StartX=0");
            rig.putOk("starty", "StartY=0");
            rig.putOk("numx", "NumX=" + std::to_string(kWidth / bin));
            rig.putOk("numy", "NumY=" + std::to_string(kHeight / bin));
        };
        for (const std::string& setting : {"NumX=" + std::to_string(kWidth / bin + 1), "NumY=" + std::to_string(kHeight / bin + 1),
                                          "StartX=" + std::to_string(kWidth / bin + 1),
                                          "StartY=" + std::to_string(kHeight / bin + 1)}) {
            CAPTURE(setting);
            reset();
            const std::string member = setting.substr(0, setting.find('='));
            rig.putOk(member == "NumX" ? "numx" : member == "NumY" ? "numy" : member == "StartX" ? "startx" : "starty",
                      setting);
            const Json reply = rig.put("startexposure", "Duration=1&Light=true");
            CHECK(reply["ErrorNumber"] == kInvalidValue);
            CHECK(reply["ErrorMessage"].get<std::string>().find(member) != std::string::npos);
            CHECK(rig.state() == kIdle);
        }
        // Asymmetric binning is refused at StartExposure.
        reset();
        rig.putOk("biny", std::string("BinY=") + (bin == 1 ? "2" : "1"));
        CHECK(rig.putError("startexposure", "Duration=1&Light=true") == kInvalidOperation);
    }

    // C41, C44-C54: a full frame at each bin level, asynchronous, through the states ConformU sees.
    for (unsigned bin : {1U, 2U}) {
        CAPTURE(bin);
        rig.putOk("binx", "BinX=" + std::to_string(bin));
        rig.putOk("biny", "BinY=" + std::to_string(bin));
        rig.putOk("startx", "StartX=0");
        rig.putOk("starty", "StartY=0");
        rig.putOk("numx", "NumX=" + std::to_string(kWidth / bin));
        rig.putOk("numy", "NumY=" + std::to_string(kHeight / bin));
        CHECK(rig.state() == kIdle);
        const auto observed_start = std::chrono::system_clock::now();
        const auto before = std::chrono::steady_clock::now();
        rig.putOk("startexposure", "Duration=2.0&Light=true");
        CHECK(std::chrono::steady_clock::now() - before < 1s);  // C44: returns at once
        CHECK(rig.value("imageready") == false);               // C45, C46
        // C47: Exposing within 10 s (Waiting may come first), with ImageReady still false.
        bool exposing = false;
        std::set<int> seen;
        rig.waitUntil([&] {
            const int state = rig.state();
            seen.insert(state);
            if (state == kExposing) {
                exposing = true;
                CHECK(rig.value("percentcompleted").get<int>() <= 100);
            }
            return state == kIdle || state == kError;
        });
        CHECK(exposing);
        CHECK(seen.count(kError) == 0);
        // C48-C50: Idle with an image.
        REQUIRE(rig.waitForImage(10s));
        CHECK(rig.state() == kIdle);
        // C51: the true duration (the body's listed 2 s) and a start time in the right form.
        CHECK(rig.value("lastexposureduration").get<double>() == doctest::Approx(2.0).epsilon(0.02));
        const std::string start = rig.value("lastexposurestarttime").get<std::string>();
        CHECK(start.size() >= 19);
        CHECK(start.back() != 'Z');
        const auto parsed = parseUtc(start);
        REQUIRE(parsed);
        CHECK(*parsed >= observed_start - 2s);
        CHECK(*parsed <= observed_start + 5s);
        // C52, C53: Int32[NumX, NumY] within 10 s, from ImageArray and ImageArrayVariant.
        const auto fetch = std::chrono::steady_clock::now();
        const Image json = rig.imageJson();
        CHECK(std::chrono::steady_clock::now() - fetch < 10s);
        CHECK(json.num_x == kWidth / bin);
        CHECK(json.num_y == kHeight / bin);
        const Image variant = rig.imageJson("imagearrayvariant");
        CHECK(variant.values == json.values);
        // C54: StopExposure and AbortExposure after the exposure.
        rig.putOk("stopexposure");
        rig.putOk("abortexposure");
    }
    CHECK(rig.value("ccdtemperature").get<double>() == doctest::Approx(10));  // the simulator's sensor
    // C55: the reset ConformU ends with.
    rig.putOk("binx", "BinX=1");
    rig.putOk("biny", "BinY=1");
    rig.putOk("startx", "StartX=0");
    rig.putOk("starty", "StartY=0");
    rig.putOk("numx", "NumX=1");
    rig.putOk("numy", "NumY=1");
    // DeviceState: known camera values only (R7).
    const Json state = rig.value("devicestate");
    std::set<std::string> names;
    for (const auto& item : state) names.insert(item["Name"].get<std::string>());
    CHECK(names == std::set<std::string>{"CameraState", "CCDTemperature", "ImageReady", "IsPulseGuiding"});
}

TEST_CASE("camera: the served pixels are the ARW's, as LibRaw reads it - subframes, binning, FITS and gain") {
    CameraRig rig({}, {"--keep-raw", "true", "--save-fits", "true"});
    rig.connectAndLearnSize();
    const auto images = rig.stateDir() / "images";
    REQUIRE(rig.waitUntil([&] { return savedFiles(images) == 2; }));
    std::filesystem::remove_all(images);

    struct Case {
        unsigned start_x, start_y, num_x, num_y, bin;
    };
    // A whole frame, an odd subframe at bin 1, and a binned subframe.
    for (const Case c : {Case{0, 0, kWidth, kHeight, 1}, Case{101, 33, 251, 123, 1}, Case{17, 9, 200, 101, 2}}) {
        CAPTURE(c.start_x);
        CAPTURE(c.bin);
        rig.putOk("binx", "BinX=" + std::to_string(c.bin));
        rig.putOk("biny", "BinY=" + std::to_string(c.bin));
        rig.putOk("startx", "StartX=" + std::to_string(c.start_x));
        rig.putOk("starty", "StartY=" + std::to_string(c.start_y));
        rig.putOk("numx", "NumX=" + std::to_string(c.num_x));
        rig.putOk("numy", "NumY=" + std::to_string(c.num_y));
        rig.expose(1.0);
        const Image bytes = rig.imageBytes();
        const Image json = rig.imageJson();
        CHECK(bytes.num_x == c.num_x);
        CHECK(bytes.num_y == c.num_y);
        CHECK(json.num_x == c.num_x);
        CHECK(json.num_y == c.num_y);
        CHECK(bytes.values == json.values);

        // The ARW the body wrote, kept by the daemon, decoded here by LibRaw itself.
        REQUIRE(rig.waitUntil([&] { return savedFiles(images) == 2; }));
        const Reference reference = referenceFrame(readFile(onlyFile(images, ".arw")));
        CHECK(reference.width == kWidth);
        CHECK(reference.height == kHeight);
        std::size_t mismatches = 0;
        for (unsigned x = 0; x < c.num_x; ++x)
            for (unsigned y = 0; y < c.num_y; ++y)
                mismatches += bytes.at(x, y) != expected(reference, c.start_x, c.start_y, c.bin, x, y) ? 1U : 0U;
        CHECK(mismatches == 0);

        // The FITS file holds the same image, rows top-down, with the exposure's cards.
        const Fits fits = readFits(onlyFile(images, ".fits"));
        CHECK(fits.width == c.num_x);
        CHECK(fits.height == c.num_y);
        std::size_t fits_mismatches = 0;
        for (unsigned x = 0; x < c.num_x; ++x)
            for (unsigned y = 0; y < c.num_y; ++y)
                fits_mismatches += fits.pixels[std::size_t{y} * c.num_x + x] != bytes.at(x, y) ? 1U : 0U;
        CHECK(fits_mismatches == 0);
        CHECK(fits.cards.at("EXPTIME") == "1.");
        CHECK(fits.cards.at("XBINNING") == std::to_string(c.bin));
        CHECK(fits.cards.at("INSTRUME") == "'Sony ILCE-7M3'");
        CHECK(fits.cards.at("GAIN") == "800");
        CHECK(fits.cards.at("CCD-TEMP").rfind("10", 0) == 0);
        CHECK(fits.cards.count("DATE-OBS") == 1);
        CHECK(fits.cards.count("XPIXSZ") == 1);
        CHECK(fits.cards.count("SWCREATE") == 1);
        CHECK(fits.cards.count("BAYERPAT") == (c.bin == 1 ? 1U : 0U));
        if (c.bin == 1) CHECK(fits.cards.at("XBAYROFF") == std::to_string(c.start_x % 2));
        std::filesystem::remove_all(images);
    }

    // Gain sets the body's ISO; the next image's maker notes say so.
    const Json gains = rig.value("gains");
    std::size_t iso1600 = 0;
    for (std::size_t i = 0; i < gains.size(); ++i)
        if (gains[i] == "ISO 1600") iso1600 = i;
    REQUIRE(iso1600 > 0);
    rig.putOk("gain", "Gain=" + std::to_string(iso1600));
    CHECK(rig.value("gain") == iso1600);
    // Compressed RAW: LibRaw reads the cRAW file; MaxADU follows the frame's bit depth.
    rig.putOk("readoutmode", "ReadoutMode=1");
    CHECK(rig.value("readoutmode") == 1);
    rig.putOk("binx", "BinX=1");
    rig.putOk("biny", "BinY=1");
    rig.putOk("startx", "StartX=0");
    rig.putOk("starty", "StartY=0");
    rig.putOk("numx", "NumX=" + std::to_string(kWidth));
    rig.putOk("numy", "NumY=" + std::to_string(kHeight));
    rig.expose(1.0);
    CHECK(rig.value("gain") == iso1600);
    CHECK(rig.value("maxadu").get<int>() >= 4095);
    REQUIRE(rig.waitUntil([&] { return savedFiles(images) == 2; }));
    const auto arw = readFile(onlyFile(images, ".arw"));
    const Reference compressed = referenceFrame(arw);
    const Image bytes = rig.imageBytes();
    const auto max_adu = rig.value("maxadu").get<std::uint32_t>();
    std::size_t mismatches = 0;
    for (unsigned x = 0; x < kWidth; ++x)
        for (unsigned y = 0; y < kHeight; ++y)
            mismatches += bytes.at(x, y) != std::min<std::uint32_t>(compressed.at(x, y), max_adu) ? 1U : 0U;
    CHECK(mismatches == 0);
    CHECK(decodeWithLibRaw(arw).iso == doctest::Approx(1600));
}

TEST_CASE("camera: image responses are never compressed, whatever the client accepts") {
    CameraRig rig;
    rig.connectAndLearnSize();
    const std::string gzip = "Accept-Encoding: gzip, br\r\n";
    const Image json = rig.imageJson("imagearray", "Accept: application/json\r\n" + gzip);
    const auto reply = rig.download("imagearray", "Accept: application/imagebytes\r\n" + gzip);
    CHECK(reply.status == 200);
    CHECK(reply.header("content-type") == "application/imagebytes");
    CHECK(reply.header("content-encoding").empty());
    CHECK(reply.header("content-length") == std::to_string(reply.body.size()));
    CHECK(reply.body.size() == 44 + std::size_t{kWidth} * kHeight * 2);
    const Image bytes = rig.imageBytes();
    CHECK(bytes.values == json.values);
    // ImageArrayVariant serves the same data both ways.
    CHECK(rig.imageBytes("imagearrayvariant").values == json.values);
    // A plain JSON reply (not an image) is still small and correct with the same headers.
    const auto small = rig.download("camerastate", "Accept: application/json\r\n" + gzip);
    CHECK(small.json()["Value"] == kIdle);
}

TEST_CASE("camera: abort and stop in every state") {
    CameraRig rig;
    rig.connectAndLearnSize();
    // Idle: both succeed and change nothing.
    rig.putOk("abortexposure");
    rig.putOk("stopexposure");
    CHECK(rig.value("imageready") == true);

    // Exposing: AbortExposure discards at once; the body still runs its listed speed, so the next
    // exposure Waits for it, then goes on.
    rig.putOk("startexposure", "Duration=3&Light=true");
    REQUIRE(rig.waitUntil([&] { return rig.state() == kExposing; }, 5s));
    rig.putOk("abortexposure");
    CHECK(rig.state() == kIdle);
    CHECK(rig.value("imageready") == false);
    const Json none = rig.get("imagearray");
    CHECK(none["ErrorNumber"] == kInvalidOperation);
    CHECK(none["ErrorMessage"].get<std::string>().find("aborted") != std::string::npos);
    rig.putOk("startexposure", "Duration=1&Light=true");
    CHECK(rig.state() == kWaiting);
    CHECK(rig.value("percentcompleted") == 0);
    // Waiting: StartExposure is refused, StopExposure keeps going, AbortExposure discards.
    CHECK(rig.putError("startexposure", "Duration=1&Light=true") == kInvalidOperation);
    rig.putOk("abortexposure");
    CHECK(rig.state() == kIdle);
    rig.putOk("startexposure", "Duration=1&Light=true");
    REQUIRE(rig.waitUntil([&] { return rig.state() == kExposing; }, 10s));
    REQUIRE(rig.waitForImage());
    CHECK(rig.value("lastexposureduration") == 1.0);

    // Exposing, stopped: a listed speed runs to its end and the image is kept.
    rig.putOk("startexposure", "Duration=2&Light=true");
    REQUIRE(rig.waitUntil([&] { return rig.state() == kExposing; }, 5s));
    rig.putOk("stopexposure");
    CHECK(rig.state() != kExposing);
    REQUIRE(rig.waitForImage());
    CHECK(rig.value("lastexposureduration") == 2.0);

    // Reading (the exposure time is over, the body reads out): Stop is ignored, Abort discards.
    rig.putOk("startexposure", "Duration=1&Light=true");
    REQUIRE(rig.waitUntil([&] {
        const int state = rig.state();
        return state == kReading || state == kDownload || state == kIdle;
    }, 10s));
    const int late = rig.state();
    rig.putOk("stopexposure");
    rig.putOk("abortexposure");
    CHECK(rig.state() == kIdle);
    if (late != kIdle) CHECK(rig.value("imageready") == false);

    // Error (the body stays busy through every retry): Stop changes nothing, Abort clears it, and
    // a new exposure works.
    REQUIRE(rig.waitUntil([&] { return rig.state() == kIdle; }));
    rig.fault("busy_captures=5");
    rig.putOk("startexposure", "Duration=0.01&Light=true");
    REQUIRE_MESSAGE(rig.waitUntil([&] { return rig.state() == kError; }, 20s), rig.logs());
    const Json failed = rig.get("imageready");
    CHECK(failed["ErrorNumber"] != 0);
    CHECK(failed["ErrorMessage"].get<std::string>().find("busy") != std::string::npos);
    rig.putOk("stopexposure");
    CHECK(rig.state() == kError);
    rig.putOk("abortexposure");
    CHECK(rig.state() == kIdle);
    CHECK(rig.value("imageready") == false);
    rig.expose(0.01);
}

TEST_CASE("camera: a 35 s bulb exposure, and StopExposure ends a bulb early keeping the image") {
    CameraRig rig({"--shutter", "bulb"});
    rig.connect();
    // 35 s: beyond the listed speeds, BULB timed by the daemon.
    const auto started = std::chrono::steady_clock::now();
    rig.putOk("startexposure", "Duration=35&Light=true");
    CHECK(rig.state() == kExposing);
    std::this_thread::sleep_for(17s);
    const int halfway = rig.value("percentcompleted").get<int>();
    CHECK(halfway >= 40);
    CHECK(halfway <= 60);
    CHECK(rig.state() == kExposing);
    REQUIRE_MESSAGE(rig.waitForImage(40s), rig.logs());
    CHECK(std::chrono::steady_clock::now() - started >= 35s);
    CHECK(rig.value("lastexposureduration").get<double>() == doctest::Approx(35).epsilon(0.02));
    CHECK(rig.value("cameraxsize") == kWidth);

    // 60 s asked, stopped after about 2 s: the image of those 2 s.
    rig.putOk("startexposure", "Duration=60&Light=true");
    std::this_thread::sleep_for(2s);
    rig.putOk("stopexposure");
    CHECK(rig.state() != kExposing);
    REQUIRE(rig.waitForImage(20s));
    const double stopped = rig.value("lastexposureduration").get<double>();
    CHECK(stopped >= 1.5);
    CHECK(stopped <= 4.0);
    CHECK(rig.imageBytes().num_x == kWidth);
}

TEST_CASE("camera: two clients polling at 10 Hz stay answered through an exposure and its downloads") {
    CameraRig rig;
    rig.connectAndLearnSize();
    // The body's transfer is slowed down: its last replies take 300 ms each.
    rig.fault("slow_ms=300&slow_operations=8");
    std::atomic<bool> done{false};
    std::atomic<int> polls{0}, slow{0}, failures{0};
    // Each client reads the camera's state 10 times a second; no answer may wait on the body (which
    // would take seconds), so each must come within a second even on a loaded machine.
    auto poller = [&] {
        while (!done) {
            const auto round = std::chrono::steady_clock::now();
            for (const char* member : {"camerastate", "imageready", "percentcompleted", "devicestate"}) {
                const auto before = std::chrono::steady_clock::now();
                const auto reply = httpGet(rig.port(), std::string("/api/v1/camera/0/") + member);
                if (reply.status != 200) ++failures;
                if (std::chrono::steady_clock::now() - before > 1s) ++slow;
                ++polls;
            }
            const auto took = std::chrono::steady_clock::now() - round;
            std::this_thread::sleep_for(std::max<std::chrono::steady_clock::duration>(0ms, 100ms - took));
        }
    };
    std::thread first(poller), second(poller);
    std::set<int> states;
    rig.putOk("startexposure", "Duration=1&Light=true");
    const bool ready = rig.waitUntil([&] {
        states.insert(rig.state());
        const Json reply = rig.get("imageready");
        return reply["Value"] == true;
    });
    // Both clients download the image, in both forms, while the polling goes on.
    std::vector<std::uint32_t> json_values, bytes_values;
    std::thread json_client([&] { json_values = rig.imageJson().values; });
    bytes_values = rig.imageBytes().values;
    json_client.join();
    done = true;
    first.join();
    second.join();
    REQUIRE_MESSAGE(ready, rig.logs());
    CHECK(json_values == bytes_values);
    CHECK(states.count(kDownload) + states.count(kReading) >= 1);
    CHECK(failures == 0);
    CHECK(slow == 0);
    CHECK(polls > 40);
}

TEST_CASE("camera: a body unplugged during the exposure or its download - the daemon goes on") {
    CameraRig rig;
    rig.connectAndLearnSize();
    // Cut mid-download: the backend reconnects and collects the frame the body still holds.
    rig.fault("drop_mid_transfer=1");
    rig.putOk("startexposure", "Duration=1&Light=true");
    REQUIRE_MESSAGE(rig.waitUntil([&] {
        const Json reply = rig.get("imageready");
        return reply["Value"] == true || rig.state() == kError;
    }, 40s), rig.logs());
    if (rig.state() == kError) {
        CHECK(rig.getError("imageready") != 0);
        CHECK(rig.getError("imagearray") == kInvalidOperation);
    } else {
        CHECK(rig.imageBytes().num_x == kWidth);
    }

    // Unplugged during the exposure for longer than the backend waits: Error, with the reason on
    // ImageReady and ImageArray; the camera stays connected.
    rig.putOk("startexposure", "Duration=2&Light=true");
    REQUIRE(rig.waitUntil([&] { return rig.state() == kExposing; }, 5s));
    rig.fault("unplug_ms=20000");
    REQUIRE_MESSAGE(rig.waitUntil([&] { return rig.state() == kError; }, 40s), rig.logs());
    const Json ready = rig.get("imageready");
    CHECK(ready["ErrorNumber"] != 0);
    const std::string reason = ready["ErrorMessage"].get<std::string>();
    CHECK(reason.find("failed") != std::string::npos);
    CHECK(reason.find("lost") != std::string::npos);
    const Json array = rig.get("imagearray");
    CHECK(array["ErrorNumber"] == kInvalidOperation);
    CHECK(array["ErrorMessage"].get<std::string>().find("lost") != std::string::npos);
    const Json states = rig.value("devicestate");
    CHECK(states[0]["Value"] == kError);
    CHECK(rig.value("connected") == true);

    // Once the body is back, exposures work again.
    REQUIRE_MESSAGE(rig.waitUntil([&] {
        rig.put("startexposure", "Duration=0.01&Light=true");
        return rig.waitForImage(3s);
    }, 40s), rig.logs());
    CHECK(rig.imageBytes().num_x == kWidth);
}

TEST_CASE("camera: a disk that refuses the files is reported once and loses no image") {
    TempDir scratch;
    const auto blocker = scratch.path() / "not-a-directory";
    std::ofstream(blocker) << "x";
    CameraRig rig({}, {"--save-fits", "true", "--image-dir", (blocker / "images").string()});
    rig.connectAndLearnSize();  // its file cannot be written
    CHECK(rig.imageBytes().num_x == kWidth);  // the image is served all the same
    REQUIRE(rig.daemon().waitForLog("saving an image on this computer failed"));
    const Json refused = rig.put("startexposure", "Duration=0.01&Light=true");
    CHECK(refused["ErrorNumber"] != 0);
    CHECK(refused["ErrorMessage"].get<std::string>().find("could not be saved") != std::string::npos);
    CHECK(rig.value("imageready") == true);
    rig.expose(0.01);  // reported once: the next exposure goes on (its file fails again, logged)
    rig.expose(0.01);
}

TEST_CASE("camera: serve --camera simulator takes and serves a full-size 24 MP image") {
    TempDir state;
    auto daemon = DaemonProcess::serve(state.path(), {"--camera", "simulator"});
    const auto put = [&](const std::string& member, const std::string& form) {
        return httpForm(daemon.port(), "PUT", "/api/v1/camera/0/" + member, form).json();
    };
    const auto value = [&](const std::string& member) {
        return httpGet(daemon.port(), "/api/v1/camera/0/" + member).json()["Value"];
    };
    REQUIRE(put("connected", "Connected=true")["ErrorNumber"] == 0);
    CHECK(value("cameraxsize") == 6024);
    CHECK(value("cameraysize") == 4024);
    REQUIRE(put("startexposure", "Duration=1&Light=true")["ErrorNumber"] == 0);
    bool ready = false;
    for (int i = 0; i < 300 && !ready; ++i) {
        ready = value("imageready") == true;
        if (!ready) std::this_thread::sleep_for(100ms);
    }
    REQUIRE_MESSAGE(ready, daemon.log());
    const auto reply = sendRaw("127.0.0.1", daemon.port(),
                               "GET /api/v1/camera/0/imagearray HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: "
                               "application/imagebytes\r\nAccept-Encoding: gzip, br\r\nConnection: close\r\n\r\n",
                               30s);
    CHECK(reply.status == 200);
    CHECK(reply.header("content-encoding").empty());
    REQUIRE(reply.body.size() == 44 + std::size_t{6024} * 4024 * 2);
    CHECK(le32(reply.body, 32) == 6024);
    CHECK(le32(reply.body, 36) == 4024);
    CHECK(value("cameraxsize") == 6024);  // the database's size was right
}
