// SPDX-License-Identifier: GPL-3.0-or-later
// The Camera device in process, through the Router, on a scripted body that hands over real (small)
// ARW files: what it learns at connect and from each frame, Gain and ReadoutMode, the checks of
// StartExposure; the image replies (ImageBytes and streamed JSON); the file archive; serveFrame.
#include "alpaca/CameraDevice.hpp"
#include "alpaca/ImageReply.hpp"
#include "alpaca/Router.hpp"
#include "config/RawTypes.hpp"
#include "imaging/Jpeg.hpp"
#include "imaging/NightFolder.hpp"
#include "ptp/sim/sky/SkyRenderer.hpp"

#include "RouterCalls.hpp"
#include "TestBody.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <fstream>
#include <random>
#include <thread>

using namespace sonyalpaca;
using namespace sonyalpaca::alpaca;
using namespace std::chrono_literals;
using test::jsonOf;
using test::routeGet;
using test::routePut;

namespace {
/// A body database with one ILCE-7M3 whose sensor is listed as 6024x4024, or the rows `bodies`.
std::shared_ptr<const config::BodyDatabase> database(const std::filesystem::path& dir, std::string bodies = {}) {
    const auto path = dir / "bodies.json";
    if (bodies.empty())
        bodies = R"({"model":"ILCE-7M3","sensor_name":"EXMOR R","pixel_size_x_um":5.95,
        "pixel_size_y_um":5.95,"sensor_width":6024,"sensor_height":4024,"exposure_min_s":0.000125,
        "exposure_max_s":900})";
    std::ofstream(path) << R"({"bodies":[)" << bodies << "]}";
    return std::make_shared<const config::BodyDatabase>(config::BodyDatabase::load(path));
}

struct Fixture {
    test::TestStateDir state;
    std::shared_ptr<test::TestBody> body = std::make_shared<test::TestBody>(test::TestBody::Camera{});
    std::shared_ptr<BodySession> session = std::make_shared<BodySession>(body);
    std::vector<FrameFacts> reported;  // before the devices: their threads report until they go
    std::mutex reported_mutex;
    DeviceRegistry registry;
    Router router{registry, {}};

    explicit Fixture(ArchiveSettings files = {}, std::string raw_type = {}, std::string bodies = {},
                     double focal_length_mm = 0) {
        registry.add(std::make_shared<CameraDevice>(session,
                                                    CameraConfig{database(state.path, std::move(bodies)), files,
                                                                 [] { return std::optional<long>(1234); },
                                                                 std::move(raw_type), nullptr, focal_length_mm}),
                     "c");
        session->onReport([this](const FrameFacts& facts) {
            std::lock_guard lock(reported_mutex);
            reported.push_back(facts);
        });
    }
    nlohmann::json get(const std::string& member) { return jsonOf(routeGet(router, "/api/v1/camera/0/" + member)); }
    nlohmann::json value(const std::string& member) {
        const auto reply = get(member);
        INFO(member << ": " << reply.dump());
        CHECK(reply["ErrorNumber"] == 0);
        return reply["Value"];
    }
    nlohmann::json put(const std::string& member, const std::string& form = "") {
        return jsonOf(routePut(router, "/api/v1/camera/0/" + member, form));
    }
    int putError(const std::string& member, const std::string& form = "") {
        return put(member, form)["ErrorNumber"].get<int>();
    }
    bool waitForImage() {
        for (int i = 0; i < 1000; ++i) {
            const auto reply = get("imageready");
            if (reply["ErrorNumber"] == 0 && reply["Value"] == true) return true;
            std::this_thread::sleep_for(5ms);
        }
        return false;
    }
};

imaging::ImageBytes testImage(unsigned width, unsigned height) {
    imaging::Frame frame{width, height, {}};
    for (unsigned y = 0; y < height; ++y)
        for (unsigned x = 0; x < width; ++x) frame.pixels.push_back(static_cast<std::uint16_t>(x * 1000 + y));
    return imaging::ImageBytes(frame);
}

/// Reads a whole streamed body in pieces of at most `piece` bytes, from offset 0 on.
std::string readAll(BodySource& source, std::size_t piece) {
    std::string out;
    while (out.size() < source.size()) {
        const auto chunk = source.read(out.size(), piece);
        REQUIRE_FALSE(chunk.empty());
        out.append(chunk.data(), chunk.size());
    }
    return out;
}
}  // namespace

TEST_CASE("camera device: connect reads the body - the first frame corrects the size from the database") {
    Fixture f;
    CHECK(f.get("cameraxsize")["ErrorNumber"] == 0x407);
    CHECK(f.value("canabortexposure") == true);  // capabilities need no body
    CHECK(f.put("connected", "Connected=true")["ErrorNumber"] == 0);
    CHECK(f.value("cameraxsize") == 6024);
    CHECK(f.value("numx") == 6024);
    CHECK(f.value("sensorname") == "EXMOR R");
    CHECK(f.value("pixelsizex") == 5.95);
    CHECK(f.value("exposuremax") == 900.0);
    // ISO: the numeric choices only, the body's current one selected.
    CHECK(f.value("gains") == nlohmann::json::array({"ISO 100", "ISO 200", "ISO 400", "ISO 800", "ISO 1600"}));
    CHECK(f.value("gain") == 3);
    // RAW file types: the lossless one is offered where this LibRaw decodes it (0.21, Debian 13).
    if (config::decodesSonyLossless())
        CHECK(f.value("readoutmodes") ==
              nlohmann::json::array({"Uncompressed RAW", "Compressed RAW", "Lossless Compressed RAW"}));
    else
        CHECK(f.value("readoutmodes") == nlohmann::json::array({"Uncompressed RAW", "Compressed RAW"}));
    CHECK(f.get("ccdtemperature")["ErrorNumber"] == 0x400);

    CHECK(f.put("startexposure", "Duration=0.01&Light=false")["ErrorNumber"] == 0);
    REQUIRE(f.waitForImage());
    // The body's frames are 64x48: the size, NumX/NumY (full frame) and the served image follow.
    CHECK(f.value("cameraxsize") == 64);
    CHECK(f.value("cameraysize") == 48);
    CHECK(f.value("numx") == 64);
    CHECK(f.value("numy") == 48);
    CHECK(f.value("ccdtemperature") == 12.0);
    CHECK(f.value("maxadu") == 16383);
    CHECK(f.value("lastexposureduration") == 0.01);
    {
        std::lock_guard lock(f.reported_mutex);
        REQUIRE_FALSE(f.reported.empty());
        CHECK(f.reported.back().temperature == -5.0);  // the ambient temperature, sign restored
    }
    const auto names = f.value("devicestate");
    CHECK(names.size() == 4);  // CameraState, CCDTemperature, ImageReady, IsPulseGuiding

    // The size learned stays through a reconnection.
    CHECK(f.put("connected", "Connected=false")["ErrorNumber"] == 0);
    CHECK(f.put("connected", "Connected=true")["ErrorNumber"] == 0);
    CHECK(f.value("cameraxsize") == 64);
    CHECK(f.value("imageready") == false);
    CHECK(f.get("lastexposureduration")["ErrorNumber"] == 0x40B);
}

TEST_CASE("camera device: Gain and ReadoutMode reach the body, never while it exposes") {
    Fixture f;
    REQUIRE(f.put("connected", "Connected=true")["ErrorNumber"] == 0);
    CHECK(f.put("gain", "Gain=4")["ErrorNumber"] == 0);
    CHECK(f.body->current_iso == "1600");
    CHECK(f.value("gain") == 4);
    CHECK(f.putError("gain", "Gain=5") == 0x401);
    CHECK(f.put("readoutmode", "ReadoutMode=1")["ErrorNumber"] == 0);
    CHECK(f.body->current_raw_type == "Compressed RAW");
    // Index 2 is the lossless type, a readout mode only where LibRaw decodes it (0.21, Debian 13).
    const int modes = config::decodesSonyLossless() ? 3 : 2;
    if (modes == 3) {
        CHECK(f.put("readoutmode", "ReadoutMode=2")["ErrorNumber"] == 0);
        CHECK(f.body->current_raw_type == "Lossless Compressed RAW");
        CHECK(f.put("readoutmode", "ReadoutMode=1")["ErrorNumber"] == 0);
    }
    CHECK(f.putError("readoutmode", "ReadoutMode=" + std::to_string(modes)) == 0x401);

    f.body->closeGate();
    CHECK(f.put("startexposure", "Duration=1&Light=true")["ErrorNumber"] == 0);
    CHECK(f.putError("gain", "Gain=0") == 0x40B);
    CHECK(f.putError("readoutmode", "ReadoutMode=0") == 0x40B);
    CHECK(f.putError("startexposure", "Duration=1&Light=true") == 0x40B);
    CHECK(f.value("camerastate") == 2);
    f.body->openGate();
    REQUIRE(f.waitForImage());
    // The frame says ISO 800 (the file's maker notes): Gain follows what the body really did.
    CHECK(f.value("gain") == 3);
}

TEST_CASE("camera device: the member table's needs are checked before the member, and the error names it") {
    Fixture f;
    const auto message = [](const nlohmann::json& reply) { return reply["ErrorMessage"].get<std::string>(); };
    // Not connected: every member that needs the body says which one, and how it was used.
    CHECK(message(f.get("maxadu")).ends_with("before reading MaxADU"));
    CHECK(message(f.put("binx", "BinX=1")).ends_with("before writing BinX"));
    CHECK(message(f.put("startexposure", "Duration=1&Light=true")).ends_with("before calling StartExposure"));
    // Parameters come first: a missing one is HTTP 400 even while not connected.
    CHECK(routePut(f.router, "/api/v1/camera/0/binx", "").status == 400);
    // Capabilities and absent members need nothing.
    CHECK(f.get("canstopexposure")["ErrorNumber"] == 0);
    CHECK(message(f.get("cooleron")) == "Camera.CoolerOn is not implemented: a Sony body has no cooler");

    REQUIRE(f.put("connected", "Connected=true")["ErrorNumber"] == 0);
    f.body->closeGate();
    REQUIRE(f.put("startexposure", "Duration=1&Light=true")["ErrorNumber"] == 0);
    // Idle members are refused while exposing, naming the member; Connected ones still answer.
    const auto busy = f.put("gain", "Gain=0");
    CHECK(busy["ErrorNumber"] == 0x40B);
    CHECK(message(busy).starts_with("writing Gain is refused while the camera is Exposing"));
    CHECK(f.put("binx", "BinX=2")["ErrorNumber"] == 0);
    f.body->openGate();
    REQUIRE(f.waitForImage());
    CHECK(f.put("gain", "Gain=0")["ErrorNumber"] == 0);
}

TEST_CASE("camera device: raw_type from the settings is set at every connect, if the body offers it") {
    SUBCASE("offered") {
        Fixture f({}, "Compressed RAW");
        REQUIRE(f.put("connected", "Connected=true")["ErrorNumber"] == 0);
        CHECK(f.body->current_raw_type == "Compressed RAW");
        CHECK(f.value("readoutmode") == 1);
        // A client's ReadoutMode holds until the next connect.
        CHECK(f.put("readoutmode", "ReadoutMode=0")["ErrorNumber"] == 0);
        CHECK(f.body->current_raw_type == "Uncompressed RAW");
        CHECK(f.put("connected", "Connected=false")["ErrorNumber"] == 0);
        CHECK(f.put("connected", "Connected=true")["ErrorNumber"] == 0);
        CHECK(f.body->current_raw_type == "Compressed RAW");
    }
    SUBCASE("not offered: the body stays as it is") {
        Fixture f({}, "Compressed RAW");
        f.body->raw_types = {"Uncompressed RAW"};
        REQUIRE(f.put("connected", "Connected=true")["ErrorNumber"] == 0);
        CHECK(f.body->current_raw_type == "Uncompressed RAW");
        CHECK(f.value("readoutmode") == 0);
    }
    SUBCASE("unset: the body's own; lossless kept where LibRaw decodes it, replaced where not") {
        Fixture f;
        f.body->current_raw_type = "Compressed RAW";
        REQUIRE(f.put("connected", "Connected=true")["ErrorNumber"] == 0);
        CHECK(f.body->current_raw_type == "Compressed RAW");
        CHECK(f.put("connected", "Connected=false")["ErrorNumber"] == 0);
        f.body->current_raw_type = "Lossless Compressed RAW";
        CHECK(f.put("connected", "Connected=true")["ErrorNumber"] == 0);
        CHECK(f.body->current_raw_type ==
              (config::decodesSonyLossless() ? "Lossless Compressed RAW" : "Uncompressed RAW"));
        CHECK(f.put("connected", "Connected=false")["ErrorNumber"] == 0);
        // The S and M sizes are colour images, never decodable as a mosaic.
        f.body->raw_types.push_back("Lossless Compressed RAW M");
        f.body->current_raw_type = "Lossless Compressed RAW M";
        CHECK(f.put("connected", "Connected=true")["ErrorNumber"] == 0);
        CHECK(f.body->current_raw_type == "Uncompressed RAW");
    }
}

TEST_CASE("camera device: each frame leaves a JPEG preview for the setup page") {
    Fixture f;
    auto reply = routeGet(f.router, "/setup/preview.jpg");
    CHECK(reply.status == 404);
    CHECK(reply.body.find("no frame yet") != std::string::npos);
    CHECK(nlohmann::json::parse(routeGet(f.router, "/setup/status.json").body)["preview"].is_null());

    REQUIRE(f.put("connected", "Connected=true")["ErrorNumber"] == 0);
    // A subframe is served; the preview shows the whole frame.
    CHECK(f.put("numx", "NumX=16")["ErrorNumber"] == 0);
    CHECK(f.put("numy", "NumY=16")["ErrorNumber"] == 0);
    for (int frame = 1; frame <= 2; ++frame) {
        CAPTURE(frame);
        CHECK(f.put("startexposure", "Duration=0.01&Light=true")["ErrorNumber"] == 0);
        REQUIRE(f.waitForImage());
        reply = routeGet(f.router, "/setup/preview.jpg", "frame=" + std::to_string(frame));
        CHECK(reply.status == 200);
        CHECK(reply.content_type == "image/jpeg");
        REQUIRE(reply.source);
        const std::string jpeg = readAll(*reply.source, 100);
        CHECK_THROWS(reply.source->read(jpeg.size(), 1));
        const auto* bytes = reinterpret_cast<const std::uint8_t*>(jpeg.data());
        const auto image = imaging::decodeJpegGrey({bytes, jpeg.size()});
        CHECK(image.width == 32);  // 64x48 frames: 2x2 superpixels
        CHECK(image.height == 24);

        const auto status = nlohmann::json::parse(routeGet(f.router, "/setup/status.json").body);
        CHECK(status["preview"]["number"] == frame);
        CHECK(status["preview"]["width"] == 32);
        const auto caption = status["fields"]["last_frame"].get<std::string>();
        CHECK(caption.find("#" + std::to_string(frame) + ", 0.010 s at ") == 0);
        CHECK(caption.find("64x48") != std::string::npos);
        const auto page = routeGet(f.router, "/setup").body;
        CHECK(page.find("src=\"/setup/preview.jpg?frame=" + std::to_string(frame) + "\"") != std::string::npos);
    }
    // The preview outlives a disconnect; only GET and HEAD reach it.
    CHECK(f.put("connected", "Connected=false")["ErrorNumber"] == 0);
    CHECK(routeGet(f.router, "/setup/preview.jpg").status == 200);
    CHECK(f.router.handle({"HEAD", "/setup/preview.jpg", "", "", "", "test"}).status == 200);
    CHECK(routePut(f.router, "/setup/preview.jpg").status == 405);
}

namespace {
/// An exposure of the simulator's sky (stars of FWHM 4 photosites, 640x424 photosites), for the figures.
ptp::Exposure starryExposure(double seconds, std::stop_token) {
    ptp::sim::SkyConditions sky;
    sky.seed = 18;
    sky.noise_seed = 3;
    sky.exposure_s = 8;
    sky.iso = 400;
    sky.star_fwhm_px = 4;
    sky.stars_per_megapixel = 400;
    ptp::sim::ArwInfo info;
    info.exposure_s = sky.exposure_s;
    info.iso = sky.iso;
    const auto raw = ptp::sim::renderSky({640, 424, 12, 12, 616, 400}, sky);
    return {ptp::sim::writeArw(raw, info, ptp::sim::ArwKind::Uncompressed), "DSC00002.ARW", seconds,
            std::chrono::system_clock::now()};
}

/// The Action framestats' reply: its JSON, or the error.
nlohmann::json frameStatsAction(Fixture& f) { return f.put("action", "Action=framestats&Parameters="); }
}  // namespace

TEST_CASE("camera device: Action framestats gives the last frame's figures, an error a person can act on before") {
    Fixture f;
    CHECK(f.value("supportedactions") == nlohmann::json::array({"framestats"}));
    auto reply = frameStatsAction(f);  // needs no connection: the figures outlive it
    CHECK(reply["ErrorNumber"] == 0x40B);
    CHECK(reply["ErrorMessage"].get<std::string>().find("no frame yet: take an exposure first") != std::string::npos);
    CHECK(nlohmann::json::parse(routeGet(f.router, "/setup/status.json").body)["framestats"].is_null());
    CHECK(routeGet(f.router, "/setup").body.find("data-figures=\"null\"") != std::string::npos);

    f.body->exposure = starryExposure;
    REQUIRE(f.put("connected", "Connected=true")["ErrorNumber"] == 0);
    for (int frame = 1; frame <= 2; ++frame) {
        CAPTURE(frame);
        REQUIRE(f.put("startexposure", "Duration=0.5&Light=true")["ErrorNumber"] == 0);
        REQUIRE(f.waitForImage());
        reply = frameStatsAction(f);
        REQUIRE(reply["ErrorNumber"] == 0);
        const auto figures = nlohmann::json::parse(reply["Value"].get<std::string>());
        INFO(figures.dump());
        CHECK(figures["frame"] == frame);
        CHECK(figures["exposure_s"] == 0.5);
        CHECK(figures["start"].get<std::string>().size() == 24);  // 2026-11-26T21:53:01.123Z
        CHECK(figures["start"].get<std::string>().back() == 'Z');
        CHECK(figures["stars"].get<int>() >= 20);
        CHECK(figures["measured_stars"].get<int>() >= 10);
        // FWHM 4 photosites: sigma 1.70, mean distance sqrt(pi/2) sqrt(sigma^2 + 1/3) = 2.22.
        CHECK(figures["median_hfr_px"].get<double>() == doctest::Approx(2.22).epsilon(0.1));
        CHECK(figures["median_hfr_arcsec"].is_null());  // the file records no focal length, nor do the settings
        CHECK(figures["focal_length_mm"].is_null());
        CHECK(figures["pixel_um"] == 5.95);
        CHECK(figures["background_adu"].get<double>() > 0);
        CHECK(figures["noise_adu"].get<double>() > 0);
        CHECK(figures["clipped_fraction"].get<double>() >= 0);
        CHECK(figures["cost_ms"].get<double>() >= 0);
        const auto& h = figures["histogram"];
        CHECK(h["bin_width_adu"] == 256);
        std::uint64_t photosites = 0;
        for (const char* colour : {"red", "green", "blue"})
            for (const auto& bin : h[colour]) photosites += bin.get<std::uint64_t>();
        CHECK(photosites == 640 * 424);  // LibRaw keeps the whole readout of these files

        // The same figures in status.json, for the frame the preview shows, and in the page.
        const auto status = nlohmann::json::parse(routeGet(f.router, "/setup/status.json").body);
        CHECK(status["framestats"] == figures);
        CHECK(status["preview"]["number"] == frame);
        const auto page = routeGet(f.router, "/setup").body;
        CHECK(page.find("id=\"fs-histogram\"") != std::string::npos);
        CHECK(page.find("data-figures=\"{&quot;frame&quot;:" + std::to_string(frame) + ",") != std::string::npos);
    }
    // Kept across a disconnect.
    CHECK(f.put("connected", "Connected=false")["ErrorNumber"] == 0);
    CHECK(frameStatsAction(f)["ErrorNumber"] == 0);
}

TEST_CASE("camera device: framestats in arc-seconds with focal_length_mm when the file records none") {
    Fixture f({}, {}, {}, 400);
    f.body->exposure = starryExposure;
    REQUIRE(f.put("connected", "Connected=true")["ErrorNumber"] == 0);
    REQUIRE(f.put("startexposure", "Duration=0.5&Light=true")["ErrorNumber"] == 0);
    REQUIRE(f.waitForImage());
    const auto reply = frameStatsAction(f);
    REQUIRE(reply["ErrorNumber"] == 0);
    const auto figures = nlohmann::json::parse(reply["Value"].get<std::string>());
    INFO(figures.dump());
    CHECK(figures["focal_length_mm"] == 400);
    REQUIRE(figures["median_hfr_px"].is_number());
    CHECK(figures["median_hfr_arcsec"].get<double>() ==
          doctest::Approx(figures["median_hfr_px"].get<double>() * 5.95 / 400 * 206.265));
}

TEST_CASE("camera device: StartExposure checks the request and names what is wrong") {
    Fixture f;
    CHECK(f.putError("startexposure", "Duration=1&Light=true") == 0x407);
    REQUIRE(f.put("connected", "Connected=true")["ErrorNumber"] == 0);
    const auto message = [&](const std::string& form) {
        const auto reply = f.put("startexposure", form);
        CHECK(reply["ErrorNumber"] != 0);
        return reply["ErrorMessage"].get<std::string>();
    };
    CHECK(message("Duration=-1&Light=true").find("negative") != std::string::npos);
    CHECK(message("Duration=901&Light=true").find("ExposureMax") != std::string::npos);
    CHECK(f.put("numx", "NumX=6025")["ErrorNumber"] == 0);  // setters keep anything
    CHECK(message("Duration=1&Light=true").find("NumX") != std::string::npos);
    CHECK(f.put("numx", "NumX=0")["ErrorNumber"] == 0);
    CHECK(message("Duration=1&Light=true").find("NumX 0") != std::string::npos);
    CHECK(f.put("numx", "NumX=100")["ErrorNumber"] == 0);
    CHECK(f.put("startx", "StartX=-2")["ErrorNumber"] == 0);
    CHECK(message("Duration=1&Light=true").find("StartX -2") != std::string::npos);
    CHECK(f.put("startx", "StartX=0")["ErrorNumber"] == 0);
    CHECK(f.put("binx", "BinX=2")["ErrorNumber"] == 0);
    CHECK(f.put("startexposure", "Duration=1&Light=true")["ErrorNumber"] == 0x40B);  // BinY is 1
    CHECK(f.put("binx", "BinX=3")["ErrorNumber"] == 0x401);
    CHECK(f.value("camerastate") == 0);

    // A subframe valid for the database's size that the real (smaller) frame cannot give: Error
    // naming the size, and CameraXSize is right for the next try.
    CHECK(f.put("binx", "BinX=1")["ErrorNumber"] == 0);
    CHECK(f.put("startx", "StartX=100")["ErrorNumber"] == 0);
    CHECK(f.put("startexposure", "Duration=0&Light=false")["ErrorNumber"] == 0);
    for (int i = 0; i < 1000 && f.value("camerastate") != 5; ++i) std::this_thread::sleep_for(5ms);
    const auto failed = f.get("imageready");
    CHECK(failed["ErrorMessage"].get<std::string>().find("64x48") != std::string::npos);
    CHECK(f.value("cameraxsize") == 64);
}

TEST_CASE("camera device: ImageArray as ImageBytes and JSON, with the transaction IDs of each request") {
    Fixture f;
    REQUIRE(f.put("connected", "Connected=true")["ErrorNumber"] == 0);
    CHECK(f.put("startx", "StartX=3")["ErrorNumber"] == 0);
    CHECK(f.put("starty", "StartY=5")["ErrorNumber"] == 0);
    CHECK(f.put("numx", "NumX=20")["ErrorNumber"] == 0);
    CHECK(f.put("numy", "NumY=10")["ErrorNumber"] == 0);
    CHECK(f.put("startexposure", "Duration=0.01&Light=true")["ErrorNumber"] == 0);
    REQUIRE(f.waitForImage());
    HttpRequest request{"GET", "/api/v1/camera/0/imagearray", "ClientTransactionID=99", "", "", "test"};
    request.accept = "application/ImageBytes, application/json";
    const auto bytes = f.router.handle(request);
    CHECK(bytes.content_type == "application/imagebytes");
    REQUIRE(bytes.source);
    const std::string data = readAll(*bytes.source, 7);
    REQUIRE(data.size() == 44 + 20 * 10 * 2);
    CHECK(static_cast<unsigned char>(data[8]) == 99);
    request.accept = "application/json";
    const auto json = f.router.handle(request);
    CHECK(json.content_type.find("application/json") != std::string::npos);
    REQUIRE(json.source);
    const auto parsed = nlohmann::json::parse(readAll(*json.source, 1000));
    CHECK(parsed["ClientTransactionID"] == 99);
    CHECK(parsed["Type"] == 2);
    REQUIRE(parsed["Value"].size() == 20);
    for (unsigned x = 0; x < 20; ++x)
        for (unsigned y = 0; y < 10; ++y) {
            const std::uint16_t value = test::smallArwValue(3 + x, 5 + y);
            CHECK(parsed["Value"][x][y] == value);
            const std::size_t at = 44 + 2 * (std::size_t{x} * 10 + y);
            CHECK((static_cast<unsigned char>(data[at]) | static_cast<unsigned char>(data[at + 1]) << 8) == value);
        }
    // Not ready: a JSON error even when ImageBytes were accepted.
    f.body->closeGate();
    CHECK(f.put("startexposure", "Duration=0.01&Light=true")["ErrorNumber"] == 0);
    request.accept = "application/imagebytes";
    const auto refused = f.router.handle(request);
    CHECK_FALSE(refused.source);
    CHECK(nlohmann::json::parse(refused.body)["ErrorNumber"] == 0x40B);
    f.body->openGate();
}

TEST_CASE("camera device: FITS files carry the exposure's cards and the focuser's position") {
    test::TestStateDir images;
    Fixture f({images.path, true, true});
    REQUIRE(f.put("connected", "Connected=true")["ErrorNumber"] == 0);
    CHECK(f.put("startexposure", "Duration=0.5&Light=false")["ErrorNumber"] == 0);
    REQUIRE(f.waitForImage());
    std::vector<std::filesystem::path> files;
    for (int i = 0; i < 1000 && files.size() < 2; ++i) {
        files.clear();
        std::error_code ec;
        for (const auto& entry : std::filesystem::recursive_directory_iterator(images.path, ec))
            if (entry.path().extension() == ".fits" || entry.path().extension() == ".arw")
                files.push_back(entry.path());
        std::this_thread::sleep_for(5ms);
    }
    REQUIRE(files.size() == 2);
    std::sort(files.begin(), files.end());  // .arw before .fits
    CHECK(files[0].filename().string().find("_0.5s_ISO800.arw") != std::string::npos);
    CHECK(std::filesystem::file_size(files[0]) == test::smallArw().size());
    std::ifstream in(files[1], std::ios::binary);
    const std::string header(2880 * 2, '\0');
    std::string text(header);
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    for (const char* card : {"FOCUSPOS=                 1234", "IMAGETYP= 'Dark Frame'", "INSTRUME= 'Sony ILCE-7M3'",
                             "BAYERPAT= 'RGGB", "CCD-TEMP=", "AMBTEMP =", "EXPTIME =", "DATE-OBS=", "XPIXSZ  =",
                             "GAIN    =                  800", "SWCREATE= 'sonyalpaca "})
        CHECK_MESSAGE(text.find(card) != std::string::npos, std::string(card) << " in " << text.substr(0, 2400));
}

TEST_CASE("image replies: ImageBytes point into the shared buffer - JSON reads at any offset") {
    const auto image = std::make_shared<const imaging::ImageBytes>(testImage(37, 23));
    const auto bytes = imageArrayReply(image, {5, 6, true});
    REQUIRE(bytes.source);
    CHECK(bytes.source->size() == image->size());
    const auto header = bytes.source->read(0, 1000);
    CHECK(header.size() == 44);
    const auto pixels = bytes.source->read(44, std::size_t{1} << 30);
    CHECK(reinterpret_cast<const std::uint8_t*>(pixels.data()) == image->pixelBytes().data());  // no copy
    CHECK(pixels.size() == image->pixelBytes().size());
    const auto tail = bytes.source->read(image->size() - 3, 100);
    CHECK(tail.size() == 3);
    CHECK_THROWS(bytes.source->read(image->size(), 1));

    const auto json = imageArrayReply(image, {5, 6, false});
    const std::string whole = readAll(*json.source, 1 << 20);
    const auto parsed = nlohmann::json::parse(whole);
    CHECK(parsed["Value"][36][22] == 36 * 1000 + 22);
    // Pieces at random offsets (a retried or ranged request) give the same bytes.
    std::mt19937 random(7);
    for (int i = 0; i < 200; ++i) {
        const std::size_t offset = random() % whole.size();
        const std::size_t max = 1 + random() % 50;
        const auto piece = json.source->read(offset, max);
        CHECK(std::string(piece.data(), piece.size()) == whole.substr(offset, piece.size()));
    }
    // A reply keeps its image alive after everyone else let go of it.
    auto held = std::make_shared<const imaging::ImageBytes>(testImage(4, 4));
    const std::weak_ptr<const imaging::ImageBytes> weak = held;
    auto reply = imageArrayReply(std::move(held), {1, 1, true});
    CHECK_FALSE(weak.expired());
    reply = {};
    CHECK(weak.expired());
}

TEST_CASE("frame archive: night folders, no file replaced, a failure reported once") {
    test::TestStateDir dir;
    const auto when = std::chrono::system_clock::now();
    auto job = [&] {
        ArchiveJob j;
        j.start = when;
        j.stem = "frame";
        j.raw = {1, 2, 3};
        auto frame = std::make_shared<imaging::Frame>();
        frame->width = 2;
        frame->height = 2;
        frame->pixels = {1, 2, 3, 4};
        j.frame = frame;
        j.cards.push_back({"EXPTIME", 1.0, "s"});
        return j;
    };
    {
        FrameArchive archive({dir.path / "images", true, true});
        archive.save(job());
        archive.save(job());
        REQUIRE(archive.waitUntilIdle(10s));
        CHECK_FALSE(archive.takeFailure());
    }
    const auto night = dir.path / "images" / imaging::observingNight(when);
    CHECK(std::filesystem::exists(night / "frame.arw"));
    CHECK(std::filesystem::exists(night / "frame.fits"));
    CHECK(std::filesystem::exists(night / "frame_2.arw"));
    CHECK(std::filesystem::exists(night / "frame_2.fits"));
    CHECK(std::filesystem::file_size(night / "frame.arw") == 3);

    std::ofstream(dir.path / "file") << "x";
    FrameArchive broken({dir.path / "file" / "images", true, false});
    broken.save(job());
    broken.save(job());
    REQUIRE(broken.waitUntilIdle(10s));
    const auto failure = broken.takeFailure();
    REQUIRE(failure);
    CHECK(failure->find("file") != std::string::npos);
    CHECK_FALSE(broken.takeFailure());  // once, until saving works again
}

TEST_CASE("serveFrame: a whole frame is moved, a region cut and binned, a bad region refused") {
    imaging::Frame frame{8, 6, {}};
    for (std::uint16_t v = 0; v < 48; ++v) frame.pixels.push_back(v);
    const auto* data = frame.pixels.data();
    auto whole = serveFrame(imaging::Frame(frame), imaging::Subframe::full(8, 6), true, true);
    CHECK(whole.image->numX() == 8);
    imaging::Frame moved = frame;
    const auto* moved_data = moved.pixels.data();
    auto kept = serveFrame(std::move(moved), imaging::Subframe::full(8, 6), false, true);
    CHECK(kept.rows->pixels.data() == moved_data);  // no copy
    CHECK(data == frame.pixels.data());
    // The full frame at bin 2 of whatever size the frame has.
    auto binned = serveFrame(imaging::Frame(frame), {0, 0, 100, 100, 2}, true, false);
    CHECK(binned.region.num_x == 4);
    CHECK(binned.region.num_y == 3);
    CHECK_FALSE(binned.rows);
    CHECK(binned.image->columns()[0] == (0 + 1 + 8 + 9 + 2) / 4);
    CHECK_THROWS_AS(serveFrame(imaging::Frame(frame), {5, 0, 4, 2, 1}, false, false), std::invalid_argument);
}

TEST_CASE(
    "camera device: a body the running LibRaw cannot decode is refused at connect, else put on a type it decodes") {
    // Two rows of the shipped layout: the ILCE-7M3, known since LibRaw 0.20, and a body no LibRaw knows.
    const std::string rows = R"({"model":"ILCE-7M3","display_name":"a7 III","sony_model_id":363,
        "pixel_size_x_um":5.93,"pixel_size_y_um":5.93,"sensor_width":6024,"sensor_height":4024,
        "raw_types":["uncompressed","compressed"],"libraw_min":"0.20"},
        {"model":"ILCE-9Z","display_name":"a9 Z","sony_model_id":999,"pixel_size_x_um":5.93,"pixel_size_y_um":5.93,
        "sensor_width":6024,"sensor_height":4024,"raw_types":["uncompressed"],"libraw_min":null})";
    const bool lossless_decodes = config::decodesSonyLossless();

    SUBCASE("model id unknown to every LibRaw: refused with the body, the LibRaw version and the fix") {
        Fixture f({}, {}, rows);
        f.body->model = "ILCE-9Z";
        const auto reply = f.put("connected", "Connected=true");
        CHECK(reply["ErrorNumber"] == 0x4FF);
        const std::string message = reply["ErrorMessage"];
        CHECK(message.find("Sony ILCE-9Z (a9 Z): LibRaw " + config::libRawVersion()) == 0);
        CHECK(message.find("Fix: none yet: no LibRaw release knows it") != std::string::npos);
        CHECK(f.value("connected") == false);
        CHECK_FALSE(f.body->isOpen());  // the session was given back
    }
    SUBCASE("a known body offering only lossless RAW: refused where LibRaw cannot decode it, served where it can") {
        Fixture f({}, {}, rows);
        f.body->raw_types = {"Lossless Compressed RAW"};
        f.body->current_raw_type = "Lossless Compressed RAW";
        const auto reply = f.put("connected", "Connected=true");
        if (lossless_decodes) {
            CHECK(reply["ErrorNumber"] == 0);
            CHECK(f.value("readoutmodes") == nlohmann::json::array({"Lossless Compressed RAW"}));
        } else {
            CHECK(reply["ErrorNumber"] == 0x4FF);
            CHECK(reply["ErrorMessage"].get<std::string>().starts_with(
                "Sony ILCE-7M3 (a7 III) offers only Lossless Compressed RAW, which LibRaw " + config::libRawVersion()));
            CHECK(f.value("connected") == false);
        }
    }
    SUBCASE("a known body on lossless RAW that also offers compressed: switched, not refused, where lossless fails") {
        Fixture f({}, {}, rows);
        f.body->raw_types = {"Compressed RAW", "Lossless Compressed RAW"};
        f.body->current_raw_type = "Lossless Compressed RAW";
        CHECK(f.put("connected", "Connected=true")["ErrorNumber"] == 0);
        CHECK(f.body->current_raw_type == (lossless_decodes ? "Lossless Compressed RAW" : "Compressed RAW"));
    }
}
