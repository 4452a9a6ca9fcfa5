// SPDX-License-Identifier: GPL-3.0-or-later
#include "config/Log.hpp"

#include <mutex>

namespace sonyalpaca::log {

std::shared_ptr<spdlog::logger> get(const std::string& name) {
    if (auto existing = spdlog::get(name)) return existing;
    static std::mutex mutex;
    std::lock_guard lock(mutex);
    if (auto existing = spdlog::get(name)) return existing;
    const auto& defaults = spdlog::default_logger();
    auto logger = std::make_shared<spdlog::logger>(name, defaults->sinks().begin(), defaults->sinks().end());
    logger->set_level(defaults->level());
    spdlog::register_logger(logger);
    return logger;
}

}  // namespace sonyalpaca::log
