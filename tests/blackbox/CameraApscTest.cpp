// SPDX-License-Identifier: GPL-3.0-or-later
// The frame size before the first image (issue 15): a full-frame body in its APS-C/Super 35mm mode
// ("Auto", the factory setting, with the APS-C kit lens SELP1650), at full size so that the body
// data's sizes are the real ones. A fresh daemon must report the cropped frame at connect and pass
// ConformU's size-dependent checks (C9, C18, C23, C41, C42, C52) on its very first exposure; a
// restarted daemon takes the lens and the size from what it saw of this body (state dir).
#include "CameraRig.hpp"

#include <doctest/doctest.h>

using namespace sonyalpaca::test;
using namespace sonyalpaca::test::camera;

namespace {
// ILCE-7M3 in APS-C mode: Sony's 3936x2624 image, a 3968x2648 raw frame (the ILCE-9M3 sample's
// margins; LibRaw's own guess for the a7 III), of which LibRaw cuts the last 32 columns.
constexpr unsigned kApscWidth = 3936, kApscHeight = 2648;

std::vector<std::string> fullSize(std::vector<std::string> options) {
    options.insert(options.begin(), {"--sensor-scale", "1", "--readout", "0.1"});
    return options;
}
}  // namespace

TEST_CASE("camera: APS-C mode is known at connect - a fresh daemon passes the size checks on its first exposure") {
    CameraRig rig(fullSize({"--body", "ILCE-7M3", "--lens", "SELP1650", "--apsc", "auto"}));
    rig.connect();
    INFO(rig.logs());
    // C9: the cropped size before any image.
    CHECK(rig.value("cameraxsize") == kApscWidth);
    CHECK(rig.value("cameraysize") == kApscHeight);
    CHECK(rig.value("numx") == kApscWidth);
    CHECK(rig.value("numy") == kApscHeight);
    CHECK(rig.daemon().log().find("APS-C/Super 35mm setting is On") != std::string::npos);
    // C18, C23: half the size can be written.
    rig.putOk("numx", "NumX=" + std::to_string(kApscWidth / 2));
    rig.putOk("startx", "StartX=" + std::to_string(kApscWidth / 2));
    // C42: one past the frame is refused at StartExposure, at every bin.
    for (unsigned bin : {1u, 2u}) {
        rig.putOk("binx", "BinX=" + std::to_string(bin));
        rig.putOk("biny", "BinY=" + std::to_string(bin));
        rig.putOk("startx", "StartX=0");
        rig.putOk("starty", "StartY=0");
        rig.putOk("numx", "NumX=" + std::to_string(kApscWidth / bin + 1));
        rig.putOk("numy", "NumY=" + std::to_string(kApscHeight / bin));
        CHECK(rig.putError("startexposure", "Duration=0.01&Light=true") != 0);
        rig.putOk("numx", "NumX=" + std::to_string(kApscWidth / bin));
        rig.putOk("startx", "StartX=" + std::to_string(kApscWidth / bin + 1));
        CHECK(rig.putError("startexposure", "Duration=0.01&Light=true") != 0);
    }
    // C41, C52: a full frame at every bin, the first exposure included, has exactly NumX x NumY.
    for (unsigned bin : {1u, 2u}) {
        rig.putOk("binx", "BinX=" + std::to_string(bin));
        rig.putOk("biny", "BinY=" + std::to_string(bin));
        rig.putOk("startx", "StartX=0");
        rig.putOk("starty", "StartY=0");
        rig.putOk("numx", "NumX=" + std::to_string(kApscWidth / bin));
        rig.putOk("numy", "NumY=" + std::to_string(kApscHeight / bin));
        rig.expose(0.01);
        const Image image = rig.imageBytes();
        CHECK(image.num_x == kApscWidth / bin);
        CHECK(image.num_y == kApscHeight / bin);
        CHECK(rig.value("cameraxsize") == kApscWidth);  // unchanged: the first image confirmed it
    }
    CHECK(rig.daemon().log().find("the body database says") == std::string::npos);

    // The next start knows the lens and the size before connecting the focuser or the camera.
    rig.restartDaemon();
    rig.connect();
    CHECK(rig.value("cameraxsize") == kApscWidth);
    CHECK(rig.value("cameraysize") == kApscHeight);
    CHECK(rig.daemon().log().find("carried lens \"E 3.5-5.6/PZ 16-50 OSS\" when last seen") != std::string::npos);
    CHECK(rig.daemon().log().find("the size this body delivered last time") != std::string::npos);
}

TEST_CASE("camera: a full-frame lens, or the APS-C setting Off, gives the whole sensor at connect") {
    for (const auto& options : {std::vector<std::string>{"--lens", "SEL20F18G", "--apsc", "auto"},
                                std::vector<std::string>{"--lens", "SELP1650", "--apsc", "off"}}) {
        auto args = options;
        args.insert(args.begin(), {"--body", "ILCE-7M3"});
        CameraRig rig(fullSize(args));
        rig.connect();
        INFO(options[1] << " " << options[3] << "\n" << rig.logs());
        CHECK(rig.value("cameraxsize") == 6024);
        CHECK(rig.value("cameraysize") == 4024);
        rig.expose(0.01);
        const Image image = rig.imageBytes();
        CHECK(image.num_x == 6024);
        CHECK(image.num_y == 4024);
    }
}
