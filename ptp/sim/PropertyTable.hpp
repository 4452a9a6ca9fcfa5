// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstdint>
#include <vector>

namespace sonyalpaca::ptp::sim {

/// One Sony device property as the body reports it in GetAllDevicePropData (0x9209).
struct Property {
    enum class Form : std::uint8_t { None = 0, Range = 1, Enumeration = 2 };
    std::uint16_t code = 0;
    std::uint16_t type = 0;          ///< PTP data type (code::UInt8 ...)
    std::uint8_t change_method = 1;  ///< Sony "GetSet": 1 settable, 0x81 a button, 0x82 a step control
    std::uint8_t enabled = 1;
    std::int64_t factory = 0;
    std::int64_t current = 0;
    Form form = Form::None;
    std::int64_t min = 0, max = 0, step = 0;  ///< Range form
    std::vector<std::int64_t> values;         ///< Enumeration form, in the body's order

    /// Index of `value` in `values`, or -1.
    int indexOf(std::int64_t value) const;
};

/// The properties of the virtual body, in the order they are reported.
class PropertyTable {
public:
    Property& add(Property property);
    Property* find(std::uint16_t code);
    const Property* find(std::uint16_t code) const;
    /// The codes, in order.
    std::vector<std::uint16_t> codes() const;
    /// The 0x9209 reply: u64 count, then one Sony DevicePropDesc per property. In Sony protocol
    /// 3.00 (`protocol` 3) an enumeration is followed by a second list, u16 count and values: the
    /// values that can be set now (here the same list). libgphoto2 2.5.32 and later read it; 2.5.31
    /// does not, and takes it for the next property (libgphoto2 #937).
    std::vector<std::uint8_t> packAll(int protocol = 2) const;

    /// Size in bytes of a value of PTP `type`.
    static std::size_t valueSize(std::uint16_t type);

private:
    std::vector<Property> properties_;
};

}  // namespace sonyalpaca::ptp::sim
