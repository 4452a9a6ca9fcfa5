// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "alpaca/DeviceBase.hpp"

namespace sonyalpaca::alpaca {

/// The Alpaca Camera (ICameraV4) on a Sony body. Every member of the interface is routed with its
/// parameters, so the protocol is complete; the imaging members answer NotImplemented until the
/// exposure pipeline lands.
class CameraDevice final : public DeviceBase {
public:
    explicit CameraDevice(std::shared_ptr<BodySession> session);
};

}  // namespace sonyalpaca::alpaca
