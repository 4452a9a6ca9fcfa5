// SPDX-License-Identifier: GPL-3.0-or-later
// The Alpaca Camera end to end: the real daemon on loopback, driving a `simulate-body` process (a
// virtual ILCE-7M3 on a sensor shrunk 8 times) through libgphoto2 and PTP/IP. ConformU's camera
// checks C1–C55 (conformu-checks.md §4) over HTTP, the pixels against an independent LibRaw decode
// of the ARW the body wrote, ImageBytes against JSON, subframes and binning, and uncompressed
// transfers to clients that accept gzip and br. CameraStatesTest.cpp has the exposures' life.
#include "CameraRig.hpp"
#include "config/BodyDatabase.hpp"
#include "config/DataFiles.hpp"

#include <doctest/doctest.h>
#include <libraw/libraw.h>

#include <algorithm>

using namespace sonyalpaca::test;
using namespace sonyalpaca::test::camera;

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
    // The pixel size is the shipped body data's, not a number of this test's own.
    const auto bodies = sonyalpaca::config::BodyDatabase::load(sonyalpaca::config::findDataFile("sony-bodies.json"));
    const auto* body = bodies.find("ILCE-7M3");
    REQUIRE(body != nullptr);
    CHECK(rig.value("pixelsizex") == doctest::Approx(body->pixel_size_x_um));
    CHECK(rig.value("pixelsizey") == doctest::Approx(body->pixel_size_y_um));
    CHECK(body->pixel_size_x_um == doctest::Approx(35600.0 / 6000).epsilon(0.001));  // a7 III: 35.6 mm over 6000 pixels
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
        const auto reset = [&] { rig.wholeFrame(bin); };
        for (const std::string& setting :
             {"NumX=" + std::to_string(kWidth / bin + 1), "NumY=" + std::to_string(kHeight / bin + 1),
              "StartX=" + std::to_string(kWidth / bin + 1), "StartY=" + std::to_string(kHeight / bin + 1)}) {
            CAPTURE(setting);
            reset();
            const std::string member = setting.substr(0, setting.find('='));
            rig.putOk(member == "NumX"     ? "numx"
                      : member == "NumY"   ? "numy"
                      : member == "StartX" ? "startx"
                                           : "starty",
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
        rig.wholeFrame(bin);
        CHECK(rig.state() == kIdle);
        const auto observed_start = std::chrono::system_clock::now();
        const auto before = std::chrono::steady_clock::now();
        rig.putOk("startexposure", "Duration=2.0&Light=true");
        CHECK(std::chrono::steady_clock::now() - before < 1s);  // C44: returns at once
        CHECK(rig.value("imageready") == false);                // C45, C46
        // C47: Exposing within 10 s (Waiting may come first), with ImageReady still false.
        bool exposing = false;
        std::set<int> seen;
        rig.waitUntil([&] {
            const int state = rig.state();
            seen.insert(state);
            if (state == kExposing) {
                exposing = true;
                // The exposure may have moved on to Reading since (a slow machine, the sanitizers):
                // then PercentCompleted is InvalidOperation, as ConformU expects.
                const Json percent = rig.get("percentcompleted");
                if (percent["ErrorNumber"] == 0)
                    CHECK(percent["Value"].get<int>() <= 100);
                else
                    CHECK((percent["ErrorNumber"] == kInvalidOperation && rig.state() != kExposing));
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
    rig.wholeFrame(1);
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

TEST_CASE("camera: lossless-compressed RAW (a7 IV) arrives exactly where LibRaw decodes it (0.21), else refused") {
    // The virtual a7 IV offers Uncompressed, Compressed and Lossless Compressed RAW (0xD288 = 2).
    // Protocol 2.00: the a7 IV as libgphoto2 2.5.30 and 2.5.32+ drive it (2.5.31 cannot, see
    // BodyRefusalTest), so that Debian 13's LibRaw 0.21 decodes its lossless files here.
    CameraRig rig({"--body", "ILCE-7M4", "--protocol", "2"}, {"--keep-raw", "true"});
    const bool decodes = LibRaw::versionNumber() >= LIBRAW_MAKE_VERSION(0, 21, 0);
    if (!decodes) {
        // Debian 12: LibRaw 0.20 knows neither the a7 IV nor lossless RAW: the camera refuses the
        // body at connect (BodyRefusalTest), and the daemon refuses lossless RAW (DaemonTest, SettingsTest).
        CHECK(rig.putError("connected", "Connected=true") == 0x4FF);
        return;
    }
    rig.connect();
    const Json modes = rig.value("readoutmodes");
    const auto lossless = std::find(modes.begin(), modes.end(), "Lossless Compressed RAW");
    CAPTURE(modes.dump());
    REQUIRE(lossless != modes.end());
    rig.putOk("readoutmode", "ReadoutMode=" + std::to_string(lossless - modes.begin()));
    rig.expose(1.0);
    const auto images = rig.stateDir() / "images";
    REQUIRE(rig.waitUntil([&] { return savedFiles(images) == 1; }));
    const auto arw = readFile(onlyFile(images, ".arw"));
    // The kept file is lossless-compressed: the raw IFD's Compression (0x0103, SHORT, 1) is 7.
    const std::vector<std::uint8_t> compression7{0x03, 0x01, 0x03, 0x00, 0x01, 0x00, 0x00, 0x00, 0x07, 0x00};
    CHECK(std::search(arw.begin(), arw.end(), compression7.begin(), compression7.end()) != arw.end());
    const Reference reference = referenceFrame(arw);
    const Image bytes = rig.imageBytes();
    REQUIRE(bytes.num_x == reference.width);
    REQUIRE(bytes.num_y == reference.height);
    std::size_t mismatches = 0;
    for (unsigned x = 0; x < bytes.num_x; ++x)
        for (unsigned y = 0; y < bytes.num_y; ++y) mismatches += bytes.at(x, y) != reference.at(x, y) ? 1U : 0U;
    CHECK(mismatches == 0);
    CHECK(rig.value("cameraxsize") == reference.width);
}
