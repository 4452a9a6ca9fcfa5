// SPDX-License-Identifier: GPL-3.0-or-later
// The Alpaca Camera's exposures over their life, end to end against `simulate-body`: abort and stop
// in every state, bulb exposures, two clients polling during a download, a body unplugged during
// an exposure and during its download, a disk that refuses the files, and a full-size frame from
// `serve --camera simulator`.
#include "CameraRig.hpp"

#include <doctest/doctest.h>

using namespace sonyalpaca::test;
using namespace sonyalpaca::test::camera;

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
    REQUIRE(rig.waitUntil(
        [&] {
            const int state = rig.state();
            return state == kReading || state == kDownload || state == kIdle;
        },
        10s));
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
    REQUIRE_MESSAGE(rig.waitUntil(
                        [&] {
                            const Json reply = rig.get("imageready");
                            return reply["Value"] == true || rig.state() == kError;
                        },
                        40s),
                    rig.logs());
    if (rig.state() == kError) {
        CHECK(rig.getError("imageready") != 0);
        CHECK(rig.getError("imagearray") == kInvalidOperation);
    } else {
        CHECK(rig.imageBytes().num_x == kWidth);
    }

    // Unplugged once the shutter is open, for longer than the backend waits for the frame: Error,
    // with the reason on ImageReady and ImageArray; the camera stays connected. (Unplugged before
    // the shutter opens, the exposure waits for the body instead: the next test.)
    const int made = rig.bodyStatus()["exposures"].get<int>();
    rig.putOk("startexposure", "Duration=2&Light=true");
    REQUIRE(rig.waitUntil([&] { return rig.bodyStatus()["exposures"].get<int>() > made; }, 5s));
    rig.fault("unplug_ms=20000");
    const auto unplugged = std::chrono::steady_clock::now();
    REQUIRE_MESSAGE(rig.waitUntil([&] { return rig.state() == kError; }, 40s), rig.logs());
    // Reported at once: the loss shows within the exposure's 2 s, then 2 s for the body to come back.
    const auto reported_after = std::chrono::steady_clock::now() - unplugged;
    MESSAGE("the lost frame reported ", std::chrono::duration_cast<std::chrono::milliseconds>(reported_after).count(),
            " ms after the unplug");
    CHECK(reported_after < 6s);
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
    REQUIRE_MESSAGE(rig.waitUntil(
                        [&] {
                            rig.put("startexposure", "Duration=0.01&Light=true");
                            return rig.waitForImage(3s);
                        },
                        40s),
                    rig.logs());
    CHECK(rig.imageBytes().num_x == kWidth);
}

TEST_CASE("camera: a StartExposure while the body is unplugged waits for it (Waiting) - the image comes with no "
          "client retry") {
    CameraRig rig;
    rig.connectAndLearnSize();
    rig.fault("unplug_ms=3000");
    rig.putOk("startexposure", "Duration=0.01&Light=true");
    bool waited = false;
    REQUIRE_MESSAGE(rig.waitUntil(
                        [&] {
                            waited = waited || rig.state() == kWaiting;
                            return rig.get("imageready")["Value"] == true || rig.state() == kError;
                        },
                        20s),
                    rig.logs());
    CHECK_MESSAGE(rig.state() == kIdle, rig.logs());
    CHECK(waited);
    CHECK(rig.imageBytes().num_x == kWidth);
    CHECK(rig.daemon().log().find("the exposure waits for the body") != std::string::npos);
    CHECK(rig.value("connected") == true);
}

TEST_CASE("camera: a disk that refuses the files is reported once and loses no image") {
    TempDir scratch;
    const auto blocker = scratch.path() / "not-a-directory";
    std::ofstream(blocker) << "x";
    CameraRig rig({}, {"--save-fits", "true", "--image-dir", (blocker / "images").string()});
    rig.connectAndLearnSize();                // its file cannot be written
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
