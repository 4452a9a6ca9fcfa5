// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "alpaca/Device.hpp"

#include <memory>
#include <string>
#include <vector>

namespace sonyalpaca::alpaca {

/// The devices the server offers, numbered from 0 per device type in the order they are added, so a
/// second body can become Camera 1 and Focuser 1. Filled before the server starts; read-only after.
class DeviceRegistry {
public:
    struct Entry {
        std::string url_type;  ///< lower case, as in URLs: "camera"
        int number;
        std::shared_ptr<Device> device;
        std::string unique_id;
    };

    /// The number the next device of `device_type` ("Camera" or "camera") will get.
    int nextNumber(std::string_view device_type) const noexcept;

    /// Adds `device` as the next number of its type and returns that number.
    int add(std::shared_ptr<Device> device, std::string unique_id);

    /// The device `url_type`/`number`, or nullptr.
    Device* find(std::string_view url_type, int number) const noexcept;

    /// True if some device has this URL type.
    bool knowsType(std::string_view url_type) const noexcept;

    const std::vector<Entry>& entries() const noexcept { return entries_; }

    /// The key a device's UniqueID is stored under: "camera/0".
    static std::string idKey(std::string_view device_type, int number);

private:
    std::vector<Entry> entries_;
};

}  // namespace sonyalpaca::alpaca
