// SPDX-License-Identifier: GPL-3.0-or-later
#include "config/Log.hpp"

#include "config/TimeText.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace sonyalpaca;

TEST_CASE("the setup page's recent log lines: the last 200, stamped in local time, whatever the loggers' pattern") {
    auto logger = std::make_shared<spdlog::logger>("ringtest", log::recentLinesSink());
    logger->set_level(spdlog::level::trace);
    logger->set_pattern("<%l> %v");  // the journal's pattern: not for the page
    const auto when = std::chrono::system_clock::now();
    for (std::size_t i = 0; i < log::kRecentLines + 5; ++i)
        logger->log(when, spdlog::source_loc{}, spdlog::level::info, "line " + std::to_string(i));
    logger->log(when, spdlog::source_loc{}, spdlog::level::warn, "<b>\"Q&A\"</b>");  // kept as is: the page escapes
    const auto lines = log::recentLines();
    REQUIRE(lines.size() == log::kRecentLines);
    const auto stamp = timetext::local(when, "%Y-%m-%d %H:%M:%S");
    CHECK(lines.front() == stamp + " ringtest info line 6");
    CHECK(lines[lines.size() - 2] == stamp + " ringtest info line 204");
    CHECK(lines.back() == stamp + " ringtest warning <b>\"Q&A\"</b>");
}
