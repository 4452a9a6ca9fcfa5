// SPDX-License-Identifier: GPL-3.0-or-later
#include "alpaca/BodySession.hpp"

#include "config/Log.hpp"

namespace sonyalpaca::alpaca {

void BodySession::acquire() {
    std::lock_guard lock(mutex_);
    body_->open();
    if (users_ == 0 && memory_) {
        try {
            const auto identity = body_->identity();
            const std::string key = BodyMemory::keyOf(identity.model, identity.serial);
            const auto remembered = memory_->lens(key);
            std::lock_guard facts(facts_mutex_);
            body_key_ = key;
            if (lens_.empty() && remembered) {
                lens_ = *remembered;
                lens_remembered_ = true;
                log::get("alpaca")->info("the {} carried lens \"{}\" when last seen; taken as its lens until an image "
                                         "reports one",
                                         identity.model, lens_);
            }
        } catch (const std::exception& e) {
            log::get("alpaca")->warn("cannot look up the body in the bodies seen before: {}", e.what());
        }
    }
    ++users_;
}

void BodySession::release() noexcept {
    std::lock_guard lock(mutex_);
    if (users_ > 0 && --users_ == 0) body_->close();
}

std::string BodySession::reportedLens() const {
    std::lock_guard lock(facts_mutex_);
    return lens_;
}

std::string BodySession::bodyKey() const {
    std::lock_guard lock(facts_mutex_);
    return body_key_;
}

bool BodySession::lensRemembered() const {
    std::lock_guard lock(facts_mutex_);
    return lens_remembered_;
}

std::optional<double> BodySession::temperature() const {
    std::lock_guard lock(facts_mutex_);
    return temperature_;
}

FrameTemperatures BodySession::frameTemperatures() const {
    std::lock_guard lock(facts_mutex_);
    return temperatures_;
}

void BodySession::reportTemperatures(const FrameTemperatures& temperatures) {
    if (!temperatures.sensor && !temperatures.ambient && !temperatures.battery) return;
    std::lock_guard lock(facts_mutex_);
    temperatures_ = temperatures;
}

void BodySession::report(const FrameFacts& facts) {
    std::lock_guard reporting(report_mutex_);
    std::vector<std::function<void(const FrameFacts&)>> listeners;
    {
        std::lock_guard lock(facts_mutex_);
        if (!facts.lens.empty()) {
            lens_ = facts.lens;
            lens_remembered_ = false;
            if (memory_ && !body_key_.empty()) memory_->rememberLens(body_key_, facts.lens);
        }
        if (facts.temperature) temperature_ = facts.temperature;
        for (const auto& [id, listener] : listeners_) listeners.push_back(listener);
    }
    for (const auto& listener : listeners) listener(facts);
}

int BodySession::onReport(std::function<void(const FrameFacts&)> listener) {
    std::lock_guard lock(facts_mutex_);
    listeners_.emplace_back(next_listener_, std::move(listener));
    return next_listener_++;
}

void BodySession::removeListener(int id) {
    std::lock_guard reporting(report_mutex_);
    std::lock_guard lock(facts_mutex_);
    std::erase_if(listeners_, [id](const auto& entry) { return entry.first == id; });
}

}  // namespace sonyalpaca::alpaca
