// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "alpaca/DeviceBase.hpp"

namespace sonyalpaca::alpaca {

/// The Alpaca Focuser (IFocuserV4) on the lens of a Sony body. Every member is routed with its
/// parameters; the focus members answer NotImplemented until the absolute focuser lands.
class FocuserDevice final : public DeviceBase {
public:
    explicit FocuserDevice(std::shared_ptr<BodySession> session);
};

}  // namespace sonyalpaca::alpaca
