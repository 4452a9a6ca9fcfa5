// SPDX-License-Identifier: GPL-3.0-or-later
#include "ptp/gphoto/UsbHotplug.hpp"

#include "config/Log.hpp"

#include <libusb.h>

namespace sonyalpaca::ptp::gphoto {
namespace {
constexpr int kSonyVendor = 0x054c;
}  // namespace

UsbHotplug::UsbHotplug(std::function<void(Event)> on_event) : on_event_(std::move(on_event)) {
    auto logger = log::get("ptp");
    if (!libusb_has_capability(LIBUSB_CAP_HAS_HOTPLUG)) {
        logger->info("USB hot-plug events are not available here; looking for the body every second instead");
        return;
    }
    if (libusb_init(&context_) != 0) {
        context_ = nullptr;
        logger->info("USB cannot be read here; looking for the body every second instead");
        return;
    }
    libusb_hotplug_callback_handle handle = 0;
    const int result = libusb_hotplug_register_callback(
        context_,
        static_cast<libusb_hotplug_event>(LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED | LIBUSB_HOTPLUG_EVENT_DEVICE_LEFT),
        LIBUSB_HOTPLUG_NO_FLAGS, kSonyVendor, LIBUSB_HOTPLUG_MATCH_ANY, LIBUSB_HOTPLUG_MATCH_ANY,
        [](libusb_context* context, libusb_device* device, libusb_hotplug_event event, void* self) {
            return UsbHotplug::callback(context, device, static_cast<int>(event), self);
        },
        this, &handle);
    if (result != LIBUSB_SUCCESS) {
        logger->info("USB hot-plug events cannot be registered ({}); looking for the body every second instead",
                     libusb_error_name(result));
        libusb_exit(context_);
        context_ = nullptr;
        return;
    }
    handle_ = handle;
    available_ = true;
    thread_ = std::jthread([this](std::stop_token stop) { run(stop); });
}

UsbHotplug::~UsbHotplug() {
    if (!context_) return;
    if (thread_.joinable()) {
        thread_.request_stop();
        libusb_interrupt_event_handler(context_);
        thread_.join();
    }
    libusb_hotplug_deregister_callback(context_, handle_);
    libusb_exit(context_);
}

void UsbHotplug::run(std::stop_token stop) {
    while (!stop.stop_requested()) {
        timeval timeout{2, 0};
        const int result = libusb_handle_events_timeout_completed(context_, &timeout, nullptr);
        if (result != LIBUSB_SUCCESS && result != LIBUSB_ERROR_INTERRUPTED) {
            log::get("ptp")->warn("USB hot-plug events stopped ({}); looking for the body every second instead",
                                  libusb_error_name(result));
            return;
        }
    }
}

int UsbHotplug::callback(libusb_context*, libusb_device*, int event, void* self) noexcept {
    auto* hotplug = static_cast<UsbHotplug*>(self);
    try {
        hotplug->on_event_(event == LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED ? Event::Arrived : Event::Left);
    } catch (const std::exception& e) {
        log::get("ptp")->warn("handling a USB hot-plug event: {}", e.what());
    } catch (...) {
        log::get("ptp")->warn("handling a USB hot-plug event failed");
    }
    return 0;  // stay registered
}

}  // namespace sonyalpaca::ptp::gphoto
