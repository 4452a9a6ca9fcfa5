// SPDX-License-Identifier: GPL-3.0-or-later
// How libgphoto2 failures become the errors a person reads: the USB cases cannot be produced here
// (no camera), so the mapping itself is tested.
#include "ptp/gphoto/GPhotoSession.hpp"
#include "ptp/gphoto/UsbHotplug.hpp"

#include "ptp/Body.hpp"

#include <gphoto2/gphoto2-result.h>

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <thread>

using namespace sonyalpaca::ptp;

namespace {
template <typename Expected>
std::string failure(int result, const std::string& detail = "") {
    try {
        gphoto::throwFailure(result, "opening the body", detail);
    } catch (const Expected& e) {
        return e.what();
    } catch (const std::exception& e) {
        FAIL("wrong exception type: " << e.what());
    }
    return {};
}
}  // namespace

TEST_CASE("gphoto errors: USB claim, permission, not found and timeouts are BodyUnavailable with advice") {
    CHECK(failure<BodyUnavailable>(GP_ERROR_IO_USB_CLAIM).find("gvfs-gphoto2-volume-monitor") != std::string::npos);
    CHECK(failure<BodyUnavailable>(GP_ERROR_IO_LOCK).find("udev rule") != std::string::npos);
    CHECK(failure<BodyUnavailable>(GP_ERROR_IO_INIT).find("udev rule") != std::string::npos);
    CHECK(failure<BodyUnavailable>(GP_ERROR_MODEL_NOT_FOUND).find("PC Remote") != std::string::npos);
    CHECK(failure<BodyUnavailable>(GP_ERROR_IO_USB_FIND).find("PC Remote") != std::string::npos);
    CHECK(failure<BodyUnavailable>(GP_ERROR_TIMEOUT).find("did not answer in time") != std::string::npos);
    CHECK(failure<BodyUnavailable>(GP_ERROR_IO).find("opening the body failed") == 0);
}

TEST_CASE("gphoto errors: busy is BodyBusy, a full store is named, libgphoto2's detail is quoted") {
    CHECK(failure<BodyBusy>(GP_ERROR_CAMERA_BUSY).find("try again") != std::string::npos);
    const auto full = failure<BodyError>(GP_ERROR, "'capture' failed: PTP Store Full (0x200c).\n");
    CHECK(full.find("PTP Store Full (0x200c))") != std::string::npos);
    CHECK(full.find("memory card is full") != std::string::npos);
    CHECK(failure<BodyError>(GP_ERROR_BAD_PARAMETERS).find("Bad parameters") != std::string::npos);
}

TEST_CASE("USB hot-plug: starts where libusb offers it and stops at once, without a Sony device arriving") {
    std::atomic<int> events{0};
    const auto started = std::chrono::steady_clock::now();
    {
        gphoto::UsbHotplug hotplug([&](gphoto::UsbHotplug::Event) { ++events; });
        const std::string mode = hotplug.available() ? "available" : "not available: polling";
        MESSAGE("hot-plug events " << mode);
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    // The destructor interrupts libusb's event loop instead of waiting out its 2 s timeout.
    CHECK(std::chrono::steady_clock::now() - started < std::chrono::milliseconds(1500));
    CHECK(events == 0);  // no Sony device comes or goes on this machine during the test
}
