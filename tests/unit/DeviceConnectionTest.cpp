// SPDX-License-Identifier: GPL-3.0-or-later
#include "alpaca/CameraDevice.hpp"
#include "alpaca/FocuserDevice.hpp"
#include "alpaca/Router.hpp"

#include "RouterCalls.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <thread>

using namespace sonyalpaca;
using namespace sonyalpaca::alpaca;
using test::jsonOf;
using test::routeGet;
using test::routePut;

namespace {
/// A body that opens after `delay`, or fails with `failure` when that is set; counts opens and closes.
class CountingBody final : public ptp::Body {
public:
    std::atomic<int> opens{0};
    std::atomic<int> closes{0};
    std::atomic<bool> open_{false};
    std::string failure;
    std::chrono::milliseconds delay{0};

    void open() override {
        std::this_thread::sleep_for(delay);
        if (!failure.empty()) throw ptp::BodyUnavailable(failure);
        if (!open_.exchange(true)) ++opens;
    }
    void close() noexcept override {
        if (open_.exchange(false)) ++closes;
    }
    bool isOpen() const noexcept override { return open_; }
    void checkReachable() const override {}
    std::string describe() const override { return "counting body"; }
    // The rest of the seam is not what these tests are about.
    ptp::BodyIdentity identity() override { return {"Sony", "TEST", "1", "1"}; }
    std::vector<std::string> isoChoices() override { return {"100"}; }
    std::string iso() override { return "100"; }
    void setIso(const std::string&) override {}
    std::vector<double> shutterSpeeds() override { return {1.0}; }
    std::vector<std::string> rawTypes() override { return {}; }
    std::string rawType() override { return {}; }
    void setRawType(const std::string&) override {}
    ptp::BodyState state() const noexcept override {
        return open_ ? ptp::BodyState::Idle : ptp::BodyState::Disconnected;
    }
    ptp::Exposure expose(double, std::stop_token) override { throw ptp::BodyError("no exposures here"); }
    bool hasFocusDrive() override { return false; }
    void focusStep(int, int) override { throw ptp::BodyError("no focus drive here"); }
    std::vector<std::uint8_t> liveView() override { return {}; }
};

struct Fixture {
    std::shared_ptr<CountingBody> body = std::make_shared<CountingBody>();
    std::shared_ptr<BodySession> session = std::make_shared<BodySession>(body);
    DeviceRegistry registry;
    Router router{registry, {}};
    Fixture() {
        registry.add(std::make_shared<CameraDevice>(session), "c");
        registry.add(std::make_shared<FocuserDevice>(session), "f");
    }
    bool get(const std::string& member, const std::string& device = "camera") {
        return jsonOf(routeGet(router, "/api/v1/" + device + "/0/" + member))["Value"].get<bool>();
    }
};

template <typename Predicate>
bool eventually(Predicate predicate) {
    for (int i = 0; i < 500; ++i) {
        if (predicate()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
}
}  // namespace

TEST_CASE("Connected=true connects at once and reads back true; false disconnects") {
    Fixture f;
    CHECK(jsonOf(routePut(f.router, "/api/v1/camera/0/connected", "Connected=true"))["ErrorNumber"] == 0);
    CHECK(f.get("connected"));
    CHECK(f.body->isOpen());
    CHECK(jsonOf(routePut(f.router, "/api/v1/camera/0/connected", "Connected=true"))["ErrorNumber"] == 0);
    CHECK(jsonOf(routeGet(f.router, "/api/v1/camera/0/devicestate"))["Value"].is_array());
    CHECK(jsonOf(routePut(f.router, "/api/v1/camera/0/connected", "Connected=false"))["ErrorNumber"] == 0);
    CHECK_FALSE(f.get("connected"));
    CHECK_FALSE(f.body->isOpen());
    CHECK(f.body->opens == 1);
    CHECK(f.body->closes == 1);
}

TEST_CASE("Connect is asynchronous: Connecting is true while the body opens") {
    Fixture f;
    f.body->delay = std::chrono::milliseconds(300);
    const auto started = std::chrono::steady_clock::now();
    CHECK(jsonOf(routePut(f.router, "/api/v1/focuser/0/connect"))["ErrorNumber"] == 0);
    CHECK(std::chrono::steady_clock::now() - started < std::chrono::milliseconds(200));
    CHECK(f.get("connecting", "focuser"));
    CHECK_FALSE(f.get("connected", "focuser"));
    CHECK(eventually([&] { return !f.get("connecting", "focuser"); }));
    CHECK(f.get("connected", "focuser"));
    CHECK(jsonOf(routePut(f.router, "/api/v1/focuser/0/disconnect"))["ErrorNumber"] == 0);
    CHECK_FALSE(f.get("connected", "focuser"));
}

TEST_CASE("camera and focuser share the body: it closes when the last of them disconnects") {
    Fixture f;
    routePut(f.router, "/api/v1/camera/0/connected", "Connected=true");
    routePut(f.router, "/api/v1/focuser/0/connected", "Connected=true");
    CHECK(f.body->opens == 1);
    routePut(f.router, "/api/v1/camera/0/connected", "Connected=false");
    CHECK(f.body->isOpen());
    CHECK(f.get("connected", "focuser"));
    routePut(f.router, "/api/v1/focuser/0/connected", "Connected=false");
    CHECK_FALSE(f.body->isOpen());
}

TEST_CASE("a body that cannot be opened: Connected stays false and the reason is the error") {
    Fixture f;
    f.body->failure = "the body is not in PC Remote mode";
    const auto reply = jsonOf(routePut(f.router, "/api/v1/camera/0/connected", "Connected=true"));
    CHECK(reply["ErrorNumber"] == 0x407);
    CHECK(reply["ErrorMessage"] == "the body is not in PC Remote mode");
    CHECK_FALSE(f.get("connected"));
    CHECK(jsonOf(routePut(f.router, "/api/v1/camera/0/connect"))["ErrorNumber"] == 0);
    CHECK(eventually([&] { return !f.get("connecting"); }));
    CHECK_FALSE(f.get("connected"));
}
