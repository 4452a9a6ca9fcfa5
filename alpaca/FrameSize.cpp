// SPDX-License-Identifier: GPL-3.0-or-later
#include "alpaca/FrameSize.hpp"

#include "config/RawTypes.hpp"

namespace sonyalpaca::alpaca {
namespace {
bool fullFrame(const config::BodyEntry* body) { return body && body->sensor_format == "full-frame"; }
unsigned evenSide(int side) { return side > 0 ? static_cast<unsigned>(side) & ~1U : 0; }
}  // namespace

FrameSizeAtConnect frameSizeAtConnect(
    const config::BodyEntry* body, std::optional<bool> sensor_crop, const config::LensEntry* lens,
    const std::function<std::optional<BodyMemory::Size>(BodyMemory::Mode)>& remembered) {
    using Mode = BodyMemory::Mode;
    FrameSizeAtConnect result;
    if (fullFrame(body)) {
        if (sensor_crop) {
            result.mode = *sensor_crop ? Mode::Apsc : Mode::Full;
            result.reason = std::string("the body's APS-C/Super 35mm setting is ") + (*sensor_crop ? "On" : "Off");
        } else if (lens && lens->format == "aps-c") {
            result.mode = Mode::Apsc;
            result.reason = "the lens " + lens->model_id +
                            " is an APS-C lens (the body does not tell its APS-C/Super 35mm setting; taken as the "
                            "factory setting Auto, which crops with such a lens)";
        } else {
            result.reason = lens ? "the lens " + lens->model_id + " covers the full frame"
                                 : "no APS-C lens is known on the body";
        }
    } else {
        result.reason = body ? "the body has no APS-C/Super 35mm mode" : "the body is not in the body data";
    }
    if (const auto seen = remembered ? remembered(result.mode) : std::nullopt) {
        result.width = seen->width;
        result.height = seen->height;
        result.reason += "; the size this body delivered last time";
        return result;
    }
    if (!body) return result;
    if (result.mode == Mode::Full) {
        result.width = evenSide(body->sensor_width);
        result.height = evenSide(body->sensor_height);
        result.reason += "; the body data's size";
    } else if (const auto raw = body->apscRawSize()) {
        // LibRaw cuts the last block of some bodies' APS-C rows (config::libRawApscTrim).
        result.width = evenSide(raw->first - config::libRawApscTrim(body->model, raw->first));
        result.height = evenSide(raw->second);
        result.reason += body->apsc->raw_width > 0 ? "; the body data's APS-C raw size"
                                                   : "; estimated from Sony's APS-C image size (no APS-C sample "
                                                     "file known: the first image confirms it)";
    } else {
        result.reason += "; no APS-C size known: learned from the first image";
    }
    return result;
}

}  // namespace sonyalpaca::alpaca
