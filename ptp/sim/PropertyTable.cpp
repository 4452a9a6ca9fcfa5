// SPDX-License-Identifier: GPL-3.0-or-later
#include "ptp/sim/PropertyTable.hpp"

#include "ptp/sim/ByteIo.hpp"
#include "ptp/sim/PtpCodes.hpp"

#include <algorithm>
#include <stdexcept>

namespace sonyalpaca::ptp::sim {

int Property::indexOf(std::int64_t value) const {
    const auto found = std::find(values.begin(), values.end(), value);
    return found == values.end() ? -1 : static_cast<int>(found - values.begin());
}

Property& PropertyTable::add(Property property) {
    properties_.push_back(std::move(property));
    return properties_.back();
}

Property* PropertyTable::find(std::uint16_t code) {
    for (auto& property : properties_)
        if (property.code == code) return &property;
    return nullptr;
}

const Property* PropertyTable::find(std::uint16_t code) const { return const_cast<PropertyTable*>(this)->find(code); }

std::vector<std::uint16_t> PropertyTable::codes() const {
    std::vector<std::uint16_t> list;
    for (const auto& property : properties_) list.push_back(property.code);
    return list;
}

std::size_t PropertyTable::valueSize(std::uint16_t type) {
    switch (type) {
    case code::Int8:
    case code::UInt8: return 1;
    case code::Int16:
    case code::UInt16: return 2;
    case code::Int32:
    case code::UInt32: return 4;
    default: throw std::invalid_argument("unsupported PTP data type");
    }
}

std::vector<std::uint8_t> PropertyTable::packAll(int protocol) const {
    ByteWriter out;
    out.u64(properties_.size());
    for (const auto& p : properties_) {
        const std::size_t size = valueSize(p.type);
        out.u16(p.code);
        out.u16(p.type);
        out.u8(p.change_method);
        out.u8(p.enabled);
        out.put(static_cast<std::uint64_t>(p.factory), size);
        out.put(static_cast<std::uint64_t>(p.current), size);
        out.u8(static_cast<std::uint8_t>(p.form));
        if (p.form == Property::Form::Range) {
            out.put(static_cast<std::uint64_t>(p.min), size);
            out.put(static_cast<std::uint64_t>(p.max), size);
            out.put(static_cast<std::uint64_t>(p.step), size);
        } else if (p.form == Property::Form::Enumeration) {
            for (int list = protocol >= 3 ? 2 : 1; list > 0; --list) {
                out.u16(static_cast<std::uint16_t>(p.values.size()));
                for (auto v : p.values) out.put(static_cast<std::uint64_t>(v), size);
            }
        }
    }
    return out.take();
}

}  // namespace sonyalpaca::ptp::sim
