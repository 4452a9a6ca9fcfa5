// SPDX-License-Identifier: GPL-3.0-or-later
// The Camera's exposure state machine (CameraEngine) with a scripted body: every state, every
// transition, abort and stop in each, errors, and the thread an aborted exposure leaves behind.
#include "alpaca/AlpacaError.hpp"
#include "alpaca/CameraEngine.hpp"
#include "alpaca/ServedFrame.hpp"
#include "imaging/RawDecoder.hpp"

#include "TestBody.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <thread>

using namespace sonyalpaca;
using namespace sonyalpaca::alpaca;
using namespace std::chrono_literals;

namespace {
ExposureRequest request(double seconds) {
    ExposureRequest r;
    r.duration = seconds;
    r.expected = seconds;
    r.region = imaging::Subframe::full(64, 48);
    r.full_frame = true;
    return r;
}

/// The engine with the real processing: decode, cut, ImageBytes.
struct Rig {
    test::TestBody body{test::TestBody::Camera{}};
    std::atomic<int> processed{0};
    std::function<void()> before_process = [] {};
    CameraEngine engine{body, [this](ptp::Exposure& exposure, const ExposureRequest& r) {
                            before_process();
                            auto raw = imaging::decodeArw(exposure.file);
                            ++processed;
                            return serveFrame(std::move(raw.image), r.region, r.full_frame, false).image;
                        }};

    template <typename Predicate>
    bool eventually(Predicate predicate, std::chrono::milliseconds timeout = 10s) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (!predicate()) {
            if (std::chrono::steady_clock::now() > deadline) return false;
            std::this_thread::sleep_for(5ms);
        }
        return true;
    }
    bool ready() {
        return eventually([&] { return engine.state() == CameraState::Idle && engine.imageReady(); });
    }
};

int errorOf(const std::function<void()>& call) {
    try {
        call();
    } catch (const AlpacaError& e) {
        return static_cast<int>(e.code());
    }
    return 0;
}

/// The message `call` fails with (an AlpacaError), or "" when it does not fail.
std::string messageOf(const std::function<void()>& call) {
    try {
        call();
    } catch (const AlpacaError& e) {
        return e.what();
    }
    return {};
}
}  // namespace

TEST_CASE("camera engine: an exposure goes Exposing, Reading, Download, Idle with an image") {
    Rig rig;
    CHECK(rig.engine.state() == CameraState::Idle);
    CHECK_FALSE(rig.engine.imageReady());
    CHECK_FALSE(rig.engine.lastExposure());
    CHECK(errorOf([&] { rig.engine.image(); }) == 0x40B);
    CHECK_FALSE(rig.engine.percentCompleted());

    rig.body.closeGate();
    rig.engine.start(request(0.3));
    CHECK(rig.engine.state() == CameraState::Exposing);  // at once, for clients polling right after
    CHECK_FALSE(rig.engine.imageReady());
    CHECK(rig.engine.percentCompleted() <= 100);
    CHECK(errorOf([&] { rig.engine.start(request(1)); }) == 0x40B);  // busy
    std::this_thread::sleep_for(350ms);
    CHECK(rig.engine.state() == CameraState::Reading);  // the time is over, the body has not delivered
    CHECK_FALSE(rig.engine.percentCompleted());
    rig.body.downloading = true;
    CHECK(rig.engine.state() == CameraState::Download);
    rig.body.downloading = false;
    rig.body.openGate();
    REQUIRE(rig.ready());
    const auto image = rig.engine.image();
    CHECK(image->numX() == 64);
    CHECK(image->numY() == 48);
    CHECK(image->columns()[5 * 48 + 7] == test::smallArwValue(5, 7));
    REQUIRE(rig.engine.lastExposure());
    CHECK(rig.engine.lastExposure()->duration_s == doctest::Approx(0.3));

    // The next exposure drops the image at once; a response still holding it keeps it alive.
    rig.engine.start(request(0.05));
    CHECK_FALSE(rig.engine.imageReady());
    CHECK(image.use_count() == 1);
    CHECK(image->numX() == 64);
    REQUIRE(rig.ready());
}

TEST_CASE("camera engine: a failure ends in Error with its message - Abort or a new exposure clears it") {
    Rig rig;
    rig.body.exposure = [](double, std::stop_token) -> ptp::Exposure {
        throw ptp::BodyUnavailable("the body went away: the frame is lost");
    };
    rig.engine.start(request(0.01));
    REQUIRE(rig.eventually([&] { return rig.engine.state() == CameraState::Error; }));
    CHECK(messageOf([&] { rig.engine.imageReady(); }).find("the frame is lost") != std::string::npos);
    try {
        rig.engine.image();
        FAIL("ImageArray must fail without an image");
    } catch (const AlpacaError& e) {
        CHECK(e.code() == ErrorCode::InvalidOperation);
        CHECK(std::string(e.what()).find("the frame is lost") != std::string::npos);
    }
    rig.engine.stop();
    CHECK(rig.engine.state() == CameraState::Error);
    rig.engine.abort();
    CHECK(rig.engine.state() == CameraState::Idle);
    CHECK_FALSE(rig.engine.imageReady());

    // A file that does not decode: Error naming the problem, then a good exposure works.
    rig.body.exposure = [](double, std::stop_token) {
        return ptp::Exposure{{0xFF, 0xD8, 0xFF, 0xE0}, "DSC00002.JPG", 1, std::chrono::system_clock::now()};
    };
    rig.engine.start(request(0.01));
    REQUIRE(rig.eventually([&] { return rig.engine.state() == CameraState::Error; }));
    CHECK(errorOf([&] { rig.engine.imageReady(); }) == 0x4FF);
    CHECK(rig.engine.lastExposure());  // the exposure itself happened
    // A lossless-compressed ARW (the body's RAW file type): the error names the setting to change.
    rig.body.exposure = [](double, std::stop_token) {
        auto file = test::smallArw();
        // The raw IFD's Compression entry (0x0103, SHORT, 1): 1 → 7, Sony's lossless JPEG (ARW 4.0).
        const std::vector<std::uint8_t> entry{0x03, 0x01, 0x03, 0x00, 0x01, 0x00, 0x00, 0x00};
        const auto at = std::search(file.begin(), file.end(), entry.begin(), entry.end());
        if (at != file.end()) *(at + 8) = 7;
        return ptp::Exposure{std::move(file), "DSC00003.ARW", 1, std::chrono::system_clock::now()};
    };
    rig.engine.start(request(0.01));
    REQUIRE(rig.eventually([&] { return rig.engine.state() == CameraState::Error; }));
    const std::string message = messageOf([&] { rig.engine.imageReady(); });
    CHECK(message.find("lossless-compressed") != std::string::npos);
    CHECK(message.find("RAW File Type") != std::string::npos);
    rig.body.exposure = test::timedExposure;
    rig.engine.start(request(0.01));  // allowed from Error
    REQUIRE(rig.ready());
}

TEST_CASE("camera engine: AbortExposure discards in every state - the next exposure waits for the body") {
    Rig rig;
    // Exposing: Idle at once, no image; the body's exposure keeps running (a listed speed).
    rig.body.exposure = [&](double, std::stop_token) {
        std::this_thread::sleep_for(300ms);  // not interruptible
        return test::timedExposure(0, {});
    };
    rig.engine.start(request(1));
    REQUIRE(rig.eventually([&] { return rig.body.exposures == 1; }));
    rig.engine.abort();
    CHECK(rig.engine.state() == CameraState::Idle);
    CHECK_FALSE(rig.engine.imageReady());
    try {
        rig.engine.image();
    } catch (const AlpacaError& e) {
        CHECK(std::string(e.what()).find("aborted") != std::string::npos);
    }
    // A new exposure Waits while the aborted one still occupies the body.
    rig.engine.start(request(0.01));
    CHECK(rig.engine.state() == CameraState::Waiting);
    CHECK(rig.engine.percentCompleted() == 0);
    // Waiting: abort discards this one too.
    rig.engine.abort();
    CHECK(rig.engine.state() == CameraState::Idle);
    REQUIRE(rig.engine.waitForThreads(5s));
    CHECK(rig.body.exposures == 1);  // the discarded waiting exposure never reached the body
    CHECK(rig.processed == 0);       // nor was the aborted one's file decoded into an image
    rig.engine.start(request(0.01));
    REQUIRE(rig.ready());

    // Download (decoding): discarded.
    rig.body.exposure = test::timedExposure;
    std::atomic<bool> hold{true};
    rig.before_process = [&] {
        while (hold) std::this_thread::sleep_for(1ms);
    };
    rig.engine.start(request(0.01));
    REQUIRE(rig.eventually([&] { return rig.engine.state() == CameraState::Download; }));
    rig.engine.abort();
    CHECK(rig.engine.state() == CameraState::Idle);
    hold = false;
    REQUIRE(rig.engine.waitForThreads(5s));
    CHECK_FALSE(rig.engine.imageReady());
    // Idle: nothing happens.
    rig.engine.abort();
    CHECK(rig.engine.state() == CameraState::Idle);
}

TEST_CASE("camera engine: StopExposure ends the exposure early and keeps the image") {
    Rig rig;
    rig.engine.start(request(20));
    std::this_thread::sleep_for(100ms);
    rig.engine.stop();
    CHECK(rig.engine.state() == CameraState::Reading);  // the shutter is closing
    REQUIRE(rig.ready());
    CHECK(rig.engine.lastExposure()->duration_s < 5);
    CHECK(rig.engine.image()->numX() == 64);
    rig.engine.stop();  // Idle: ignored
    CHECK(rig.engine.imageReady());
}

TEST_CASE("camera engine: reset forgets the session - destruction during an exposure ends it") {
    {
        Rig rig;
        rig.engine.start(request(0.01));
        REQUIRE(rig.ready());
        rig.engine.reset();
        CHECK_FALSE(rig.engine.imageReady());
        CHECK_FALSE(rig.engine.lastExposure());
        rig.engine.start(request(600));  // a long bulb; the engine goes with the rig
        // Waiting while the thread of the exposure reset() discarded is still ending.
        const CameraState state = rig.engine.state();
        CHECK((state == CameraState::Exposing || state == CameraState::Waiting));
    }
    CHECK(true);  // no hang, no crash
}

TEST_CASE("camera engine: an exposure waits (Waiting) for a body that is away, and fails saying so if it stays away") {
    Rig rig;
    rig.body.open();
    // The body is lost before its first exposure starts, and back 300 ms later.
    std::atomic<int> away{1};
    std::jthread back;  // ends before rig
    rig.body.exposure = [&](double seconds, std::stop_token stop) {
        if (away-- > 0) {
            rig.body.close();
            back = std::jthread([&] {
                std::this_thread::sleep_for(300ms);
                rig.body.open();
            });
            throw ptp::BodyAway("the body is away (test)");
        }
        return test::timedExposure(seconds, stop);
    };
    rig.engine.start(request(0.01));
    CHECK(rig.eventually([&] { return rig.engine.state() == CameraState::Waiting; }, 2s));
    REQUIRE(rig.ready());
    CHECK(rig.body.exposures == 2);  // the same StartExposure, taken once the body was back

    // Away for longer than the engine waits: Error, with the reason.
    rig.engine.setBodyAwayWait(200ms);
    rig.body.exposure = [&](double, std::stop_token) -> ptp::Exposure {
        rig.body.close();
        throw ptp::BodyAway("the body is away (test)");
    };
    rig.engine.start(request(0.01));
    CHECK(rig.eventually([&] { return rig.engine.state() == CameraState::Error; }, 5s));
    const std::string message = messageOf([&] { rig.engine.imageReady(); });
    CHECK(message.find("did not come back within 0.2 s") != std::string::npos);
    rig.body.open();
}
