// SPDX-License-Identifier: GPL-3.0-or-later
#include "ptp/gphoto/DeviceHolders.hpp"

#include <libusb.h>

#include <unistd.h>

#include <cstdio>
#include <fstream>

namespace sonyalpaca::ptp::gphoto {

std::vector<Holder> processesHolding(const std::filesystem::path& path) noexcept {
    std::vector<Holder> holders;
    try {
        std::error_code ec;
        const auto wanted = std::filesystem::weakly_canonical(path, ec);
        for (const auto& process : std::filesystem::directory_iterator("/proc", ec)) {
            const std::string pid_text = process.path().filename().string();
            if (pid_text.find_first_not_of("0123456789") != std::string::npos) continue;
            const int pid = std::stoi(pid_text);
            if (pid == ::getpid()) continue;
            std::error_code fd_ec;
            for (const auto& fd : std::filesystem::directory_iterator(process.path() / "fd", fd_ec)) {
                std::error_code link_ec;
                const auto target = std::filesystem::read_symlink(fd.path(), link_ec);
                if (link_ec || target != wanted) continue;
                std::ifstream comm(process.path() / "comm");
                Holder holder{pid, {}};
                std::getline(comm, holder.name);
                holders.push_back(holder);
                break;
            }
        }
    } catch (...) {
        // /proc unreadable or a process vanished in the middle: report what was found.
    }
    return holders;
}

std::filesystem::path sonyUsbDeviceNode() noexcept {
    libusb_context* context = nullptr;
    if (libusb_init(&context) != 0) return {};
    libusb_device** devices = nullptr;
    const ssize_t count = libusb_get_device_list(context, &devices);
    std::filesystem::path node;
    for (ssize_t i = 0; i < count && node.empty(); ++i) {
        libusb_device_descriptor descriptor{};
        if (libusb_get_device_descriptor(devices[i], &descriptor) != 0 || descriptor.idVendor != 0x054c) continue;
        char text[32];
        std::snprintf(text, sizeof text, "/dev/bus/usb/%03u/%03u", libusb_get_bus_number(devices[i]),
                      libusb_get_device_address(devices[i]));
        node = text;
    }
    if (count >= 0) libusb_free_device_list(devices, 1);
    libusb_exit(context);
    return node;
}

}  // namespace sonyalpaca::ptp::gphoto
