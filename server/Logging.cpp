// SPDX-License-Identifier: GPL-3.0-or-later
#include "server/Logging.hpp"

#include "config/Log.hpp"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <sys/stat.h>

#include <cstdio>

namespace sonyalpaca::server {
namespace {
/// %* : the syslog priority of the message's level, for sd-daemon(3) style "<N>" prefixes.
class SyslogPriorityFlag final : public spdlog::custom_flag_formatter {
public:
    void format(const spdlog::details::log_msg& message, const std::tm&, spdlog::memory_buf_t& out) override {
        char digit = '6';
        switch (message.level) {
        case spdlog::level::trace:
        case spdlog::level::debug: digit = '7'; break;
        case spdlog::level::info: digit = '6'; break;
        case spdlog::level::warn: digit = '4'; break;
        case spdlog::level::err: digit = '3'; break;
        case spdlog::level::critical: digit = '2'; break;
        default: break;
        }
        out.push_back(digit);
    }
    std::unique_ptr<custom_flag_formatter> clone() const override { return std::make_unique<SyslogPriorityFlag>(); }
};
}  // namespace

bool stderrIsJournal(const std::map<std::string, std::string>& environment) {
    const auto found = environment.find("JOURNAL_STREAM");
    if (found == environment.end() || found->second.empty()) return false;
    struct stat status = {};
    if (::fstat(2, &status) != 0) return false;
    unsigned long long device = 0, inode = 0;
    if (std::sscanf(found->second.c_str(), "%llu:%llu", &device, &inode) != 2) return false;
    return device == status.st_dev && inode == status.st_ino;
}

void setupLogging(const std::string& level, bool journal) {
    auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
    // The setup page shows the last lines from memory.
    auto logger = std::make_shared<spdlog::logger>("server", spdlog::sinks_init_list{sink, log::recentLinesSink()});
    spdlog::set_default_logger(logger);
    auto formatter = std::make_unique<spdlog::pattern_formatter>();
    formatter->add_flag<SyslogPriorityFlag>('*');
    formatter->set_pattern(journal ? "<%*>%n: %v" : "%Y-%m-%d %H:%M:%S.%e %-7n %-5l %v");
    spdlog::set_formatter(std::move(formatter));
    spdlog::set_level(spdlog::level::from_str(level));
    spdlog::flush_on(spdlog::level::trace);
}

}  // namespace sonyalpaca::server
