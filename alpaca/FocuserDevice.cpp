// SPDX-License-Identifier: GPL-3.0-or-later
#include "alpaca/FocuserDevice.hpp"

namespace sonyalpaca::alpaca {

FocuserDevice::FocuserDevice(std::shared_ptr<BodySession> session)
    : DeviceBase({"Focuser", "Sony lens focuser", "Focus drive of the lens on a Sony Alpha body (sonyalpaca)"},
                 std::move(session)) {
    for (const char* name : {"absolute", "ismoving", "maxincrement", "maxstep", "position", "stepsize", "tempcomp",
                             "tempcompavailable", "temperature"})
        addPending(name, Verb::Get);
    addPending("tempcomp", Verb::Put, {{"TempComp", ParamType::Bool}});
    addPending("halt", Verb::Put);
    addPending("move", Verb::Put, {{"Position", ParamType::Int}});
}

}  // namespace sonyalpaca::alpaca
