// SPDX-License-Identifier: GPL-3.0-or-later
#include "alpaca/UniqueIdStore.hpp"

#include "config/AtomicFile.hpp"
#include "config/Log.hpp"

#include <nlohmann/json.hpp>

#include <array>
#include <fstream>
#include <random>

namespace sonyalpaca::alpaca {

std::string randomUuid() {
    std::random_device random;
    std::array<unsigned char, 16> bytes{};
    for (auto& byte : bytes) byte = static_cast<unsigned char>(random() & 0xFFu);
    bytes[6] = static_cast<unsigned char>((bytes[6] & 0x0Fu) | 0x40u);  // version 4
    bytes[8] = static_cast<unsigned char>((bytes[8] & 0x3Fu) | 0x80u);  // RFC 4122 variant
    static constexpr char kHex[] = "0123456789abcdef";
    std::string text;
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10) text.push_back('-');
        text.push_back(kHex[bytes[i] >> 4]);
        text.push_back(kHex[bytes[i] & 0x0Fu]);
    }
    return text;
}

UniqueIdStore::UniqueIdStore(std::filesystem::path file) : file_(std::move(file)) {
    std::ifstream in(file_);
    if (!in) return;
    try {
        const auto document = nlohmann::json::parse(in);
        for (const auto& [key, value] : document.items())
            if (value.is_string() && !value.get<std::string>().empty()) ids_[key] = value.get<std::string>();
    } catch (const nlohmann::json::exception& e) {
        auto damaged = file_;
        damaged += ".damaged";
        std::error_code ec;
        std::filesystem::rename(file_, damaged, ec);
        log::get("alpaca")->warn("device IDs in {} are damaged ({}); moved aside to {}, new IDs will be made",
                                 file_.string(), e.what(), damaged.string());
        ids_.clear();
    }
}

std::string UniqueIdStore::idFor(const std::string& key) {
    std::lock_guard lock(mutex_);
    if (auto found = ids_.find(key); found != ids_.end()) return found->second;
    const std::string id = randomUuid();
    ids_[key] = id;
    config::writeFileAtomically(file_, nlohmann::json(ids_).dump(2) + "\n");
    log::get("alpaca")->info("new UniqueID {} for {} saved in {}", id, key, file_.string());
    return id;
}

}  // namespace sonyalpaca::alpaca
