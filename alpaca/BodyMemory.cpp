// SPDX-License-Identifier: GPL-3.0-or-later
#include "alpaca/BodyMemory.hpp"

#include "config/AtomicFile.hpp"
#include "config/Log.hpp"

#include <nlohmann/json.hpp>

#include <fstream>

namespace sonyalpaca::alpaca {
namespace {
// Frame sides a body could deliver (a 100 MP sensor is ~12000 wide); anything else in the file is ignored.
constexpr unsigned kLargestSide = 30000;

bool plausible(unsigned side) { return side >= 2 && side <= kLargestSide; }
}  // namespace

BodyMemory::BodyMemory(std::filesystem::path file) : file_(std::move(file)) {
    std::ifstream in(file_);
    if (!in) return;
    try {
        const auto document = nlohmann::json::parse(in);
        for (const auto& [key, item] : document.at("bodies").items()) {
            if (!item.is_object()) continue;
            Entry entry;
            if (item.contains("lens") && item["lens"].is_string()) entry.lens = item["lens"].get<std::string>();
            if (item.contains("frame_sizes") && item["frame_sizes"].is_object())
                for (const auto& [mode, size] : item["frame_sizes"].items()) {
                    if ((mode != "full" && mode != "apsc") || !size.is_array() || size.size() != 2 ||
                        !size[0].is_number_unsigned() || !size[1].is_number_unsigned())
                        continue;
                    const Size s{size[0].get<unsigned>(), size[1].get<unsigned>()};
                    if (plausible(s.width) && plausible(s.height)) entry.sizes[mode] = s;
                }
            bodies_[key] = std::move(entry);
        }
    } catch (const nlohmann::json::exception& e) {
        auto damaged = file_;
        damaged += ".damaged";
        std::error_code ec;
        std::filesystem::rename(file_, damaged, ec);
        log::get("alpaca")->warn("the bodies seen before, in {}, are damaged ({}); moved aside to {}: lens and frame "
                                 "size are learned again from the next image",
                                 file_.string(), e.what(), damaged.string());
        bodies_.clear();
    }
}

std::string BodyMemory::keyOf(const std::string& model, const std::string& serial) {
    return serial.empty() ? model : model + " " + serial;
}

std::optional<std::string> BodyMemory::lens(const std::string& body) const {
    std::lock_guard lock(mutex_);
    const auto found = bodies_.find(body);
    if (found == bodies_.end() || found->second.lens.empty()) return std::nullopt;
    return found->second.lens;
}

void BodyMemory::rememberLens(const std::string& body, const std::string& lens) {
    if (lens.empty()) return;
    std::lock_guard lock(mutex_);
    auto& entry = bodies_[body];
    if (entry.lens == lens) return;
    entry.lens = lens;
    save();
}

std::optional<BodyMemory::Size> BodyMemory::frameSize(const std::string& body, Mode mode) const {
    std::lock_guard lock(mutex_);
    const auto found = bodies_.find(body);
    if (found == bodies_.end()) return std::nullopt;
    const auto size = found->second.sizes.find(modeName(mode));
    if (size == found->second.sizes.end()) return std::nullopt;
    return size->second;
}

void BodyMemory::rememberFrameSize(const std::string& body, Mode mode, Size size) {
    if (!plausible(size.width) || !plausible(size.height)) return;
    std::lock_guard lock(mutex_);
    auto& entry = bodies_[body];
    auto [at, added] = entry.sizes.try_emplace(modeName(mode), size);
    if (!added && at->second == size) return;
    at->second = size;
    save();
}

void BodyMemory::save() const {
    nlohmann::json bodies = nlohmann::json::object();
    for (const auto& [key, entry] : bodies_) {
        nlohmann::json item = nlohmann::json::object();
        if (!entry.lens.empty()) item["lens"] = entry.lens;
        nlohmann::json sizes = nlohmann::json::object();
        for (const auto& [mode, size] : entry.sizes) sizes[mode] = {size.width, size.height};
        if (!sizes.empty()) item["frame_sizes"] = sizes;
        bodies[key] = item;
    }
    try {
        config::writeFileAtomically(file_, nlohmann::json{{"bodies", bodies}}.dump(2) + "\n");
    } catch (const std::exception& e) {
        log::get("alpaca")->warn("cannot save the bodies seen in {}: {} (a fresh start learns lens and frame size "
                                 "from its first image)",
                                 file_.string(), e.what());
    }
}

}  // namespace sonyalpaca::alpaca
