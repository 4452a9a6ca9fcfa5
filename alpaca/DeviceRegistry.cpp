// SPDX-License-Identifier: GPL-3.0-or-later
#include "alpaca/DeviceRegistry.hpp"

#include "alpaca/Parameters.hpp"

#include <algorithm>

namespace sonyalpaca::alpaca {

std::string DeviceRegistry::idKey(std::string_view device_type, int number) {
    return asciiLower(device_type) + "/" + std::to_string(number);
}

int DeviceRegistry::nextNumber(std::string_view device_type) const noexcept {
    const std::string type = asciiLower(device_type);
    return static_cast<int>(
        std::count_if(entries_.begin(), entries_.end(), [&](const Entry& e) { return e.url_type == type; }));
}

int DeviceRegistry::add(std::shared_ptr<Device> device, std::string unique_id) {
    const std::string type = asciiLower(device->deviceType());
    const int number = nextNumber(type);
    entries_.push_back({type, number, std::move(device), std::move(unique_id)});
    return number;
}

Device* DeviceRegistry::find(std::string_view url_type, int number) const noexcept {
    for (const auto& entry : entries_)
        if (entry.url_type == url_type && entry.number == number) return entry.device.get();
    return nullptr;
}

bool DeviceRegistry::knowsType(std::string_view url_type) const noexcept {
    return std::any_of(entries_.begin(), entries_.end(), [&](const Entry& e) { return e.url_type == url_type; });
}

}  // namespace sonyalpaca::alpaca
