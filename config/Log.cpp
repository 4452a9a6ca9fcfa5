// SPDX-License-Identifier: GPL-3.0-or-later
#include "config/Log.hpp"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/ringbuffer_sink.h>

#include <mutex>

namespace sonyalpaca::log {
namespace {
const std::shared_ptr<spdlog::sinks::ringbuffer_sink_mt>& theRecentLinesSink() {
    static const auto sink = std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(kRecentLines);
    return sink;
}
}  // namespace

std::shared_ptr<spdlog::sinks::sink> recentLinesSink() { return theRecentLinesSink(); }

std::vector<std::string> recentLines() {
    // Formatted here rather than by the sink's formatter, which spdlog::set_formatter replaces.
    spdlog::pattern_formatter formatter("%Y-%m-%d %H:%M:%S %n %l %v", spdlog::pattern_time_type::local, "");
    std::vector<std::string> lines;
    for (const auto& message : theRecentLinesSink()->last_raw()) {
        spdlog::memory_buf_t line;
        formatter.format(message, line);
        lines.emplace_back(line.data(), line.size());
    }
    return lines;
}

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
