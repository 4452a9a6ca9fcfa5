// SPDX-License-Identifier: GPL-3.0-or-later
// The camera refuses, at connect, a body whose files the running LibRaw cannot decode correctly
// (docs/BODIES.md): the daemon against simulate-body on 127.0.0.1, the expectation taken from the
// shipped body data and the LibRaw this build links, so that the same test holds on Debian 12
// (LibRaw 0.20.2: the a7 IV is refused, Debian 13 is the fix) and Debian 13 (0.21.4: the a7 IV is
// served, the a7R V still refused, and no Debian release is the fix yet).
#include "CameraRig.hpp"

#include "config/BodyDatabase.hpp"
#include "config/DataFiles.hpp"
#include "config/DecodeSupport.hpp"
#include "config/GphotoSupport.hpp"
#include "config/RawTypes.hpp"

using namespace sonyalpaca;
using namespace sonyalpaca::test::camera;

TEST_CASE(
    "camera: a body the running LibRaw cannot decode is refused at connect, with the LibRaw version and the fix") {
    const auto bodies = config::BodyDatabase::load(config::findDataFile("sony-bodies.json"));
    const config::LibRawVersion series = config::libRawSeries();
    const std::string version = config::libRawVersion();
    std::size_t refused = 0;
    std::size_t served = 0;
    for (const char* model : {"ILCE-7M4", "ILCE-7RM5", "ILCE-7M3"}) {
        CAPTURE(model);
        const config::BodyEntry* entry = bodies.find(model);
        REQUIRE(entry != nullptr);
        // The virtual body offers uncompressed RAW, so only an unknown model id refuses these three.
        const auto expected = config::bodyDecodeProblem(*entry, {"Uncompressed RAW"}, series, version);
        CHECK(expected.has_value() == !entry->librawKnows(series.major, series.minor));

        // Protocol 2.00: what LibRaw makes of the files, whichever libgphoto2 runs (the next test
        // covers libgphoto2 2.5.31 and the a7 IV generation's protocol 3.00).
        CameraRig rig({"--body", model, "--protocol", "2"});
        const Json reply = rig.put("connected", "Connected=true");
        INFO(rig.logs());
        if (!expected) {
            CHECK(reply["ErrorNumber"] == 0);
            CHECK(rig.value("connected") == true);
            ++served;
            continue;
        }
        ++refused;
        CHECK(reply["ErrorNumber"] == 0x4FF);
        const std::string message = reply["ErrorMessage"].get<std::string>();
        CHECK(message == *expected);
        CHECK(message.find(std::string("Sony ") + model) != std::string::npos);
        CHECK(message.find("LibRaw " + version) != std::string::npos);
        const bool debian13_knows = entry->librawKnows(0, 21);
        if (debian13_knows && !(series.major > 0 || series.minor >= 21))
            CHECK(message.find("Fix: move to Raspberry Pi OS trixie / Debian 13, whose LibRaw 0.21.4 knows it") !=
                  std::string::npos);
        if (!debian13_knows) CHECK(message.find("Fix: none in Debian yet") != std::string::npos);
        CHECK(rig.value("connected") == false);
        // A refused camera serves nothing: its members say it is not connected.
        CHECK(rig.getError("cameraxsize") == 0x407);
        CHECK(rig.daemon().log().find(*expected) != std::string::npos);
        // The focuser drives the lens without decoding any file: it still connects to the same body.
        const auto focuser = test::httpForm(rig.port(), "PUT", "/api/v1/focuser/0/connected", "Connected=true");
        REQUIRE(focuser.status == 200);
        CHECK(focuser.json()["ErrorNumber"] == 0);
    }
    // Debian 12 refuses two of the three, Debian 13 one: either way both paths ran.
    CHECK(refused >= 1);
    CHECK(served >= 1);
}

TEST_CASE("camera and focuser: libgphoto2 2.5.31 with a protocol 3.00 body is refused at connect, saying why - other "
          "releases drive it") {
    const std::string gphoto = test::daemonGphotoVersion();
    const auto bodies = config::BodyDatabase::load(config::findDataFile("sony-bodies.json"));
    // The a7R IV: LibRaw 0.20 and 0.21 know it, libgphoto2 2.5.31 opens it in protocol 3.00.
    const auto expected = config::gphotoProblem(*bodies.find("ILCE-7RM4"), gphoto);
    CameraRig rig({"--body", "ILCE-7RM4"});
    INFO("libgphoto2 " << gphoto << "\n" << rig.logs());
    const Json camera = rig.put("connected", "Connected=true");
    const Json focuser = test::httpForm(rig.port(), "PUT", "/api/v1/focuser/0/connected", "Connected=true").json();
    if (expected) {
        // Debian 13: the body answers in 3.00, libgphoto2 2.5.31 misreads it; both devices say so.
        for (const Json& reply : {camera, focuser}) {
            CHECK(reply["ErrorNumber"] != 0);
            CHECK(reply["ErrorMessage"].get<std::string>().find(*expected) != std::string::npos);
        }
        CHECK(rig.value("connected") == false);
        return;
    }
    // Debian 12 (2.5.30 asks every body for 2.00): the a7R IV works.
    CHECK(camera["ErrorNumber"] == 0);
    CHECK(focuser["ErrorNumber"] == 0);
    rig.putOk("startexposure", "Duration=0.01&Light=true");
    CHECK(rig.waitForImage());
    CHECK(rig.value("imageready") == true);
}
