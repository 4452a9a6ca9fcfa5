// SPDX-License-Identifier: GPL-3.0-or-later
#include "config/Log.hpp"

#include <spdlog/sinks/base_sink.h>

#include <chrono>
#include <ctime>
#include <deque>
#include <mutex>

namespace sonyalpaca::log {
namespace {
/// Keeps the last lines in a deque; formats them itself so the journal's pattern does not apply.
class RecentLinesSink final : public spdlog::sinks::base_sink<std::mutex> {
public:
    std::vector<std::string> lines() {
        std::lock_guard lock(mutex_);
        return {lines_.begin(), lines_.end()};
    }

protected:
    void sink_it_(const spdlog::details::log_msg& message) override {
        const auto time = std::chrono::system_clock::to_time_t(message.time);
        std::tm tm{};
        localtime_r(&time, &tm);
        char stamp[32];
        std::strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S", &tm);
        const auto level = spdlog::level::to_string_view(message.level);
        std::string line = std::string(stamp) + " " + std::string(message.logger_name.data(), message.logger_name.size()) +
                           " " + std::string(level.data(), level.size()) + " " +
                           std::string(message.payload.data(), message.payload.size());
        lines_.push_back(std::move(line));
        while (lines_.size() > kRecentLines) lines_.pop_front();
    }
    void flush_() override {}

private:
    std::deque<std::string> lines_;
};

std::shared_ptr<RecentLinesSink> theRecentLinesSink() {
    static const auto sink = std::make_shared<RecentLinesSink>();
    return sink;
}
}  // namespace

std::shared_ptr<spdlog::sinks::sink> recentLinesSink() { return theRecentLinesSink(); }

std::vector<std::string> recentLines() { return theRecentLinesSink()->lines(); }

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
