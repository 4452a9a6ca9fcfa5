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
#include "config/RawTypes.hpp"

using namespace sonyalpaca;
using namespace sonyalpaca::test::camera;

TEST_CASE("camera: a body the running LibRaw cannot decode is refused at connect, with the LibRaw version and the fix") {
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

        CameraRig rig({"--body", model});
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
