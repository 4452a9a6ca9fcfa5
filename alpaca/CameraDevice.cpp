// SPDX-License-Identifier: GPL-3.0-or-later
#include "alpaca/CameraDevice.hpp"

namespace sonyalpaca::alpaca {
namespace {
// ICameraV4 properties read with GET.
constexpr const char* kGetMembers[] = {
    "bayeroffsetx", "bayeroffsety", "binx", "biny", "camerastate", "cameraxsize", "cameraysize",
    "canabortexposure", "canasymmetricbin", "canfastreadout", "cangetcoolerpower", "canpulseguide",
    "cansetccdtemperature", "canstopexposure", "ccdtemperature", "cooleron", "coolerpower", "electronsperadu",
    "exposuremax", "exposuremin", "exposureresolution", "fastreadout", "fullwellcapacity", "gain", "gainmax",
    "gainmin", "gains", "hasshutter", "heatsinktemperature", "imagearray", "imagearrayvariant", "imageready",
    "ispulseguiding", "lastexposureduration", "lastexposurestarttime", "maxadu", "maxbinx", "maxbiny", "numx",
    "numy", "offset", "offsetmax", "offsetmin", "offsets", "percentcompleted", "pixelsizex", "pixelsizey",
    "readoutmode", "readoutmodes", "sensorname", "sensortype", "setccdtemperature", "startx", "starty",
    "subexposureduration"};

struct PutMember {
    const char* name;
    std::vector<ParamSpec> params;
};
}  // namespace

CameraDevice::CameraDevice(std::shared_ptr<BodySession> session)
    : DeviceBase({"Camera", "Sony camera", "Sony Alpha camera body (sonyalpaca)"}, std::move(session)) {
    for (const char* name : kGetMembers) addPending(name, Verb::Get);
    const PutMember puts[] = {
        {"binx", {{"BinX", ParamType::Int}}},
        {"biny", {{"BinY", ParamType::Int}}},
        {"cooleron", {{"CoolerOn", ParamType::Bool}}},
        {"fastreadout", {{"FastReadout", ParamType::Bool}}},
        {"gain", {{"Gain", ParamType::Int}}},
        {"numx", {{"NumX", ParamType::Int}}},
        {"numy", {{"NumY", ParamType::Int}}},
        {"offset", {{"Offset", ParamType::Int}}},
        {"readoutmode", {{"ReadoutMode", ParamType::Int}}},
        {"setccdtemperature", {{"SetCCDTemperature", ParamType::Double}}},
        {"startx", {{"StartX", ParamType::Int}}},
        {"starty", {{"StartY", ParamType::Int}}},
        {"subexposureduration", {{"SubExposureDuration", ParamType::Double}}},
        {"abortexposure", {}},
        {"pulseguide", {{"Direction", ParamType::Int}, {"Duration", ParamType::Int}}},
        {"startexposure", {{"Duration", ParamType::Double}, {"Light", ParamType::Bool}}},
        {"stopexposure", {}},
    };
    for (const auto& put : puts) addPending(put.name, Verb::Put, put.params);
}

}  // namespace sonyalpaca::alpaca
