// SPDX-License-Identifier: GPL-3.0-or-later
#include "config/DataFiles.hpp"
#include "config/GphotoSupport.hpp"

#include <doctest/doctest.h>

using namespace sonyalpaca::config;

TEST_CASE("libgphoto2 2.5.31 and the a7 IV generation: refused with the reason and the fix, other pairs pass") {
    const auto bodies = BodyDatabase::load(findDataFile("sony-bodies.json"));
    const auto problem = gphotoProblem(*bodies.find("ILCE-7M4"), "2.5.31");
    REQUIRE(problem);
    for (const char* part : {"libgphoto2 2.5.31 cannot drive the Sony ILCE-7M4 (a7 IV)", "protocol 3.00", "#937",
                             "2.5.32", "Raspberry Pi OS bookworm / Debian 12"})
        CHECK_MESSAGE(problem->find(part) != std::string::npos, part);
    // Every body 2.5.31 opens in protocol 3.00, and only those; only the 2.5.31 series.
    int refused = 0;
    for (const auto& body : bodies.bodies()) {
        CAPTURE(body.model);
        CHECK(gphotoProblem(body, "2.5.31").has_value() == (body.gphotoProtocol("2.5.31") == 3));
        CHECK(gphotoProblem(body, "2.5.31.1").has_value() == (body.gphotoProtocol("2.5.31") == 3));
        for (const char* fine : {"2.5.30", "2.5.32", "2.5.34"}) CHECK_FALSE(gphotoProblem(body, fine));
        refused += gphotoProblem(body, "2.5.31") ? 1 : 0;
    }
    CHECK(refused == 9);  // a7C, a7 IV, a7R IV, a7R IVA, a7R V, a7S III, a9 II, a1, ZV-E1
    CHECK_FALSE(gphotoProblem(*bodies.find("ILCE-7M3"), "2.5.31"));
}
