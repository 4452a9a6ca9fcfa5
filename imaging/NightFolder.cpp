// SPDX-License-Identifier: GPL-3.0-or-later
#include "imaging/NightFolder.hpp"

#include <cstdio>
#include <ctime>

namespace sonyalpaca::imaging {

std::string observingNight(std::chrono::system_clock::time_point when) {
    const std::time_t seconds = std::chrono::system_clock::to_time_t(when);
    std::tm local{};
    ::localtime_r(&seconds, &local);
    using namespace std::chrono;
    sys_days day = year{local.tm_year + 1900} / month{static_cast<unsigned>(local.tm_mon + 1)} /
                   std::chrono::day{static_cast<unsigned>(local.tm_mday)};
    if (local.tm_hour < 12) day -= days{1};  // before noon: still last night
    const year_month_day date{day};
    char text[16];
    std::snprintf(text, sizeof text, "%04d-%02u-%02u", static_cast<int>(date.year()),
                  static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()));
    return text;
}

std::filesystem::path nightFolder(const std::filesystem::path& base, std::chrono::system_clock::time_point when) {
    return base / observingNight(when);
}

}  // namespace sonyalpaca::imaging
