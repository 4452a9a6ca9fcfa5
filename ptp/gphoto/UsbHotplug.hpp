// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <atomic>
#include <functional>
#include <thread>

struct libusb_context;
struct libusb_device;

namespace sonyalpaca::ptp::gphoto {

/// Watches the USB bus for a Sony device (vendor 0x054c) arriving or leaving, with libusb's hot-plug
/// callbacks (Linux with udev or netlink): one thread waits in libusb's event loop and calls
/// `on_event` there. Where libusb has no hot-plug support, or USB cannot be read at all, it does
/// nothing and available() is false: the caller keeps polling. Thread-safe; the destructor stops
/// the thread (at once: it interrupts the event loop) and no call of `on_event` runs after it.
class UsbHotplug {
public:
    enum class Event { Arrived, Left };

    explicit UsbHotplug(std::function<void(Event)> on_event);
    ~UsbHotplug();
    UsbHotplug(const UsbHotplug&) = delete;
    UsbHotplug& operator=(const UsbHotplug&) = delete;

    bool available() const noexcept { return available_; }

private:
    void run(std::stop_token stop);
    static int callback(libusb_context* context, libusb_device* device, int event, void* self) noexcept;

    std::function<void(Event)> on_event_;
    libusb_context* context_ = nullptr;
    int handle_ = 0;
    bool available_ = false;
    std::jthread thread_;  // last: stops before the members it uses go
};

}  // namespace sonyalpaca::ptp::gphoto
